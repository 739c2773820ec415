using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portal.App;
using Portal.App.Data;
using Portal.App.Jobs;
using Quartz;

namespace Portal.ClusterNode;

/// <summary>
/// Runs one clustered scheduler node over the database named by the usual configuration keys, with the
/// portal's jobs and <see cref="SlowJob"/>. With <c>--trigger RUN_ID</c> it also fires the slow job once.
/// </summary>
internal static class NodeProgram
{
    public static async Task Main(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);
        var database = DatabaseOptions.FromConfiguration(builder.Configuration);
        builder.Services.AddPortal(database);
        builder.AddPortalJobs(database, q => q.AddJob<SlowJob>(j => j.WithIdentity(SlowJob.Key).StoreDurably().RequestRecovery()));
        using var host = builder.Build();
        await host.StartAsync();
        Console.WriteLine("node started");

        if (builder.Configuration["trigger"] is { } runId)
        {
            var data = new JobDataMap();
            data[PortalJob.RunIdKey] = runId;
            var scheduler = await host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
            await scheduler.TriggerJob(SlowJob.Key, data);
            Console.WriteLine("triggered");
        }

        await host.WaitForShutdownAsync();
    }
}

/// <summary>Reports progress for about ten seconds: long enough to kill the node that runs it.</summary>
internal sealed class SlowJob(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock, ILogger<SlowJob> logger, JobProgressBoard board)
    : PortalJob(dbFactory, clock, logger, board)
{
    public static readonly JobKey Key = new("cluster-test-slow", "tests");

    protected override string Name => Key.Name;

    protected override async Task RunAsync(Guid? tenantId, JobDataMap data, IJobProgress progress, CancellationToken ct)
    {
        for (var step = 1; step <= 20; step++)
        {
            await Task.Delay(500, ct);
            await progress.ReportAsync(step * 5, $"step {step} of 20");
        }
    }
}
