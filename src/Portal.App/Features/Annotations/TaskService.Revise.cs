using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features.Organisations;
using Portal.App.Features.Projects;
using Portal.Core.Aggregation;

namespace Portal.App.Features.Annotations;

/// <summary>
/// Revising an answer: an annotator may bring back their last answer in a project and change it, within the project's
/// lease length of the first submit (<see cref="Project.LeaseMinutes"/>), while the project is neither paused nor archived.
/// </summary>
/// <remarks>
/// A revision replaces the answer in the same annotation row (never a second annotation, so the item's claim, the
/// annotator's counts and the overlap stay as they are), stamps <see cref="Annotation.RevisedAt"/>, and keeps the answer it
/// replaced in an <see cref="AnnotationRevision"/> with its idempotency key, so a retried revision is stored once.
/// Gold items and self-consistency checks are not revisable: their verdict is taken on the first answer (and the gold
/// feedback may have shown the expected answer).
/// </remarks>
public sealed partial class TaskService
{
    /// <summary>
    /// The annotator's most recent answer to an ordinary item of the project, if it can still be revised; null otherwise
    /// (none, too old, project paused, archived or not in the organisation).
    /// </summary>
    public async Task<RevisableAnswer?> LastAnswerAsync(Guid orgId, Guid projectId, Guid annotatorId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId, ct);
        if (project is null || project.ArchivedAt is not null || project.PausedAt is not null)
        {
            return null;
        }

        var last = await db.Annotations.AsNoTracking()
            .Where(a => a.ProjectId == projectId && a.AnnotatorId == annotatorId && a.RepeatOf == null
                && db.Items.Any(i => i.Id == a.ItemId && !i.IsGold))
            .OrderByDescending(a => a.CreatedAt).ThenByDescending(a => a.Id)
            .FirstOrDefaultAsync(ct);
        if (last is null || Now >= RevisableUntil(project, last))
        {
            return null;
        }

        var assignment = await db.Assignments.AsNoTracking().FirstAsync(a => a.Id == last.AssignmentId, ct);
        var item = await db.Items.AsNoTracking().FirstAsync(i => i.Id == last.ItemId, ct);
        return new RevisableAnswer(last.Id, View(project, item, assignment) with { DraftJson = null }, Shown(last, assignment),
            RevisableUntil(project, last), last.Revisions);
    }

    /// <summary>Replaces the answer of one of the annotator's annotations, once per idempotency key.</summary>
    /// <exception cref="TaskNotFoundException">Not this annotator's annotation.</exception>
    /// <exception cref="PortalValidationException">The answer does not fit the project (names the field).</exception>
    /// <exception cref="TaskConflictException">The time to revise ended, the project is paused or archived, or the answer is not revisable.</exception>
    public async Task<ReviseResult> ReviseAsync(Guid orgId, Guid annotationId, Guid annotatorId, AnnotationInput input, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        await using var db = dbFactory.CreateForTenant(orgId);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            db.ChangeTracker.Clear();
            var annotation = await db.Annotations.FirstOrDefaultAsync(a => a.Id == annotationId && a.AnnotatorId == annotatorId, ct)
                ?? throw new TaskNotFoundException();
            var key = input.IdempotencyKey?.Trim() ?? "";
            var done = await db.AnnotationRevisions.AsNoTracking()
                .FirstOrDefaultAsync(r => r.AnnotationId == annotationId && r.IdempotencyKey == key, ct);
            if (done is not null)
            {
                return new ReviseResult(annotation.Id, Replayed: true, done.RevisedAt, annotation.Revisions);
            }

            var project = await db.Projects.AsNoTracking().FirstAsync(p => p.Id == annotation.ProjectId, ct);
            var item = await db.Items.AsNoTracking().FirstAsync(i => i.Id == annotation.ItemId, ct);
            var assignment = await db.Assignments.AsNoTracking().FirstAsync(a => a.Id == annotation.AssignmentId, ct);
            var now = Now;
            if (item.IsGold || annotation.RepeatOf is not null)
            {
                throw new TaskConflictException("This answer cannot be changed.");
            }

            if (project.ArchivedAt is not null || project.PausedAt is not null)
            {
                throw new TaskConflictException($"This project is {(project.ArchivedAt is not null ? "archived" : "paused")}, so answers cannot be changed now.");
            }

            var until = RevisableUntil(project, annotation);
            if (now >= until)
            {
                throw new TaskConflictException(
                    $"An answer can be changed for {project.LeaseMinutes} minutes after it was given; the time for this one ended at {until:HH:mm} UTC.");
            }

            var revised = Build(project, item, assignment, input);
            var previous = JsonSerializer.Serialize(new
            {
                annotation.Choice,
                annotation.Strength,
                annotation.Scores,
                annotation.ScoresB,
                annotation.AttributeChoices,
                annotation.Rationale,
                annotation.Comment,
                annotation.TimeOnTaskMs,
                annotation.AttributeVersion,
                assignment.Flags,
                GivenAt = annotation.RevisedAt ?? annotation.CreatedAt,
            }, ProjectSettings.Json);

            await using var tx = await db.Database.BeginTransactionAsync(ct);

            // Optimistic: the revision applies to the answer as read; a revision stored meanwhile sends this one round again.
            var seen = annotation.Revisions;
            if (await db.Annotations.Where(a => a.Id == annotationId && a.Revisions == seen)
                    .ExecuteUpdateAsync(s => s.SetProperty(a => a.Revisions, seen + 1).SetProperty(a => a.RevisedAt, now), ct) == 0)
            {
                continue;
            }

            annotation.Revisions = seen + 1;
            annotation.RevisedAt = now;
            annotation.Choice = revised.Choice;
            annotation.Strength = revised.Strength;
            annotation.Scores = revised.Scores;
            annotation.ScoresB = revised.ScoresB;
            annotation.AttributeChoices = revised.AttributeChoices;
            annotation.Rationale = revised.Rationale;
            annotation.Comment = revised.Comment;
            annotation.TimeOnTaskMs = (int)Math.Min(int.MaxValue, (long)annotation.TimeOnTaskMs + revised.TimeOnTaskMs);
            annotation.AttributeVersion = await AttributeVersions.CurrentAsync(db, project.Id, ct);
            db.AnnotationRevisions.Add(new AnnotationRevision
            {
                ProjectId = project.Id,
                AnnotationId = annotation.Id,
                AnnotatorId = annotatorId,
                IdempotencyKey = revised.IdempotencyKey,
                PreviousJson = previous,
                RevisedAt = now,
            });
            await db.Assignments.Where(a => a.Id == assignment.Id).ExecuteUpdateAsync(s => s.SetProperty(a => a.Flags, input.Flags), ct);
            try
            {
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
                return new ReviseResult(annotation.Id, Replayed: false, now, annotation.Revisions);
            }
            catch (DbUpdateException)
            {
                // The same revision (key) was stored by a concurrent request; the next pass replays it.
            }
        }

        throw new TaskConflictException("This answer changed while it was being revised; open it again.");
    }

    /// <summary>The end of the time an answer can be changed: the project's lease length after it was first given.</summary>
    private static DateTime RevisableUntil(Project project, Annotation annotation) => annotation.CreatedAt.AddMinutes(project.LeaseMinutes);

    /// <summary>A stored annotation as the annotator gave it, in display terms (left and right as they were shown).</summary>
    private static AnnotationInput Shown(Annotation a, Assignment assignment)
    {
        var leftIsA = assignment.LeftIsA;
        var (left, right) = a.ScoresB is null || leftIsA ? (a.Scores, a.ScoresB) : (a.ScoresB, a.Scores);
        return new AnnotationInput(
            a.IdempotencyKey,
            left,
            right,
            a.Choice is { } c ? ToShown(c, leftIsA) : null,
            a.Strength,
            a.AttributeChoices?.ToDictionary(x => x.Key, x => ToShown(x.Value, leftIsA), StringComparer.Ordinal),
            a.Rationale,
            a.Comment,
            assignment.Flags,
            a.TimeOnTaskMs);
    }

    /// <summary>The inverse of <see cref="ToItem"/>.</summary>
    internal static ShownChoice ToShown(PreferenceChoice choice, bool leftIsA) => choice switch
    {
        PreferenceChoice.A => leftIsA ? ShownChoice.Left : ShownChoice.Right,
        PreferenceChoice.B => leftIsA ? ShownChoice.Right : ShownChoice.Left,
        PreferenceChoice.Tie => ShownChoice.Tie,
        _ => ShownChoice.BothBad,
    };
}
