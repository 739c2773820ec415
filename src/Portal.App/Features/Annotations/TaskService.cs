using Microsoft.EntityFrameworkCore;
using Portal.App.Data;

namespace Portal.App.Features.Annotations;

/// <summary>
/// The assignment engine: leases the next task to an annotator, takes their answer (once), a skip or a draft.
/// Used by the annotator pages, the API and the benchmark alike.
/// </summary>
public sealed class TaskService(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock)
{
    /// <summary>The projects of an organisation with what is left for this annotator in each.</summary>
    public Task<IReadOnlyList<AnnotatorProject>> ProjectsAsync(Guid orgId, Guid annotatorId, CancellationToken ct = default) =>
        throw new NotImplementedException();

    /// <summary>
    /// The annotator's live task in the project if they hold one, else a new lease on the highest-priority item that still
    /// needs ratings and that they have not rated (or a gold item, at the project's gold rate). Null when the project is not in the organisation.
    /// </summary>
    public Task<NextTaskResult?> NextAsync(Guid orgId, Guid projectId, Guid annotatorId, CancellationToken ct = default) =>
        throw new NotImplementedException();

    /// <summary>The annotator's task behind a live lease, with its draft; null when it is not theirs or no longer leased.</summary>
    public Task<TaskView?> GetAsync(Guid orgId, Guid assignmentId, Guid annotatorId, CancellationToken ct = default) =>
        throw new NotImplementedException();

    /// <summary>Stores the answer once.</summary>
    /// <exception cref="TaskNotFoundException">Not this annotator's assignment.</exception>
    /// <exception cref="Organisations.PortalValidationException">The answer does not fit the project (names the field).</exception>
    /// <exception cref="TaskConflictException">Already answered with another key, skipped, or the lease expired and the item went to someone else.</exception>
    public Task<SubmitResult> SubmitAsync(Guid orgId, Guid assignmentId, Guid annotatorId, AnnotationInput input, CancellationToken ct = default) =>
        throw new NotImplementedException();

    /// <summary>Gives the task back unanswered with a reason (and content flags); the item returns to the pool for others.</summary>
    public Task SkipAsync(Guid orgId, Guid assignmentId, Guid annotatorId, string reason, ContentFlags flags, CancellationToken ct = default) =>
        throw new NotImplementedException();

    /// <summary>Keeps the page's unsaved answer with the lease. Returns false when the lease is no longer live.</summary>
    public Task<bool> SaveDraftAsync(Guid orgId, Guid assignmentId, Guid annotatorId, string draftJson, CancellationToken ct = default) =>
        throw new NotImplementedException();

    private TimeProvider Clock => clock;

    private IDbContextFactory<PortalDbContext> Factory => dbFactory;
}
