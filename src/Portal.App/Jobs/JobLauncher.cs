using Hangfire;
using Hangfire.States;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;

namespace Portal.App.Jobs;

/// <summary>Hands a job to the job server now; an indirection so that a portal without jobs says so plainly.</summary>
public interface IJobScheduling
{
    bool Enabled { get; }

    Task TriggerAsync(JobKey job, JobArguments args, CancellationToken ct);
}

/// <summary>Enqueues through Hangfire; public so a test process can start jobs on a database that other processes serve.</summary>
public sealed class HangfireScheduling(IBackgroundJobClient client) : IJobScheduling
{
    public bool Enabled => true;

    public Task TriggerAsync(JobKey job, JobArguments args, CancellationToken ct)
    {
        // The registry names the queue; the method's [Queue] attribute says the same, and keeps a retry on it.
        client.Create(JobRegistry.JobFor(job, args), new EnqueuedState(job.Queue));
        return Task.CompletedTask;
    }
}

internal sealed class NoScheduler : IJobScheduling
{
    public bool Enabled => false;

    public Task TriggerAsync(JobKey job, JobArguments args, CancellationToken ct) =>
        throw new InvalidOperationException("Background jobs are switched off in this process (Jobs:Enabled=false).");
}

public sealed record JobRunView(Guid Id, string JobName, RunStatus Status, int Progress, string? Message, string? Error,
    string? Node, DateTime QueuedAt, DateTime? StartedAt, DateTime? EndedAt);

/// <summary>Starts job runs on behalf of a person and reads their state back for the pages, the API and the CLI.</summary>
public sealed class JobLauncher(IDbContextFactory<PortalDbContext> dbFactory, IJobScheduling scheduling, TimeProvider clock, JobProgressBoard board)
{
    /// <summary>Queues a run of <paramref name="job"/> for one organisation (or the platform when null) and returns its id.</summary>
    public async Task<Guid> StartAsync(JobKey job, Guid? tenantId, Guid? requestedBy, IDictionary<string, string>? parameters = null, CancellationToken ct = default)
    {
        if (!JobRegistry.All.Contains(job))
        {
            throw new ArgumentException($"'{job}' is not a job in the registry.", nameof(job));
        }

        await using var db = dbFactory.CreateSystem();
        var run = new JobRun
        {
            JobName = job.Name,
            TenantId = tenantId,
            Status = RunStatus.Queued,
            QueuedAt = clock.GetUtcNow().UtcDateTime,
            RequestedByUserId = requestedBy,
        };
        db.JobRuns.Add(run);
        await db.SaveChangesAsync(ct);

        await scheduling.TriggerAsync(job, new JobArguments(run.Id, tenantId, parameters?.ToDictionary()), ct);
        return run.Id;
    }

    public async Task<IReadOnlyList<JobRunView>> ListAsync(Guid? tenantId, int take = 50, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateSystem();
        var runs = await db.JobRuns.IgnoreQueryFilters()
            .Where(r => r.TenantId == tenantId)
            .OrderByDescending(r => r.QueuedAt)
            .Take(take)
            .Select(r => new JobRunView(r.Id, r.JobName, r.Status, r.Progress, r.Message, r.Error, r.Node, r.QueuedAt, r.StartedAt, r.EndedAt))
            .ToListAsync(ct);
        return [.. runs.Select(board.Overlay)];
    }

    public async Task<JobRunView?> GetAsync(Guid? tenantId, Guid runId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateSystem();
        var run = await db.JobRuns.IgnoreQueryFilters()
            .Where(r => r.Id == runId && r.TenantId == tenantId)
            .Select(r => new JobRunView(r.Id, r.JobName, r.Status, r.Progress, r.Message, r.Error, r.Node, r.QueuedAt, r.StartedAt, r.EndedAt))
            .FirstOrDefaultAsync(ct);
        return run is null ? null : board.Overlay(run);
    }
}
