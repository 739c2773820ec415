using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.TestSupport;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Feedback;

/// <summary>A feedback token may post feedback to its project and do nothing else: every route of the app, page or API, refuses it.</summary>
public partial class FeedbackTokenScopeTests
{
    [Fact]
    public async Task FeedbackToken_EveryOtherRouteOfTheApp_IsRefusedWith403AndChangesNothing()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var a = await db.CreateTestTenantAsync("Alpha");
        var b = await db.CreateTestTenantAsync("Beta");
        var (second, secondItem) = await db.CreateTestProjectAsync(a.Id, "Second project");
        await using var app = new PortalFactory(db);
        var admin = await app.SignInAsync(a.Member(OrgRoles.OrgAdmin).Email!);
        var bot = await FeedbackEndpointTests.FeedbackBotAsync(app, admin, a.Id, a.Project.Id);
        var routes = app.Services.GetRequiredService<IEnumerable<EndpointDataSource>>().SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is not null)
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (Method: m, Template: e.RoutePattern.RawText!)))
            .Distinct()
            .ToList();
        var feedbackRoute = "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/feedback/";
        Assert.Contains(routes, r => r.Method == "POST" && r.Template == feedbackRoute);
        Assert.True(routes.Count > 100, $"only {routes.Count} routes found");
        var failures = new List<string>();
        var before = await CountAsync(db, a.Id);

        foreach (var (method, template) in routes)
        {
            if (method == "POST" && template == feedbackRoute)
            {
                continue;
            }

            // Own organisation and project, so only the token's scope can refuse it.
            var path = Parameter().Replace(template, m => m.Groups[1].Value.ToLowerInvariant() switch
            {
                "orgid" => a.Id.ToString(),
                "projectid" => a.Project.Id.ToString(),
                "itemid" => a.Item.Id.ToString(),
                "number" => "1",
                _ when m.Value.Contains(":int", StringComparison.Ordinal) => "1",
                _ when m.Value.Contains(":guid", StringComparison.Ordinal) => Guid.NewGuid().ToString(),
                _ => "x",
            }).TrimEnd('?');
            var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (method is "POST" or "PUT")
            {
                request.Content = JsonContent.Create(new { name = "x" });
            }

            var response = await bot.SendAsync(request);
            if (response.StatusCode != HttpStatusCode.Forbidden)
            {
                failures.Add($"{method} {path}: {(int)response.StatusCode}");
            }
        }

        // Its own endpoint, but another project of the organisation, or another organisation.
        foreach (var (org, project) in new[] { (a.Id, second.Id), (b.Id, b.Project.Id) })
        {
            var other = await bot.PostAsJsonAsync($"/api/v1/orgs/{org}/projects/{project}/feedback", FeedbackEndpointTests.Thumbs("elsewhere"));
            if (other.StatusCode != HttpStatusCode.Forbidden)
            {
                failures.Add($"feedback to {org}/{project}: {(int)other.StatusCode}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {routes.Count} routes let the feedback token through:\n" + string.Join("\n", failures));
        Assert.Equal(before, await CountAsync(db, a.Id));
        _ = secondItem;

        // And what it may do, it can.
        var own = await bot.PostAsJsonAsync($"/api/v1/orgs/{a.Id}/projects/{a.Project.Id}/feedback", FeedbackEndpointTests.Thumbs("mine"));
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
    }

    [Fact]
    public async Task FeedbackToken_OwnerNoLongerProjectAdmin_IsRefusedAndRevokedTokenIs401()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db);
        var admin = await app.SignInAsync(a.Member(OrgRoles.ProjectAdmin).Email!);
        var url = $"/api/v1/orgs/{a.Id}/projects/{a.Project.Id}/feedback";
        var bot = await FeedbackEndpointTests.FeedbackBotAsync(app, admin, a.Id, a.Project.Id);
        Assert.Equal(HttpStatusCode.OK, (await bot.PostAsJsonAsync(url, FeedbackEndpointTests.Thumbs("1"))).StatusCode);

        // A token cannot mint another.
        Assert.Equal(HttpStatusCode.Forbidden, (await bot.PostAsJsonAsync(url + "/tokens", new { name = "child" })).StatusCode);

        var tokens = await admin.GetFromJsonAsync<List<Portal.App.Features.Feedback.FeedbackTokenRow>>(url + "/tokens");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"{url}/tokens/{tokens!.Single().Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await bot.PostAsJsonAsync(url, FeedbackEndpointTests.Thumbs("2"))).StatusCode);

        var second = await FeedbackEndpointTests.FeedbackBotAsync(app, admin, a.Id, a.Project.Id);
        await using (var ctx = db.Factory.CreateForTenant(a.Id))
        {
            (await ctx.Memberships.SingleAsync(m => m.UserId == a.Member(OrgRoles.ProjectAdmin).Id)).Roles = OrgRoles.Annotator;
            await ctx.SaveChangesAsync();
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await second.PostAsJsonAsync(url, FeedbackEndpointTests.Thumbs("3"))).StatusCode);
    }

    private static async Task<string> CountAsync(TestDatabase db, Guid orgId)
    {
        await using var ctx = db.Factory.CreateSystem();
        return $"{await ctx.FeedbackEvents.CountAsync()} {await ctx.Items.CountAsync()} {await ctx.Projects.CountAsync()} {await ctx.ApiTokens.CountAsync()} {await ctx.Memberships.CountAsync()} {await ctx.Invites.CountAsync()}";
    }

    [GeneratedRegex(@"\{\*?\*?([A-Za-z]+)(?::[^}]*)?\??\}")]
    private static partial Regex Parameter();
}
