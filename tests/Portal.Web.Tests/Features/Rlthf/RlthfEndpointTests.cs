using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Portal.App.Data;
using Portal.TestSupport;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Rlthf;

public class RlthfEndpointTests
{
    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task StartRound_ThroughTheApi_RunsTheJobAndTheRoundPageShowsTheCurve(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var a = await db.CreateTestTenantAsync("Alpha");
        var project = await db.CreateLoopProjectAsync(a.Id, pairs: 200, aiError: 0.25);
        await using var app = new PortalFactory(db, jobs: true);
        var admin = await app.SignInAsync(a.Member(OrgRoles.ProjectAdmin).Email!);
        var loopUrl = $"/api/v1/orgs/{a.Id}/projects/{project.Project.Id}/rlthf";

        using (var loop = JsonDocument.Parse(await admin.GetStringAsync(loopUrl)))
        {
            Assert.Equal((200, 200, 0), (loop.RootElement.GetProperty("pairs").GetInt32(), loop.RootElement.GetProperty("aiLabels").GetInt32(), loop.RootElement.GetProperty("humanLabels").GetInt32()));
            Assert.Equal(JsonValueKind.Null, loop.RootElement.GetProperty("canStart").ValueKind);
        }

        var bad = await admin.PostAsJsonAsync(loopUrl + "/rounds", new { budget = "a few" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using (var problem = JsonDocument.Parse(await bad.Content.ReadAsStringAsync()))
        {
            Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty("budget", out _));
        }

        var started = await admin.PostAsJsonAsync(loopUrl + "/rounds", new { budget = "5%", strategy = "rlthf" });
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var roundUrl = started.Headers.Location!.OriginalString;
        Assert.EndsWith("/rlthf/rounds/1", roundUrl);

        // One round at a time.
        var second = await admin.PostAsJsonAsync(loopUrl + "/rounds", new { budget = "5%" });
        Assert.Equal(HttpStatusCode.BadRequest, second.StatusCode);

        // The round's job first: the round leaves Planning before its job has written its last progress, so the round is
        // read once the run has finished.
        using (var planning = JsonDocument.Parse(await admin.GetStringAsync(roundUrl)))
        {
            var run = await PortalFactory.WaitForRunAsync(admin, $"/api/v1/orgs/{a.Id}/jobs/runs/{planning.RootElement.GetProperty("jobRunId").GetGuid()}");
            Assert.Equal("Succeeded", run.Status);
        }

        var round = await admin.GetFromJsonAsync<JsonElement>(roundUrl);
        Assert.Equal("AwaitingHumans", round.GetProperty("status").GetString());
        Assert.Equal((10, 10, 200), (round.GetProperty("budget").GetInt32(), round.GetProperty("selected").GetInt32(), round.GetProperty("pairs").GetInt32()));
        Assert.Equal(100, round.GetProperty("jobProgress").GetInt32());
        Assert.True(round.GetProperty("curve").GetArrayLength() > 10);

        var items = await admin.GetFromJsonAsync<JsonElement>(roundUrl + "/items");
        Assert.Equal(10, items.GetArrayLength());
        Assert.Equal(0, items[0].GetProperty("rank").GetInt32());
        Assert.All(items.EnumerateArray(), i => Assert.Contains(project.Items, x => x.Id == i.GetProperty("itemId").GetGuid()));

        var page = await admin.GetStringAsync($"/orgs/{a.Id}/projects/{project.Project.Id}/rlthf");
        Assert.Contains("data-testid=\"margin-curve\"", page);
        Assert.Contains("data-testid=\"rounds-chart\"", page);
        Assert.Contains("waiting for humans", page);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync(roundUrl + "/close", null)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsync(roundUrl + "/close", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync(loopUrl + "/rounds/7")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/v1/orgs/{a.Id}/projects/{Guid.NewGuid()}/rlthf")).StatusCode);
    }
}
