using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.App.Data;
using Quartz;

namespace Portal.App.Jobs;

/// <summary>What a running job may tell the admin: how far it is and what it is doing.</summary>
public interface IJobProgress
{
    ValueTask ReportAsync(int percent, string? message = null);

    /// <summary>
    /// Says that the caller holds a write transaction on <paramref name="db"/> until the result is disposed. On SQLite,
    /// which has one writer at a time, the run's progress row cannot be written meanwhile: reports go to the in-memory
    /// <see cref="JobProgressBoard"/> only, and the last one is written once the hold ends.
    /// </summary>
    IAsyncDisposable HoldWrites(DbContext db) => NoHold.Instance;

    private sealed class NoHold : IAsyncDisposable
    {
        public static readonly NoHold Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

/// <summary>
/// Base of every Portal job: records each run in <see cref="JobRun"/> (queued, running, progress, end, error)
/// so that the admin pages show it live, and a failure is visible rather than only logged.
/// </summary>
public abstract class PortalJob(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock, ILogger logger, JobProgressBoard board) : IJob
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
        var progress = new RunProgress(dbFactory, runId, clock, board);
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
        finally
        {
            board.Remove(runId);
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

    private sealed class RunProgress(IDbContextFactory<PortalDbContext> dbFactory, Guid runId, TimeProvider clock, JobProgressBoard board) : IJobProgress
    {
        private int _last = -1;
        private DateTimeOffset _lastWrite;
        private int _holds;
        private (int Percent, string? Message)? _held;

        public async ValueTask ReportAsync(int percent, string? message = null)
        {
            percent = Math.Clamp(percent, 0, 100);
            board.Set(runId, percent, message);
            if (_holds > 0)
            {
                _held = (percent, message ?? _held?.Message);
                return;
            }

            var now = clock.GetUtcNow();
            // A job may report every row; the database hears at most a few times a second.
            if (percent == _last || (now - _lastWrite < TimeSpan.FromMilliseconds(250) && percent < 100))
            {
                return;
            }

            _last = percent;
            _lastWrite = now;
            await WriteAsync(percent, message);
        }

        public IAsyncDisposable HoldWrites(DbContext db) => db.Database.IsSqlite() ? new Hold(this) : NoHoldNeeded.Instance;

        private async Task WriteAsync(int percent, string? message)
        {
            await using var db = dbFactory.CreateSystem();
            await db.JobRuns.IgnoreQueryFilters().Where(x => x.Id == runId).ExecuteUpdateAsync(s => s
                .SetProperty(x => x.Progress, percent)
                .SetProperty(x => x.Message, x => message ?? x.Message));
        }

        private sealed class Hold : IAsyncDisposable
        {
            private readonly RunProgress _progress;
            private bool _released;

            public Hold(RunProgress progress)
            {
                _progress = progress;
                _progress._holds++;
            }

            /// <summary>Ends the hold once (disposing again does nothing) and writes the last report held back.</summary>
            public async ValueTask DisposeAsync()
            {
                if (_released)
                {
                    return;
                }

                _released = true;
                if (--_progress._holds == 0 && _progress._held is { } held)
                {
                    _progress._held = null;
                    _progress._last = held.Percent;
                    _progress._lastWrite = _progress.Now();
                    await _progress.WriteAsync(held.Percent, held.Message);
                }
            }
        }

        private DateTimeOffset Now() => clock.GetUtcNow();

        private sealed class NoHoldNeeded : IAsyncDisposable
        {
            public static readonly NoHoldNeeded Instance = new();

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
