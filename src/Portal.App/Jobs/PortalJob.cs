using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.App.Data;
using Quartz;

namespace Portal.App.Jobs;

/// <summary>What a running job may tell the admin: how far it is and what it is doing.</summary>
public interface IJobProgress
{
    ValueTask ReportAsync(int percent, string? message = null);
}

/// <summary>
/// Base of every Portal job: records each run in <see cref="JobRun"/> (queued, running, progress, end, error)
/// so that the admin pages show it live, and a failure is visible rather than only logged.
/// </summary>
public abstract class PortalJob(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock, ILogger logger) : IJob
{
    public const string RunIdKey = "portal.runId";
    public const string TenantIdKey = "portal.tenantId";

    protected abstract string Name { get; }

    protected IDbContextFactory<PortalDbContext> DbFactory => dbFactory;

    protected TimeProvider Clock => clock;

    /// <summary>The work. <paramref name="tenantId"/> is null for a platform-wide run.</summary>
    protected abstract Task RunAsync(Guid? tenantId, JobDataMap data, IJobProgress progress, CancellationToken ct);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var data = context.MergedJobDataMap;
        Guid? tenantId = data.TryGetString(TenantIdKey, out var t) && Guid.TryParse(t, out var tid) ? tid : null;
        var runId = await StartRunAsync(data, tenantId, context, cancellationToken);
        var progress = new RunProgress(dbFactory, runId, clock);
        try
        {
            await RunAsync(tenantId, data, progress, cancellationToken);
            await FinishAsync(runId, RunStatus.Succeeded, null, CancellationToken.None);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Job {Job} run {RunId} failed", Name, runId);
            await FinishAsync(runId, RunStatus.Failed, ex.Message, CancellationToken.None);
            throw new JobExecutionException(ex.Message, ex);
        }
    }

    private async Task<Guid> StartRunAsync(JobDataMap data, Guid? tenantId, IJobExecutionContext context, CancellationToken ct)
    {
        await using var db = dbFactory.CreateSystem();
        var now = clock.GetUtcNow().UtcDateTime;
        JobRun? run = null;
        if (data.TryGetString(RunIdKey, out var r) && Guid.TryParse(r, out var runId))
        {
            run = await db.JobRuns.IgnoreQueryFilters().FirstOrDefaultAsync(x => x.Id == runId, ct);
        }

        if (run is null)
        {
            run = new JobRun { JobName = Name, TenantId = tenantId, QueuedAt = now };
            db.JobRuns.Add(run);
        }

        run.Status = RunStatus.Running;
        run.StartedAt = now;
        run.Progress = 0;
        run.Node = context.Scheduler.SchedulerInstanceId;
        run.Message = context.Recovering ? "Recovered after the node that ran it stopped" : null;
        await db.SaveChangesAsync(ct);
        return run.Id;
    }

    private async Task FinishAsync(Guid runId, RunStatus status, string? error, CancellationToken ct)
    {
        await using var db = dbFactory.CreateSystem();
        var now = clock.GetUtcNow().UtcDateTime;
        await db.JobRuns.IgnoreQueryFilters().Where(x => x.Id == runId).ExecuteUpdateAsync(s => s
            .SetProperty(x => x.Status, status)
            .SetProperty(x => x.Progress, x => status == RunStatus.Succeeded ? 100 : x.Progress)
            .SetProperty(x => x.Error, error)
            .SetProperty(x => x.EndedAt, now), ct);
    }

    private sealed class RunProgress(IDbContextFactory<PortalDbContext> dbFactory, Guid runId, TimeProvider clock) : IJobProgress
    {
        private int _last = -1;
        private DateTimeOffset _lastWrite;

        public async ValueTask ReportAsync(int percent, string? message = null)
        {
            percent = Math.Clamp(percent, 0, 100);
            var now = clock.GetUtcNow();
            // A job may report every row; the database hears at most a few times a second.
            if (percent == _last || (now - _lastWrite < TimeSpan.FromMilliseconds(250) && percent < 100))
            {
                return;
            }

            _last = percent;
            _lastWrite = now;
            await using var db = dbFactory.CreateSystem();
            await db.JobRuns.IgnoreQueryFilters().Where(x => x.Id == runId).ExecuteUpdateAsync(s => s
                .SetProperty(x => x.Progress, percent)
                .SetProperty(x => x.Message, x => message ?? x.Message));
        }
    }
}
