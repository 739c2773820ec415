using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Tokens;
using Portal.TestSupport;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Security;

/// <summary>
/// Issue #17's cross-site requests, tokens, rate limits, headers, account enumeration and busy SQLite, each as the
/// attack or fault that found it.
/// </summary>
public partial class HttpHardeningTests
{
    private const string ForeignOrigin = "http://127.0.0.1:5078";

    private static HttpClient WithToken(PortalFactory app, string token)
    {
        var client = app.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task<CreatedToken> CreateTokenAsync(HttpClient signedIn, string name, int days = 30)
    {
        var response = await signedIn.PostAsJsonAsync("/api/v1/me/tokens", new { name, expiresInDays = days });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<CreatedToken>())!;
    }

    private static HttpRequestMessage InviteRequest(Guid orgId, string? origin, string? fetchSite)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/orgs/{orgId}/invites")
        {
            Content = JsonContent.Create(new { roles = new[] { "annotator" }, expiresInHours = 24 }),
        };
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        if (fetchSite is not null)
        {
            request.Headers.Add("Sec-Fetch-Site", fetchSite);
        }

        return request;
    }

    private static async Task<int> InviteCountAsync(TestDatabase db)
    {
        await using var ctx = db.Factory.CreateSystem();
        return await ctx.Invites.IgnoreQueryFilters().CountAsync();
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.False(string.IsNullOrWhiteSpace((await response.Content.ReadFromJsonAsync<ProblemBody>())?.Detail));
    }

    // Item 3: cross-site request forgery.

    [Theory]
    [InlineData(ForeignOrigin, "same-site")] // another port of the same host: same site, other origin
    [InlineData("https://evil.example", "cross-site")]
    [InlineData(ForeignOrigin, null)] // an older browser: Origin only
    [InlineData("null", null)] // a sandboxed or file: page
    public async Task CookiePost_FromAnotherOrigin_Is403AndChangesNothing(string origin, string? fetchSite)
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db);
        var browser = await app.SignInAsync(a.Member(OrgRoles.OrgAdmin).Email!);

        var response = await browser.SendAsync(InviteRequest(a.Id, origin, fetchSite));

        await AssertProblemAsync(response, HttpStatusCode.Forbidden);
        Assert.Equal(0, await InviteCountAsync(db));
    }

    [Fact]
    public async Task CookieImport_TextPlainFormFromAnotherPort_Is403AndImportsNothing()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db);
        var browser = await app.SignInAsync(a.Member(OrgRoles.ProjectAdmin).Email!);
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/orgs/{a.Id}/projects/{a.Project.Id}/items")
        {
            Content = new StringContent("{\"id\": \"x1\", \"prompt\": \"Q\", \"chosen\": \"c\", \"rejected\": \"r\"}\n", Encoding.UTF8, "text/plain"),
        };
        request.Headers.Add("Origin", ForeignOrigin);
        request.Headers.Add("Sec-Fetch-Site", "same-site");

        var response = await browser.SendAsync(request);

        await AssertProblemAsync(response, HttpStatusCode.Forbidden);
        await using var ctx = db.Factory.CreateSystem();
        Assert.False(await ctx.Items.IgnoreQueryFilters().AnyAsync(i => i.ExternalId == "x1"));
    }

    [Theory]
    [InlineData("http://localhost", "same-origin")] // the portal's own page
    [InlineData("http://localhost", null)]
    [InlineData(null, null)] // not a browser: nothing a page could forge
    public async Task CookiePost_FromThePortalsOwnPages_IsServed(string? origin, string? fetchSite)
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db);
        var browser = await app.SignInAsync(a.Member(OrgRoles.OrgAdmin).Email!);

        var response = await browser.SendAsync(InviteRequest(a.Id, origin, fetchSite));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(1, await InviteCountAsync(db));
    }

    [Fact]
    public async Task TokenPost_WithAForeignOrigin_IsServed_AndATrustedOriginMayUseTheCookie()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db);
        await using var trusted = app.WithWebHostBuilder(b => b.UseSetting("Security:TrustedOrigins:0", "https://tools.example.org"));
        var browser = await app.SignInAsync(a.Member(OrgRoles.OrgAdmin).Email!);
        var bot = WithToken(app, (await CreateTokenAsync(browser, "bot")).Token);

        Assert.Equal(HttpStatusCode.Created, (await bot.SendAsync(InviteRequest(a.Id, ForeignOrigin, "cross-site"))).StatusCode);

        var trustedBrowser = trusted.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        Assert.Equal(HttpStatusCode.Redirect, (await PortalFactory.PostLoginAsync(trustedBrowser, a.Member(OrgRoles.OrgAdmin).Email!, Builders.Password)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await trustedBrowser.SendAsync(InviteRequest(a.Id, "https://tools.example.org", "cross-site"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await trustedBrowser.SendAsync(InviteRequest(a.Id, ForeignOrigin, "cross-site"))).StatusCode);
        Assert.Equal(2, await InviteCountAsync(db));
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData(null)]
    public async Task JsonEndpoint_BodyOfAnotherContentType_Is415AndChangesNothing(string? contentType)
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db);
        var bot = WithToken(app, (await CreateTokenAsync(await app.SignInAsync(a.Member(OrgRoles.OrgAdmin).Email!), "bot")).Token);
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes("{\"roles\": [\"annotator\"], \"expiresInHours\": 24}"));
        if (contentType is not null)
        {
            content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }

        var response = await bot.PostAsync($"/api/v1/orgs/{a.Id}/invites", content);

        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Equal(0, await InviteCountAsync(db));
        var json = await bot.PostAsync($"/api/v1/orgs/{a.Id}/invites",
            new StringContent("{\"roles\": [\"annotator\"], \"expiresInHours\": 24}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, json.StatusCode);
    }

    [Fact]
    public async Task SignInCookie_OverHttps_IsAHostPrefixedSecureCookie_AndPlainOnHttp()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db);
        var email = a.Member(OrgRoles.Annotator).Email!;

        var https = app.CreateClient(new WebApplicationFactoryClientOptions
        {
            BaseAddress = new Uri("https://localhost"),
            AllowAutoRedirect = false,
            HandleCookies = true,
        });
        var secure = await PortalFactory.PostLoginAsync(https, email, Builders.Password);
        var secureCookie = Assert.Single(secure.Headers.GetValues("Set-Cookie"), c => c.Contains("portal.auth", StringComparison.Ordinal));
        Assert.StartsWith("__Host-portal.auth=", secureCookie, StringComparison.Ordinal);
        Assert.Contains("secure", secureCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", secureCookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("domain=", secureCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, (await https.GetAsync("/api/v1/me")).StatusCode);
        var form = await app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost") }).GetAsync("/account/login");
        var formCookie = Assert.Single(form.Headers.GetValues("Set-Cookie"), c => c.StartsWith(".AspNetCore.Antiforgery.", StringComparison.Ordinal));
        Assert.Contains("secure", formCookie, StringComparison.OrdinalIgnoreCase);

        var http = app.Anonymous();
        var plain = await PortalFactory.PostLoginAsync(http, email, Builders.Password);
        var plainCookie = Assert.Single(plain.Headers.GetValues("Set-Cookie"), c => c.Contains("portal.auth", StringComparison.Ordinal));
        Assert.StartsWith("portal.auth=", plainCookie, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/v1/me")).StatusCode);
    }

    // Item 4: a token cannot manage tokens.

    [Fact]
    public async Task Token_CannotMintOrRevokeTokens_WhileTheBrowserSignInCan()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db);
        var browser = await app.SignInAsync(a.Member(OrgRoles.Annotator).Email!);
        var parent = await CreateTokenAsync(browser, "parent", days: 1);
        var sibling = await CreateTokenAsync(browser, "sibling");
        var bot = WithToken(app, parent.Token);

        await AssertProblemAsync(await bot.PostAsJsonAsync("/api/v1/me/tokens", new { name = "forever" }), HttpStatusCode.Forbidden);
        await AssertProblemAsync(await bot.DeleteAsync($"/api/v1/me/tokens/{sibling.Id}"), HttpStatusCode.Forbidden);
        await AssertProblemAsync(await bot.DeleteAsync($"/api/v1/me/tokens/{parent.Id}"), HttpStatusCode.Forbidden);

        var rows = (await browser.GetFromJsonAsync<List<TokenRow>>("/api/v1/me/tokens"))!;
        Assert.Equal(["parent", "sibling"], rows.Select(r => r.Name).Order());
        Assert.All(rows, r => Assert.Null(r.RevokedAt));
        Assert.Equal(HttpStatusCode.OK, (await bot.GetAsync("/api/v1/me/tokens")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await browser.DeleteAsync($"/api/v1/me/tokens/{sibling.Id}")).StatusCode);
    }

    // Item 8: account enumeration.

    [Fact]
    public async Task SignIn_UnknownWrongOrLocked_VerifyOneHashEach_AndSayTheSame()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var a = await db.CreateTestTenantAsync("Alpha");
        var hasher = new CountingHasher();
        await using var app = new PortalFactory(db);
        await using var counted = app.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<IPasswordHasher<PortalUser>>(hasher)));
        var locked = a.Member(OrgRoles.Client).Email!;
        var client = counted.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        for (var i = 0; i < 5; i++)
        {
            await PortalFactory.PostLoginAsync(client, locked, "Wrong!Pass2026");
        }

        async Task<(int Hashes, string Message)> AttemptAsync(string email, string password)
        {
            var before = hasher.Verified;
            var response = await PortalFactory.PostLoginAsync(client, email, password);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var message = ErrorPattern().Match(await response.Content.ReadAsStringAsync()).Groups[1].Value.Trim();
            return (hasher.Verified - before, message);
        }

        var unknown = await AttemptAsync("nobody@nowhere.example", "Wrong!Pass2026");
        var wrong = await AttemptAsync(a.Member(OrgRoles.Annotator).Email!, "Wrong!Pass2026");
        var lockedRight = await AttemptAsync(locked, Builders.Password);
        var lockedWrong = await AttemptAsync(locked, "Wrong!Pass2026");

        Assert.Equal((1, 1, 1, 1), (unknown.Hashes, wrong.Hashes, lockedRight.Hashes, lockedWrong.Hashes));
        Assert.Equal(Portal.Web.Features.Account.PortalSignIn.FailedMessage, unknown.Message);
        Assert.All(new[] { wrong.Message, lockedRight.Message, lockedWrong.Message }, m => Assert.Equal(unknown.Message, m));
    }

    // Item 10: rate limits.

    [Fact]
    public async Task Api_OverThePerTokenLimit_Is429ProblemWithRetryAfter_OnlyForThatToken()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db);

        // An hour's window: the test cannot straddle two windows.
        await using var limited = app.WithWebHostBuilder(b => b
            .UseSetting("RateLimits:ApiPerUserOrToken", "3")
            .UseSetting("RateLimits:WindowSeconds", "3600"));
        var browser = limited.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        await PortalFactory.PostLoginAsync(browser, a.Member(OrgRoles.Annotator).Email!, Builders.Password);
        var first = await CreateTokenAsync(browser, "first");
        var second = await CreateTokenAsync(browser, "second");
        var bot = limited.CreateClient();
        bot.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", first.Token);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await bot.GetAsync("/api/v1/me")).StatusCode);
        }

        var refused = await bot.GetAsync("/api/v1/me");
        await AssertProblemAsync(refused, HttpStatusCode.TooManyRequests);
        var retryAfter = refused.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value.TotalSeconds, 1, 3600);

        var other = limited.CreateClient();
        other.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", second.Token);
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task SignIn_OverThePerAccountLimit_Is429_ForUnknownAndRealAddressesAlike()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db);
        await using var limited = app.WithWebHostBuilder(b => b
            .UseSetting("RateLimits:SignInPerAccount", "2")
            .UseSetting("RateLimits:WindowSeconds", "3600"));
        var client = limited.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

        foreach (var email in new[] { a.Member(OrgRoles.Annotator).Email!, "nobody@nowhere.example" })
        {
            for (var i = 0; i < 2; i++)
            {
                Assert.Equal(HttpStatusCode.OK, (await PortalFactory.PostLoginAsync(client, email, "Wrong!Pass2026")).StatusCode);
            }

            var refused = await PortalFactory.PostLoginAsync(client, email, Builders.Password);
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.NotNull(refused.Headers.RetryAfter?.Delta);
            Assert.Contains("Too many sign-ins", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // Another account is not held up by them.
        Assert.Equal(HttpStatusCode.Redirect, (await PortalFactory.PostLoginAsync(client, a.Member(OrgRoles.Client).Email!, Builders.Password)).StatusCode);
    }

    [Fact]
    public async Task SignIn_OverThePerIpLimit_Is429WithRetryAfter()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db);
        await using var limited = app.WithWebHostBuilder(b => b
            .UseSetting("RateLimits:SignInPerIp", "3")
            .UseSetting("RateLimits:WindowSeconds", "3600"));
        var client = limited.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await PortalFactory.PostLoginAsync(client, $"spray{i}@nowhere.example", "Spring2026!x")).StatusCode);
        }

        var refused = await PortalFactory.PostLoginAsync(client, "spray4@nowhere.example", "Spring2026!x");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter?.Delta);
    }

    // Item 11: headers.

    [Fact]
    public async Task Responses_CarryThePolicyHeaders_AndThePagesImportMapHasTheNonce()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db);
        var client = app.Anonymous();

        var page = await client.GetAsync("/account/login");
        var csp = Assert.Single(page.Headers.GetValues("Content-Security-Policy"));
        var nonce = NoncePattern().Match(csp).Groups[1].Value;
        Assert.NotEqual("", nonce);
        Assert.Contains("script-src 'self' 'nonce-", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        // Decoded as a browser reads the attribute: a base64 nonce's '+' is written as &#x2B; in the HTML.
        Assert.Contains($"<script type=\"importmap\" nonce=\"{nonce}\">", System.Net.WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync()),
            StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(page.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("same-origin", Assert.Single(page.Headers.GetValues("Referrer-Policy")));

        var again = Assert.Single((await client.GetAsync("/account/login")).Headers.GetValues("Content-Security-Policy"));
        Assert.NotEqual(nonce, NoncePattern().Match(again).Groups[1].Value);

        var api = await client.GetAsync("/api/v1/me");
        Assert.Equal("default-src 'none'; frame-ancestors 'none'", Assert.Single(api.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("nosniff", Assert.Single(api.Headers.GetValues("X-Content-Type-Options")));
    }

    [Fact]
    public async Task ForwardedHeaders_WhenEnabled_MakeTheRequestHttpsAndTheCookieHostPrefixed()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db);

        // The in-memory test server has no remote address; a real proxy on loopback is believed by default.
        await using var proxied = app.WithWebHostBuilder(b => b
            .UseSetting("Security:ForwardedHeaders:Enabled", "true")
            .ConfigureTestServices(s => s.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter>(new LoopbackRemote())));
        var client = proxied.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        client.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        client.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.7");

        var form = await client.GetAsync("/account/login");
        var html = await form.Content.ReadAsStringAsync();
        var request = new HttpRequestMessage(HttpMethod.Post, "/account/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = PortalFactory.AntiforgeryToken(html),
                ["_handler"] = "login",
                ["Input.Email"] = a.Member(OrgRoles.Annotator).Email!,
                ["Input.Password"] = Builders.Password,
            }),
        };
        request.Headers.Add("Cookie", string.Join("; ", form.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0])));

        var signedIn = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Contains(signedIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith("__Host-portal.auth=", StringComparison.Ordinal) && c.Contains("secure", StringComparison.OrdinalIgnoreCase));
    }

    // Item 2: a busy SQLite database.

    [Fact]
    public async Task BusySqlite_TokenAuthenticationStillServes_AndAWriteIs503WithRetryAfter_NotA500()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db);

        // A one-second busy timeout instead of thirty, so the blocked write gives up quickly.
        await using var impatient = app.WithWebHostBuilder(b => b.UseSetting("ConnectionStrings:Sqlite", db.Options.ConnectionString + ";Default Timeout=1"));
        var browser = impatient.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        await PortalFactory.PostLoginAsync(browser, a.Member(OrgRoles.OrgAdmin).Email!, Builders.Password);
        var created = await CreateTokenAsync(browser, "bot");
        var bot = impatient.CreateClient();
        bot.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", created.Token);
        var dbFactory = impatient.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();

        await using (var holder = new SqliteConnection(db.Options.ConnectionString))
        {
            // What a long import does: hold the single write lock.
            await holder.OpenAsync();
            await using var hold = holder.CreateCommand();
            hold.CommandText = "BEGIN IMMEDIATE";
            await hold.ExecuteNonQueryAsync();

            Assert.Equal(HttpStatusCode.OK, (await bot.GetAsync("/api/v1/me")).StatusCode);

            var write = await bot.PostAsJsonAsync($"/api/v1/orgs/{a.Id}/invites", new { roles = new[] { "annotator" }, expiresInHours = 24 });
            await AssertProblemAsync(write, HttpStatusCode.ServiceUnavailable);
            Assert.NotNull(write.Headers.RetryAfter?.Delta);

            // The token's last use is noted in memory; writing it now fails and keeps it for the next flush.
            var usage = impatient.Services.GetRequiredService<TokenUsage>();
            Assert.NotNull(usage.Pending(created.Id));
            var busy = await Assert.ThrowsAsync<SqliteException>(() => usage.FlushAsync(dbFactory));
            Assert.Equal(5, busy.SqliteErrorCode);
            Assert.NotNull(usage.Pending(created.Id));

            hold.CommandText = "ROLLBACK";
            await hold.ExecuteNonQueryAsync();
        }

        var flushUsage = impatient.Services.GetRequiredService<TokenUsage>();
        Assert.Equal(1, await flushUsage.FlushAsync(dbFactory));
        Assert.Null(flushUsage.Pending(created.Id));
        await using var ctx = db.Factory.CreateSystem();
        Assert.NotNull((await ctx.ApiTokens.SingleAsync(t => t.Id == created.Id)).LastUsedAt);
        Assert.Equal(0, await InviteCountAsync(db));
    }

    private sealed record ProblemBody(string? Title, string? Detail, int? Status);

    private sealed class CountingHasher : PasswordHasher<PortalUser>
    {
        private int _verified;

        public int Verified => Volatile.Read(ref _verified);

        public override PasswordVerificationResult VerifyHashedPassword(PortalUser user, string hashedPassword, string providedPassword)
        {
            Interlocked.Increment(ref _verified);
            return base.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }

    /// <summary>Gives in-memory test requests a loopback remote address, as a proxy on the same machine has.</summary>
    private sealed class LoopbackRemote : Microsoft.AspNetCore.Hosting.IStartupFilter
    {
        public Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> Configure(Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Connection.RemoteIpAddress = IPAddress.Loopback;
                return nextMiddleware(context);
            });
            next(app);
        };
    }

    [GeneratedRegex("data-testid=\"login-error\"[^>]*>(?:\\s*<[^>]+>)*\\s*([^<\\s][^<]*)")]
    private static partial Regex ErrorPattern();

    [GeneratedRegex("'nonce-([^']+)'")]
    private static partial Regex NoncePattern();
}
