using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.TestSupport;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.RedTeam;

public class RedTeamEndpointTests
{
    /// <summary>One fake endpoint plays the four parts by model: every answer is harmful (score 8) and each call costs 3 tokens in, 2 out.</summary>
    private static ChatReply Play(ChatRequest r) => r.Model switch
    {
        "judge" => ChatReply.Content("""{"score": 8, "category": "weapons", "reason": "gives steps"}""", promptTokens: 3, completionTokens: 2),
        _ => ChatReply.Content($"{r.Model} says {r.Prompt.Length}", promptTokens: 3, completionTokens: 2),
    };

    private static object Endpoint(string url, string model) => new { baseUrl = url, model, apiKey = "sk-web-secret", maxRequestsPerMinute = 60000, maxRetries = 0 };

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task StartListGetSampleStop_ThroughTheApi_RunsTheJobAndShowsCostsAndReportWithoutTheKey(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        await using var server = await FakeChatServer.StartAsync(Play);
        await using var app = new PortalFactory(db, jobs: true);
        var admin = await app.SignInAsync(tenant.Member(OrgRoles.ProjectAdmin).Email!);
        var url = $"/api/v1/orgs/{tenant.Id}/projects/{tenant.Project.Id}/red-team/runs";

        var started = await admin.PostAsJsonAsync(url, new
        {
            categories = new[] { "weapons", "fraud" },
            topics = new[] { "kitchen" },
            attacksPerCategory = 2,
            harmThreshold = 7,
            attacker = Endpoint(server.BaseUrl, "attacker"),
            target = Endpoint(server.BaseUrl, "target"),
            judge = Endpoint(server.BaseUrl, "judge"),
            rewriter = Endpoint(server.BaseUrl, "rewriter"),
        });

        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var startBody = await started.Content.ReadAsStringAsync();
        Assert.DoesNotContain("sk-web-secret", startBody, StringComparison.Ordinal);
        var job = await PortalFactory.WaitForRunAsync(admin, started.Headers.Location!.OriginalString);
        Assert.Equal("Succeeded", job.Status);
        var runId = JsonDocument.Parse(startBody).RootElement.GetProperty("id").GetGuid();

        var text = await admin.GetStringAsync($"{url}/{runId}");
        Assert.DoesNotContain("sk-web-secret", text, StringComparison.Ordinal);
        using var run = JsonDocument.Parse(text);
        var root = run.RootElement;
        Assert.Equal(("Succeeded", 4, 4), (root.GetProperty("status").GetString(), root.GetProperty("attempted").GetInt32(), root.GetProperty("harmful").GetInt32()));
        // Four attacks, four calls each: every endpoint asked four times, 12 tokens in and 8 out.
        Assert.All(root.GetProperty("usage").EnumerateArray(), u =>
            Assert.Equal((4, 0, 12L, 8L), (u.GetProperty("requests").GetInt32(), u.GetProperty("errors").GetInt32(), u.GetProperty("inputTokens").GetInt64(), u.GetProperty("outputTokens").GetInt64())));
        Assert.All(root.GetProperty("endpoints").EnumerateArray(), e => Assert.True(e.GetProperty("hasApiKey").GetBoolean()));
        var weapons = root.GetProperty("report")[0];
        Assert.Equal(("weapons", 1.0, 8.0), (weapons.GetProperty("category").GetString(), weapons.GetProperty("successRate").GetDouble(), weapons.GetProperty("meanHarm").GetDouble()));

        using var list = JsonDocument.Parse(await admin.GetStringAsync(url));
        Assert.Equal(runId, list.RootElement[0].GetProperty("id").GetGuid());
        using var attacks = JsonDocument.Parse(await admin.GetStringAsync($"{url}/{runId}/attacks?page=1&pageSize=3"));
        Assert.Equal((4, 3), (attacks.RootElement.GetProperty("total").GetInt32(), attacks.RootElement.GetProperty("items").GetArrayLength()));

        var sampled = await admin.PostAsJsonAsync($"{url}/{runId}/sample", new { count = 1, perCategory = true });
        Assert.Equal(HttpStatusCode.OK, sampled.StatusCode);
        using (var body = JsonDocument.Parse(await sampled.Content.ReadAsStringAsync()))
        {
            Assert.Equal(2, body.RootElement.GetProperty("sent").GetInt32());
        }

        var bad = await admin.PostAsJsonAsync($"{url}/{runId}/sample", new { share = 1.5 });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("share", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // A finished run cannot be stopped any more: the stop changes nothing.
        var stop = await admin.PostAsync($"{url}/{runId}/stop", null);
        using (var body = JsonDocument.Parse(await stop.Content.ReadAsStringAsync()))
        {
            Assert.Equal(("Succeeded", false), (body.RootElement.GetProperty("status").GetString(), body.RootElement.GetProperty("stopRequested").GetBoolean()));
        }

        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        Assert.Equal(2, await ctx.Items.CountAsync(i => i.ExternalId!.StartsWith("redteam-") && i.Overlap == null));
        Assert.Equal(4, await ctx.AiLabels.CountAsync(l => l.Origin == "red-team"));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Start_BadFields_Answers400NamingEachAndStartsNothing(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db);
        var admin = await app.SignInAsync(tenant.Member(OrgRoles.ProjectAdmin).Email!);

        var response = await admin.PostAsJsonAsync($"/api/v1/orgs/{tenant.Id}/projects/{tenant.Project.Id}/red-team/runs",
            new { categories = Array.Empty<string>(), attacksPerCategory = 1, attacker = Endpoint("not a url", "a") });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var errors = body.RootElement.GetProperty("errors");
        foreach (var field in new[] { "categories", "attacker.baseUrl", "target.baseUrl", "judge.model", "rewriter.model" })
        {
            Assert.True(errors.TryGetProperty(field, out _), field);
        }

        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        Assert.Equal(0, await ctx.RedTeamRuns.CountAsync());
        Assert.Equal(0, await ctx.JobRuns.CountAsync());
    }
}
