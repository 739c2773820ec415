using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features.Quality;
using Portal.App.Features.Rlthf;
using Portal.App.Jobs;
using Portal.Core.Rlthf;
using Portal.TestSupport;
using Xunit.Abstractions;

namespace Portal.App.Tests.Jobs;

/// <summary>Portal job nodes as separate processes over one database: sharing work, killed in the middle of a job, serving one queue.</summary>
public partial class HangfireClusterTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Start = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Cluster_TwoNodesOnOnePostgres_Run200JobsEachExactlyOnce()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Postgres);
        using var b = JobNode.Start(db, "node-b");
        await b.WaitForLineAsync("node started", Start);
        using var a = JobNode.Start(db, "node-a", null, "--numbered=200");
        await a.WaitForLineAsync("enqueued", Start);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        List<(int Number, string Node)> ran;
        do
        {
            await Task.Delay(200);
            ran = [.. a.Lines.Concat(b.Lines).Select(l => RanLine().Match(l)).Where(m => m.Success)
                .Select(m => (int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), m.Groups[2].Value))];
        }
        while (ran.Select(r => r.Number).Distinct().Count() < 200 && DateTime.UtcNow < deadline);

        // A run a moment later would show a job run twice.
        await Task.Delay(TimeSpan.FromSeconds(3));
        ran = [.. a.Lines.Concat(b.Lines).Select(l => RanLine().Match(l)).Where(m => m.Success)
            .Select(m => (int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), m.Groups[2].Value))];
        var byNode = ran.GroupBy(r => r.Node).ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine($"node-a ran {byNode.GetValueOrDefault("node-a")}, node-b ran {byNode.GetValueOrDefault("node-b")}");

        Assert.Equal(Enumerable.Range(0, 200), ran.Select(r => r.Number).Order());
        Assert.True(byNode.GetValueOrDefault("node-a") > 0 && byNode.GetValueOrDefault("node-b") > 0, "one node ran every job");
    }

    [Fact]
    public async Task ImportJob_NodeKilledMidImport_AnotherNodeImportsOnceAndNothingPartialIsLeft()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Postgres);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        const int Lines = 30_000;
        var upload = Path.Combine(Path.GetTempPath(), "portal-tests", "uploads", $"{Guid.NewGuid():N}-kill.jsonl");
        Directory.CreateDirectory(Path.GetDirectoryName(upload)!);
        await File.WriteAllLinesAsync(upload, Enumerable.Range(1, Lines)
            .Select(i => $"{{\"prompt\": \"Question {i}\", \"chosen\": \"good {i}\", \"rejected\": \"bad {i}\"}}"));
        var before = await ItemCountAsync(db, tenant);

        using var a = JobNode.Start(db, "node-a");
        await a.WaitForLineAsync("node started", Start);
        var runId = await db.HangfireLauncher().StartAsync(JobRegistry.ImportItems, tenant.Id, null, new Dictionary<string, string>
        {
            [ImportItemsJob.ProjectIdKey] = tenant.Project.Id.ToString(),
            [ImportItemsJob.PathKey] = upload,
            [ImportItemsJob.FileNameKey] = "kill.jsonl",
        });
        var mid = await JobNode.WaitForRunAsync(db, runId, r => r.Status != RunStatus.Queued && r.Progress >= 5, Start);
        await a.KillAsync();
        var clock = Stopwatch.StartNew();

        // Killed with its transaction open: nothing of the import is in the database.
        Assert.Equal((RunStatus.Running, "node-a"), (mid.Status, mid.Node));
        Assert.InRange(mid.Progress, 5, 94);
        Assert.Equal(before, await ItemCountAsync(db, tenant));

        using var b = JobNode.Start(db, "node-b");
        var done = await JobNode.WaitForRunAsync(db, runId, r => r.Status is RunStatus.Succeeded or RunStatus.Failed, Start);
        output.WriteLine($"killed at {mid.Progress}%; node-b finished the import {clock.Elapsed.TotalSeconds:F1} s after the kill");

        Assert.Equal((RunStatus.Succeeded, "node-b", $"Imported {Lines} item(s)."), (done.Status, done.Node, done.Message));
        Assert.Equal(before + Lines, await ItemCountAsync(db, tenant));
        for (var i = 0; i < 100 && File.Exists(upload); i++)
        {
            await Task.Delay(100); // the run's row says succeeded as the import commits; the upload goes a moment later
        }

        Assert.False(File.Exists(upload), "the upload was not deleted after the import");
    }

    [Fact]
    public async Task RlthfRoundJob_NodeKilledMidRound_RestartedNodePlansTheRoundOnce()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Postgres);
        var tenant = await db.CreateTestTenantAsync("Loop");
        var project = await db.CreateLoopProjectAsync(tenant.Id, pairs: 3000, aiError: 0.25);
        var rlthf = new RlthfService(db.Factory, TimeProvider.System, db.HangfireLauncher(), new QualityService(db.Factory, TimeProvider.System), new LinearRewardTrainer());

        using var a = JobNode.Start(db, "node-a");
        await a.WaitForLineAsync("node started", Start);
        Assert.Equal(1, await rlthf.StartAsync(tenant.Id, project.Project.Id, null, new StartRoundInput("10%")));
        var runId = await RunOfRoundAsync(db, tenant);
        var mid = await JobNode.WaitForRunAsync(db, runId, r => r.Status != RunStatus.Queued && r.Progress >= 5, Start);
        await a.KillAsync();
        var clock = Stopwatch.StartNew();

        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            var round = await ctx.RlthfRounds.AsNoTracking().SingleAsync();
            output.WriteLine($"killed at {mid.Progress}% with the round {round.Status}");
            Assert.Equal((RunStatus.Running, RoundStatus.Planning), (mid.Status, round.Status));
            Assert.Equal(0, await ctx.RlthfRoundItems.CountAsync());
            Assert.Equal(0, await ctx.Items.CountAsync(i => i.Overlap != null));
            Assert.Equal(0, await ctx.RewardModels.CountAsync());
        }

        using var restarted = JobNode.Start(db, "node-a");
        var done = await JobNode.WaitForRunAsync(db, runId, r => r.Status is RunStatus.Succeeded or RunStatus.Failed, Start);
        output.WriteLine($"the restarted node finished the round {clock.Elapsed.TotalSeconds:F1} s after the kill");

        Assert.Equal(RunStatus.Succeeded, done.Status);
        var planned = (await rlthf.RoundAsync(tenant.Id, project.Project.Id, 1))!;
        Assert.Equal((RoundStatus.AwaitingHumans, 300), (planned.Status, planned.Selected));
        await using var check = db.Factory.CreateForTenant(tenant.Id);
        Assert.Equal(300, await check.RlthfRoundItems.CountAsync(r => r.Role == RoundItemRole.Selected));
        Assert.Equal(300, await check.Items.CountAsync(i => i.Overlap == 1));
        Assert.Equal(1, await check.RewardModels.CountAsync());
    }

    /// <remarks>
    /// PostgreSQL only. The test nodes set a 5 s invisibility timeout so a killed node's job comes back quickly; the
    /// SQLite storage has no sliding timeout, so a round that runs longer than that is fetched again and the first run
    /// is cancelled ("The operation was canceled", 2 of 4 runs on a loaded machine). A second process on one SQLite file
    /// is also the configuration the portal warns against. A gpu-only worker over SQLite is covered in one process,
    /// with the default timeout, by the CLI's <c>portal worker</c> tests.
    /// </remarks>
    [Fact]
    public async Task GpuNode_RoundAndLeaseJobsQueued_RunsOnlyTheRound()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Postgres);
        var tenant = await db.CreateTestTenantAsync("Loop");
        var project = await db.CreateLoopProjectAsync(tenant.Id, pairs: 400, aiError: 0.25);
        var launcher = db.HangfireLauncher();
        var rlthf = new RlthfService(db.Factory, TimeProvider.System, launcher, new QualityService(db.Factory, TimeProvider.System), new LinearRewardTrainer());

        using var gpu = JobNode.Start(db, "gpu-1", queues: JobQueues.Gpu);
        await gpu.WaitForLineAsync("node started", Start);
        var leases = await launcher.StartAsync(JobRegistry.ExpireLeases, tenant.Id, null);
        Assert.Equal(1, await rlthf.StartAsync(tenant.Id, project.Project.Id, null, new StartRoundInput("10%")));
        var round = await JobNode.WaitForRunAsync(db, await RunOfRoundAsync(db, tenant), r => r.Status is RunStatus.Succeeded or RunStatus.Failed, Start);

        Assert.True(round.Status == RunStatus.Succeeded, $"The round's run is {round.Status}: {round.Error}");
        Assert.Equal("gpu-1", round.Node);
        Assert.Equal(RunStatus.Queued, (await JobNode.WaitForRunAsync(db, leases, _ => true, TimeSpan.Zero)).Status);
    }

    private static async Task<Guid> RunOfRoundAsync(TestDatabase db, TestTenant tenant)
    {
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        return (await ctx.RlthfRounds.AsNoTracking().SingleAsync()).JobRunId ?? throw new InvalidOperationException("The round has no run.");
    }

    private static async Task<int> ItemCountAsync(TestDatabase db, TestTenant tenant)
    {
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        return await ctx.Items.CountAsync();
    }

    [GeneratedRegex("^ran (\\d+) on (.+)$")]
    private static partial Regex RanLine();
}
