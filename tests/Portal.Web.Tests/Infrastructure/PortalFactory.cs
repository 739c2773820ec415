using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Features.Organisations;
using Portal.TestSupport;

namespace Portal.Web.Tests.Infrastructure;

/// <summary>The real web app over a test database (in-memory server; the browser tests use a real Kestrel process).</summary>
/// <param name="schedules">Run the timed triggers too; off by default so that only the jobs a test starts change the database.</param>
/// <param name="settings">Configuration keys set last (limits, folders), overriding the ones above.</param>
public sealed partial class PortalFactory(TestDatabase db, bool jobs = false, bool schedules = false, IReadOnlyDictionary<string, string>? settings = null)
    : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in db.Settings)
        {
            builder.UseSetting(key, value);
        }

        // Every query the app compiles on SQLite is compiled for SQL Server too (no engine needed).
        builder.ConfigureServices(s => SqlServerTranslationCheck.AddTo(s, db.Options.Provider));
        builder.UseSetting("Demo:SeedOnStart", "false");
        builder.UseSetting("Jobs:Enabled", jobs ? "true" : "false");

        // A timed run would change the database under the tenancy matrix's snapshots.
        builder.UseSetting("Jobs:Schedules", schedules ? "true" : "false");
        builder.UseSetting("Jobs:NodeName", "web-test");
        builder.UseSetting("Storage:Uploads", Path.Combine(Path.GetTempPath(), "portal-tests", "uploads"));

        // Tests sign in and call the API far faster than people do; the rate-limit tests set their own limits.
        builder.UseSetting("RateLimits:SignInPerIp", "100000");
        builder.UseSetting("RateLimits:SignInPerAccount", "100000");
        builder.UseSetting("RateLimits:ApiPerUserOrToken", "1000000");
        builder.UseSetting("RateLimits:ApiPerIp", "1000000");
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>Polls a job run through the API until it has finished, and returns it.</summary>
    public static async Task<JobRunResponse> WaitForRunAsync(HttpClient client, string runUrl)
    {
        JobRunResponse? run = null;
        for (var i = 0; i < 150 && run?.Status is not ("Succeeded" or "Failed"); i++)
        {
            await Task.Delay(200);
            run = await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<JobRunResponse>(client, runUrl);
        }

        return run ?? throw new TimeoutException("The run never appeared: " + runUrl);
    }

    /// <summary>A client with its own cookie jar that does not follow redirects.</summary>
    public HttpClient Anonymous() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>Makes a platform admin (no organisation) and signs them in through the form.</summary>
    public async Task<HttpClient> SignInPlatformAdminAsync(string email = "root@platform.test")
    {
        _ = Server;
        using (var scope = db.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<OrganisationService>().CreateUserAsync(email, Builders.Password, "Root", platformAdmin: true);
        }

        return await SignInAsync(email);
    }

    /// <summary>Signs in through the real sign-in form (antiforgery token and all) and returns the client holding the cookie.</summary>
    public async Task<HttpClient> SignInAsync(string email, string password = Builders.Password)
    {
        var client = Anonymous();
        var response = await PostLoginAsync(client, email, password);
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Sign-in as {email} answered {(int)response.StatusCode}, not a redirect.");
        }

        return client;
    }

    public static async Task<HttpResponseMessage> PostLoginAsync(HttpClient client, string email, string password)
    {
        var form = await client.GetStringAsync("/account/login");
        var token = AntiforgeryToken(form);
        return await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["_handler"] = "login",
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        }));
    }

    /// <summary>Where a redirect points, as a path: Blazor answers with absolute URLs, Identity with relative ones.</summary>
    public static string RedirectPath(HttpResponseMessage response) =>
        response.Headers.Location is { IsAbsoluteUri: true } abs ? abs.PathAndQuery : response.Headers.Location!.OriginalString;

    public static string AntiforgeryToken(string html) =>
        TokenPattern().Match(html) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value)
            : throw new InvalidOperationException("No antiforgery token in the page.");

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}

public sealed record JobRunResponse(Guid Id, string JobName, string Status, int Progress, string? Message, string? Error);
