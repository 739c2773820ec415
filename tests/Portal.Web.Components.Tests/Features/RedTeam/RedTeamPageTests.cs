using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features.RedTeam;
using Portal.TestSupport;
using Portal.Web.Components.Tests.Features.Releases;
using Portal.Web.Features.Projects;
using Portal.Web.Features.RedTeam;

namespace Portal.Web.Components.Tests.Features.RedTeam;

public class RedTeamPageTests : PortalComponentTest
{
    public RedTeamPageTests()
    {
        ComponentFactories.AddStub<ProjectNav>();
    }

    /// <summary>
    /// A run of two categories × two attacks: violence scored 9 (a pair) and 2, fraud 7 (a pair) and one failed call; the
    /// attacker read 100 tokens and wrote 40.
    /// </summary>
    private static async Task<Guid> SeedRunAsync(TestDatabase db, TestTenant tenant, RedTeamRunStatus status)
    {
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        var run = new RedTeamRun
        {
            ProjectId = tenant.Project.Id,
            Status = status,
            CategoriesJson = """["violence","fraud"]""",
            AttacksPerCategory = 2,
            HarmThreshold = 5,
            EndpointsJson = JsonSerializer.Serialize(RedTeamRoles.All.Select(r => new { role = r, baseUrl = "https://llm.example.test/v1", model = r + "-1", apiKeyProtected = (string?)null, maxRequestsPerMinute = 60, maxRetries = 2 })),
            UsageJson = JsonSerializer.Serialize(new[]
            {
                new RedTeamUsage("attacker", 4, 0, 100, 40), new RedTeamUsage("target", 4, 1, 80, 30),
                new RedTeamUsage("judge", 3, 0, 90, 9), new RedTeamUsage("rewriter", 2, 0, 60, 50),
            }, JsonSerializerOptions.Web),
            Attempted = 3,
            Harmful = 2,
            Failed = 1,
            CreatedAt = DateTime.UtcNow,
        };
        ctx.RedTeamRuns.Add(run);
        var number = 0;
        foreach (var (category, score) in new (string, int?)[] { ("violence", 9), ("violence", 2), ("fraud", 7), ("fraud", null) })
        {
            Item? item = score >= 5
                ? new Item { ProjectId = tenant.Project.Id, ExternalId = $"redteam-{number}", ConversationJson = "[]", ResponseA = "safe", ResponseB = "harmful", Overlap = 0, CreatedAt = DateTime.UtcNow }
                : null;
            if (item is not null)
            {
                ctx.Items.Add(item);
            }

            ctx.RedTeamAttacks.Add(new RedTeamAttack
            {
                ProjectId = tenant.Project.Id,
                RunId = run.Id,
                Number = number++,
                Category = category,
                Topic = category,
                HarmScore = score,
                Harmful = score >= 5,
                ItemId = item?.Id,
                FailedRole = score is null ? "target" : null,
                Error = score is null ? "HTTP 500" : null,
                CreatedAt = DateTime.UtcNow,
            });
        }

        await ctx.SaveChangesAsync();
        return run.Id;
    }

    private async Task<(TestDatabase Db, TestTenant Tenant, IRenderedComponent<MudProviders> Providers, IRenderedComponent<RedTeamPage> Cut, Guid? RunId)> RenderPageAsync(
        RedTeamRunStatus? seeded = null)
    {
        var db = await UseDatabaseAsync();
        var tenant = await db.CreateTestTenantAsync("Acme");
        Guid? runId = seeded is { } status ? await SeedRunAsync(db, tenant, status) : null;
        SignIn("admin", tenant.Member(OrgRoles.ProjectAdmin).Id);
        var providers = RenderProviders();
        var cut = Render<RedTeamPage>(p => p.Add(x => x.OrgId, tenant.Id).Add(x => x.ProjectId, tenant.Project.Id));
        cut.WaitForElement("[data-testid=red-team-title]");
        return (db, tenant, providers, cut, runId);
    }

    [Fact]
    public async Task Start_WithoutEndpoints_ShowsEachProblemAndStartsNothing()
    {
        var (db, tenant, _, cut, _) = await RenderPageAsync();
        Assert.Contains("No red-team run yet", cut.Find("[data-testid=red-team-no-runs]").TextContent, StringComparison.Ordinal);

        cut.Find("[data-testid=red-team-start]").Click();

        cut.WaitForAssertion(() => Assert.Contains("Nothing was started", cut.Find("[data-testid=red-team-problems]").TextContent, StringComparison.Ordinal));
        Assert.Contains("The attacker's base URL is an absolute http(s) URL",
            cut.Find("[data-testid=red-team-attacker-url]").Closest(".mud-input-control")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("The judge's model name is 1 to 200 characters.",
            cut.Find("[data-testid=red-team-judge-model]").Closest(".mud-input-control")!.TextContent, StringComparison.Ordinal);
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        Assert.Equal(0, await ctx.RedTeamRuns.CountAsync());
    }

    [Fact]
    public async Task RunningRun_ShowsProgressCostsAndReport_AndStopAsksItToStop()
    {
        var (db, tenant, _, cut, runId) = await RenderPageAsync(RedTeamRunStatus.Running);

        Assert.Equal("Running", cut.Find("[data-testid=red-team-status]").TextContent.Trim());
        Assert.Contains("4 of 4 attacks · 2 harmful (pairs made) · 1 failed", cut.Find("[data-testid=red-team-progress]").TextContent, StringComparison.Ordinal);
        var costs = cut.Find("[data-testid=red-team-costs]").QuerySelectorAll("tbody tr");
        Assert.Equal(["attacker", "attacker-1", "4", "0", "100", "40"], costs[0].QuerySelectorAll("td").Select(td => td.TextContent.Trim()));
        Assert.Equal(["All", "", "13", "1", "330", "129"], costs[4].QuerySelectorAll("td").Select(td => td.TextContent.Trim()));
        var report = cut.Find("[data-testid=red-team-report]").QuerySelectorAll("tbody tr");
        // violence: 1 harmful of 2 judged, mean (9 + 2) / 2; fraud: 1 of 1, mean 7, one failure.
        Assert.Equal(["violence", "2", "50% (1/2)", "5.5", "0", "0", "0", "—"], report[0].QuerySelectorAll("td").Select(td => td.TextContent.Trim()));
        Assert.Equal(["fraud", "2", "100% (1/1)", "7.0", "1", "0", "0", "—"], report[1].QuerySelectorAll("td").Select(td => td.TextContent.Trim()));
        Assert.NotNull(cut.Find("[data-testid=red-team-chart] svg"));

        cut.Find("[data-testid=red-team-stop]").Click();

        cut.WaitForAssertion(() => Assert.Contains("Stopping", cut.Find("[data-testid=red-team-stop]").TextContent, StringComparison.Ordinal));
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        Assert.NotNull((await ctx.RedTeamRuns.SingleAsync(r => r.Id == runId)).StopRequestedAt);
    }

    [Fact]
    public async Task FinishedRun_SendToHumans_SendsOnePairPerCategoryAndTheReportCountsThem()
    {
        var (db, tenant, providers, cut, _) = await RenderPageAsync(RedTeamRunStatus.Succeeded);
        Assert.Empty(cut.FindAll("[data-testid=red-team-stop]"));

        // The default: 20% of each category's pairs, at least one.
        cut.Find("[data-testid=red-team-sample]").Click();

        providers.WaitForAssertion(() => Assert.Contains("2 pair(s) sent to the annotators.", providers.Markup, StringComparison.Ordinal));
        cut.WaitForAssertion(() => Assert.Equal("1", cut.Find("[data-testid=red-team-report]").QuerySelectorAll("tbody tr")[0].QuerySelectorAll("td")[5].TextContent.Trim()));
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        Assert.Equal(2, await ctx.Items.CountAsync(i => i.ExternalId!.StartsWith("redteam-") && i.Overlap == null));
    }
}
