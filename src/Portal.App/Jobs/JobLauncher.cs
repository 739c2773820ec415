using Hangfire;
using Hangfire.States;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features;

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
    string? Node, DateTime QueuedAt, DateTime? StartedAt, DateTime? EndedAt, Guid? ProjectId = null);

/// <summary>Starts job runs on behalf of a person and reads their state back for the pages, the API and the CLI.</summary>
public sealed class JobLauncher(IDbContextFactory<PortalDbContext> dbFactory, IJobScheduling scheduling, TimeProvider clock, JobProgressBoard board)
{
    /// <summary>Queues a run of <paramref name="job"/> for one organisation (or the platform when null) and returns its id.</summary>
    public Task<Guid> StartAsync(JobKey job, Guid? tenantId, Guid? requestedBy, IDictionary<string, string>? parameters = null, CancellationToken ct = default) =>
        StartRunAsync(job, tenantId, null, requestedBy, parameters, ct);

    /// <summary>
    /// Queues a run of <paramref name="job"/> that works on one project of the organisation and returns its id. The run
    /// is recorded with the project, so the project's pages list it and other projects' pages do not.
    /// </summary>
    public Task<Guid> StartForProjectAsync(JobKey job, Guid tenantId, Guid projectId, Guid? requestedBy, IDictionary<string, string>? parameters = null,
        CancellationToken ct = default) =>
        StartRunAsync(job, tenantId, projectId, requestedBy, parameters, ct);

    private async Task<Guid> StartRunAsync(JobKey job, Guid? tenantId, Guid? projectId, Guid? requestedBy, IDictionary<string, string>? parameters, CancellationToken ct)
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
            ProjectId = projectId,
            Status = RunStatus.Queued,
            QueuedAt = clock.GetUtcNow().UtcDateTime,
            RequestedByUserId = requestedBy,
        };
        db.JobRuns.Add(run);
        await db.SaveChangesAsync(ct);

        await scheduling.TriggerAsync(job, new JobArguments(run.Id, tenantId, parameters?.ToDictionary()), ct);
        return run.Id;
    }

    /// <summary>The newest runs of the organisation (or the platform when null).</summary>
    public Task<IReadOnlyList<JobRunView>> ListAsync(Guid? tenantId, int take = 50, CancellationToken ct = default) =>
        ListAsync(tenantId, null, take, ct);

    /// <summary>The newest runs of the organisation (or the platform when null), of one project only when <paramref name="projectId"/> is given.</summary>
    public async Task<IReadOnlyList<JobRunView>> ListAsync(Guid? tenantId, Guid? projectId, int take = 50, CancellationToken ct = default) =>
        (await PageAsync(tenantId, projectId, new ListQuery(0, take), ct)).Items;

    /// <summary>
    /// A page of the runs of the organisation (or the platform when <paramref name="tenantId"/> is null), of one project
    /// when <paramref name="projectId"/> is given, read in the database: newest first unless sorted by job, status or
    /// queued time; the search looks in the job's name, message and error.
    /// </summary>
    public async Task<ListPage<JobRunView>> PageAsync(Guid? tenantId, Guid? projectId, ListQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var db = dbFactory.CreateSystem();
        var runs = db.JobRuns.IgnoreQueryFilters().Where(r => r.TenantId == tenantId);
        if (projectId is not null)
        {
            runs = runs.Where(r => r.ProjectId == projectId);
        }

        if (query.SearchText?.ToLowerInvariant() is { } text)
        {
#pragma warning disable CA1304, CA1311, CA1862 // Translated to SQL LOWER(…) and a substring test: the culture and comparison overloads do not translate.
            runs = runs.Where(r => r.JobName.ToLower().Contains(text)
                || (r.Message != null && r.Message.ToLower().Contains(text))
                || (r.Error != null && r.Error.ToLower().Contains(text)));
#pragma warning restore CA1304, CA1311, CA1862
        }

        var total = await runs.CountAsync(ct);
        var sorted = (query.SortBy, query.Descending) switch
        {
            (nameof(JobRunView.JobName), false) => runs.OrderBy(r => r.JobName).ThenByDescending(r => r.QueuedAt),
            (nameof(JobRunView.JobName), true) => runs.OrderByDescending(r => r.JobName).ThenByDescending(r => r.QueuedAt),
            (nameof(JobRunView.Status), false) => runs.OrderBy(r => r.Status).ThenByDescending(r => r.QueuedAt),
            (nameof(JobRunView.Status), true) => runs.OrderByDescending(r => r.Status).ThenByDescending(r => r.QueuedAt),
            (nameof(JobRunView.QueuedAt), false) => runs.OrderBy(r => r.QueuedAt),
            _ => runs.OrderByDescending(r => r.QueuedAt),
        };
        var page = await sorted.ThenBy(r => r.Id)
            .Skip(query.SafeSkip)
            .Take(query.SafeTake)
            .Select(r => new JobRunView(r.Id, r.JobName, r.Status, r.Progress, r.Message, r.Error, r.Node, r.QueuedAt, r.StartedAt, r.EndedAt, r.ProjectId))
            .ToListAsync(ct);
        return new ListPage<JobRunView>([.. page.Select(board.Overlay)], total);
    }

    public async Task<JobRunView?> GetAsync(Guid? tenantId, Guid runId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateSystem();
        var run = await db.JobRuns.IgnoreQueryFilters()
            .Where(r => r.Id == runId && r.TenantId == tenantId)
            .Select(r => new JobRunView(r.Id, r.JobName, r.Status, r.Progress, r.Message, r.Error, r.Node, r.QueuedAt, r.StartedAt, r.EndedAt, r.ProjectId))
            .FirstOrDefaultAsync(ct);
        return run is null ? null : board.Overlay(run);
    }
}
