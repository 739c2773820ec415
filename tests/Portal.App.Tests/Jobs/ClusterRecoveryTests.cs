using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.TestSupport;

namespace Portal.App.Tests.Jobs;

/// <summary>Two portal job nodes on one PostgreSQL database; the node running a job is killed; the other finishes it.</summary>
public class ClusterRecoveryTests
{
    [Fact]
    public async Task Cluster_NodeKilledMidJob_AnotherNodeRecoversAndFinishesTheRun()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Postgres);
        var runId = Guid.CreateVersion7();
        await using (var ctx = db.Factory.CreateSystem())
        {
            ctx.JobRuns.Add(new JobRun { Id = runId, JobName = "cluster-test-slow", Status = RunStatus.Queued, QueuedAt = DateTime.UtcNow });
            await ctx.SaveChangesAsync();
        }

        var cluster = "cluster-" + Guid.NewGuid().ToString("N")[..8];
        using var nodeA = StartNode(db, cluster, "node-a", trigger: runId);
        var running = await WaitForAsync(db, runId, r => r.Status == RunStatus.Running && r.Node == "node-a" && r.Progress >= 10, TimeSpan.FromSeconds(60));
        Assert.True(running is not null, "node-a never ran the job");

        using var nodeB = StartNode(db, cluster, "node-b", trigger: null);
        await Task.Delay(TimeSpan.FromSeconds(2));
        nodeA.Kill(entireProcessTree: true);
        await nodeA.WaitForExitAsync();
        var killedAt = DateTime.UtcNow;

        var finished = await WaitForAsync(db, runId, r => r.Status == RunStatus.Succeeded, TimeSpan.FromSeconds(90));
        nodeB.Kill(entireProcessTree: true);

        Assert.True(finished is not null, "the run was not finished after node-a was killed");
        Assert.Equal("node-b", finished.Node);
        Assert.True(finished.StartedAt > killedAt, "node-b's run started before node-a was killed");
        Assert.Equal(100, finished.Progress);
    }

    private static Process StartNode(TestDatabase db, string cluster, string instanceId, Guid? trigger)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(TestPaths.BuildOutput("tests/Portal.ClusterNode", "Portal.ClusterNode.dll"));
        foreach (var (key, value) in db.Settings)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        start.ArgumentList.Add($"--Jobs:SchedulerName={cluster}");
        start.ArgumentList.Add($"--Jobs:InstanceId={instanceId}");
        start.ArgumentList.Add("--Jobs:ClusterCheckinSeconds=1");
        start.ArgumentList.Add("--Logging:LogLevel:Default=Warning");
        if (trigger is { } runId)
        {
            start.ArgumentList.Add($"--trigger={runId}");
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<JobRun?> WaitForAsync(TestDatabase db, Guid runId, Func<JobRun, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            await using var ctx = db.Factory.CreateSystem();
            var run = await ctx.JobRuns.IgnoreQueryFilters().AsNoTracking().SingleAsync(r => r.Id == runId);
            if (condition(run))
            {
                return run;
            }

            await Task.Delay(250);
        }

        return null;
    }
}
