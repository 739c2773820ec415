using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features.Quality;
using Portal.App.Features.Rlthf;
using Portal.App.Jobs;
using Portal.Core.Rlthf;
using Portal.TestSupport;

namespace Portal.Cli.Tests.Commands;

public class WorkerCommandTests
{
    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Worker_GpuQueueOnly_RunsTheRoundAndLeavesDefaultJobsQueued(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Loop");
        var project = await db.CreateLoopProjectAsync(tenant.Id, pairs: 400, aiError: 0.25);
        var launcher = db.HangfireLauncher();
        var rlthf = new RlthfService(db.Factory, TimeProvider.System, launcher, new QualityService(db.Factory, TimeProvider.System), new LinearRewardTrainer());
        var settings = new Dictionary<string, string?>(db.Settings) { ["Logging:LogLevel:Default"] = "Warning" };
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var stop = new CancellationTokenSource();

        var worker = PortalCli.RunAsync(["worker", "--queues", "gpu", "--name", "cli-gpu"], new CliContext(output, error, settings), stop.Token);
        var leases = await launcher.StartAsync(JobRegistry.ExpireLeases, tenant.Id, null);
        Assert.Equal(1, await rlthf.StartAsync(tenant.Id, project.Project.Id, null, new StartRoundInput("10%")));
        var round = await WaitForRoundRunAsync(db, tenant.Id, TimeSpan.FromSeconds(90));
        await stop.CancelAsync();
        var exitCode = await worker;

        Assert.Equal((RunStatus.Succeeded, "cli-gpu"), (round.Status, round.Node));
        Assert.Equal(PortalCli.Ok, exitCode);
        Assert.Contains("Worker cli-gpu serves the queues gpu", output.ToString(), StringComparison.Ordinal);
        await using var ctx = db.Factory.CreateSystem();
        Assert.Equal(RunStatus.Queued, (await ctx.JobRuns.IgnoreQueryFilters().SingleAsync(r => r.Id == leases)).Status);
    }

    private static async Task<JobRun> WaitForRoundRunAsync(TestDatabase db, Guid tenantId, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            await using var ctx = db.Factory.CreateForTenant(tenantId);
            var runId = await ctx.RlthfRounds.Select(r => r.JobRunId).SingleAsync();
            var run = runId is null ? null : await ctx.JobRuns.IgnoreQueryFilters().AsNoTracking().SingleAsync(r => r.Id == runId);
            if (run?.Status is RunStatus.Succeeded or RunStatus.Failed || DateTime.UtcNow > deadline)
            {
                return run ?? throw new TimeoutException("The round never got a run.");
            }

            await Task.Delay(200);
        }
    }
}
