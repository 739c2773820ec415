using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features;
using Portal.App.Jobs;
using Portal.TestSupport;

namespace Portal.App.Tests.Jobs;

public class JobLauncherTests
{
    private static (JobLauncher Launcher, RecordingScheduling Scheduling) Launcher(TestDatabase db)
    {
        var scheduling = new RecordingScheduling();
        return (new JobLauncher(db.Factory, scheduling, TimeProvider.System, new JobProgressBoard()), scheduling);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task StartForProject_RunsOfOneProject_AreListedForItOnlyAndNeverForAnotherOrganisation(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var alpha = await db.CreateTestTenantAsync("Alpha");
        var beta = await db.CreateTestTenantAsync("Beta");
        var (second, _) = await db.CreateTestProjectAsync(alpha.Id, "Second project");
        var (launcher, scheduling) = Launcher(db);

        var first = await launcher.StartForProjectAsync(JobRegistry.ImportItems, alpha.Id, alpha.Project.Id, null);
        var other = await launcher.StartForProjectAsync(JobRegistry.RecomputeQuality, alpha.Id, second.Id, null);
        var orgWide = await launcher.StartAsync(JobRegistry.ExpireLeases, alpha.Id, null);
        var betas = await launcher.StartForProjectAsync(JobRegistry.ImportItems, beta.Id, beta.Project.Id, null);

        Assert.Equal([first], (await launcher.ListAsync(alpha.Id, alpha.Project.Id)).Select(r => r.Id));
        Assert.Equal([other], (await launcher.ListAsync(alpha.Id, second.Id)).Select(r => r.Id));
        Assert.Equal(alpha.Project.Id, (await launcher.GetAsync(alpha.Id, first))!.ProjectId);
        Assert.Equal(new[] { first, other, orgWide }.Order(), (await launcher.ListAsync(alpha.Id)).Select(r => r.Id).Order());

        // Another organisation's project, asked for under this organisation, and this organisation's under the other: nothing.
        Assert.Empty(await launcher.ListAsync(alpha.Id, beta.Project.Id));
        Assert.Empty(await launcher.ListAsync(beta.Id, alpha.Project.Id));
        Assert.Equal([betas], (await launcher.ListAsync(beta.Id)).Select(r => r.Id));
        Assert.Equal(4, scheduling.Triggered.Count);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Page_MoreRunsThanAPage_ReadsOnePageNewestFirstWithTheTotal(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var alpha = await db.CreateTestTenantAsync("Alpha");
        await db.AddJobRunsAsync(alpha.Id, alpha.Project.Id, 23);
        await db.AddJobRunsAsync(alpha.Id, null, 4, "expire-leases");
        var (launcher, _) = Launcher(db);

        var page2 = await launcher.PageAsync(alpha.Id, alpha.Project.Id, new ListQuery(Skip: 10, Take: 10));
        var last = await launcher.PageAsync(alpha.Id, alpha.Project.Id, new ListQuery(Skip: 20, Take: 10));
        var oldestFirst = await launcher.PageAsync(alpha.Id, alpha.Project.Id, new ListQuery(Take: 3, SortBy: nameof(JobRunView.QueuedAt)));

        Assert.Equal(23, page2.Total);
        Assert.Equal(Enumerable.Range(4, 10).Reverse().Select(n => $"import-items run {n:00}"), page2.Items.Select(r => r.Message));
        Assert.Equal(["import-items run 03", "import-items run 02", "import-items run 01"], last.Items.Select(r => r.Message));
        Assert.Equal(["import-items run 01", "import-items run 02", "import-items run 03"], oldestFirst.Items.Select(r => r.Message));
        Assert.Equal(27, (await launcher.PageAsync(alpha.Id, null, new ListQuery())).Total);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Page_Search_MatchesJobMessageOrErrorIgnoringCase(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var alpha = await db.CreateTestTenantAsync("Alpha");
        await db.AddJobRunsAsync(alpha.Id, alpha.Project.Id, 12);
        await db.AddJobRunsAsync(alpha.Id, alpha.Project.Id, 2, "cut-release");
        await using (var ctx = db.Factory.CreateSystem())
        {
            await ctx.JobRuns.IgnoreQueryFilters().Where(r => r.Message == "import-items run 07")
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Error, "bad.jsonl line 3: no \"prompt\"").SetProperty(r => r.Status, RunStatus.Failed));
        }

        var (launcher, _) = Launcher(db);

        var byJob = await launcher.PageAsync(alpha.Id, alpha.Project.Id, new ListQuery(Search: "CUT-release"));
        var byError = await launcher.PageAsync(alpha.Id, alpha.Project.Id, new ListQuery(Search: " BAD.JSONL "));
        var byMessage = await launcher.PageAsync(alpha.Id, alpha.Project.Id, new ListQuery(Search: "run 1"));

        Assert.Equal(2, byJob.Total);
        Assert.All(byJob.Items, r => Assert.Equal("cut-release", r.JobName));
        Assert.Equal("import-items run 07", Assert.Single(byError.Items).Message);
        Assert.Equal(["import-items run 12", "import-items run 11", "import-items run 10"], byMessage.Items.Select(r => r.Message));
    }
}
