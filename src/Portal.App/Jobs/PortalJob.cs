using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.App.Data;
using Portal.App.Features.Organisations;

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

    /// <summary>
    /// Marks the run succeeded through <paramref name="db"/>, inside the caller's transaction: if the process dies after
    /// the commit and before the job could say it finished, the re-run sees the work done and does not do it again.
    /// </summary>
    Task CompleteWithinAsync(PortalDbContext db, string message, CancellationToken ct) => Task.CompletedTask;

    private sealed class NoHold : IAsyncDisposable
    {
        public static readonly NoHold Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

/// <summary>What a job was started with: the run, the organisation and a few ids. Never secrets or item text.</summary>
public sealed class JobArguments(Guid runId, Guid? tenantId, IReadOnlyDictionary<string, string>? parameters = null)
{
    public Guid RunId { get; } = runId;

    public Guid? TenantId { get; } = tenantId;

    public IReadOnlyDictionary<string, string> Parameters { get; } = parameters ?? new Dictionary<string, string>();

    public string? GetString(string key) => Parameters.TryGetValue(key, out var value) ? value : null;

    public string Required(string key) => GetString(key) ?? throw new InvalidOperationException($"The job was started without '{key}'.");
}

/// <summary>
/// Base of every Portal job: records each run in <see cref="JobRun"/> (queued, running, progress, end, error)
/// so that the admin pages show it live, and a failure is visible rather than only logged.
/// </summary>
/// <remarks>
/// Hangfire runs a job again when its node died under it (after the storage's invisibility timeout) and when a retry is
/// due. The run's row is found again by its id, so a re-run reuses it; a run whose work was committed together with its
/// <see cref="RunStatus.Succeeded"/> row (see <see cref="IJobProgress.CompleteWithinAsync"/>) is not done twice.
/// </remarks>
public abstract class PortalJob(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock, ILogger logger, JobProgressBoard board)
{
    protected abstract string Name { get; }

    protected IDbContextFactory<PortalDbContext> DbFactory => dbFactory;

    protected TimeProvider Clock => clock;

    /// <summary>The work. <paramref name="tenantId"/> is null for a platform-wide run.</summary>
    protected abstract Task RunAsync(Guid? tenantId, JobArguments args, IJobProgress progress, CancellationToken ct);

    /// <summary>Called once the run's work is done (now, or by an earlier run of the same id): tidy what the run was given.</summary>
    protected virtual void AfterDone(JobArguments args)
    {
    }

    /// <summary>Runs the job for <paramref name="args"/> on the node <paramref name="node"/> and records it.</summary>
    public async Task ExecuteAsync(JobArguments args, string node, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(args);
        var (runId, done) = await StartRunAsync(args, node, ct);
        if (done)
        {
            logger.LogInformation("Job {Job} run {RunId} was already done; the re-run does nothing", Name, runId);
            AfterDone(args);
            return;
        }

        var progress = new RunProgress(dbFactory, runId, clock, board);
        try
        {
            await RunAsync(args.TenantId, args, progress, ct);
            await FinishAsync(runId, RunStatus.Succeeded, null, CancellationToken.None);
            AfterDone(args);
        }
        catch (PortalValidationException ex)
        {
            // A person's bad input (a wrong line in an upload) is information for the log, not a failure of the portal.
            logger.LogInformation("Job {Job} run {RunId} refused its input: {Problem}", Name, runId, ex.Message);
            await FinishAsync(runId, RunStatus.Failed, ex.Message, CancellationToken.None);
            throw;
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Job {Job} run {RunId} failed", Name, runId);
            await FinishAsync(runId, RunStatus.Failed, ex.Message, CancellationToken.None);
            throw;
        }
        finally
        {
            board.Remove(runId);
        }
    }

    private async Task<(Guid RunId, bool Done)> StartRunAsync(JobArguments args, string node, CancellationToken ct)
    {
        await using var db = dbFactory.CreateSystem();
        var now = clock.GetUtcNow().UtcDateTime;
        var run = await db.JobRuns.IgnoreQueryFilters().FirstOrDefaultAsync(x => x.Id == args.RunId, ct);
        if (run is null)
        {
            run = new JobRun { Id = args.RunId, JobName = Name, TenantId = args.TenantId, QueuedAt = now };
            db.JobRuns.Add(run);
        }
        else if (run.Status == RunStatus.Succeeded)
        {
            return (run.Id, true);
        }

        run.Message = run.Status switch
        {
            RunStatus.Running => "Run again: the node that ran it stopped",
            RunStatus.Failed => "Retried after: " + Truncate(run.Error),
            _ => null,
        };
        run.Status = RunStatus.Running;
        run.StartedAt = now;
        run.EndedAt = null;
        run.Error = null;
        run.Progress = 0;
        run.Node = node.Length > 200 ? node[..200] : node;
        await db.SaveChangesAsync(ct);
        return (run.Id, false);
    }

    private static string? Truncate(string? text) => text is { Length: > 300 } ? text[..300] : text;

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

        public Task CompleteWithinAsync(PortalDbContext db, string message, CancellationToken ct)
        {
            var now = clock.GetUtcNow().UtcDateTime;
            return db.JobRuns.IgnoreQueryFilters().Where(x => x.Id == runId).ExecuteUpdateAsync(s => s
                .SetProperty(x => x.Status, RunStatus.Succeeded)
                .SetProperty(x => x.Progress, 100)
                .SetProperty(x => x.Message, message)
                .SetProperty(x => x.EndedAt, now), ct);
        }

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
