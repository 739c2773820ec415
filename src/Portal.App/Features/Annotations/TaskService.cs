using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features.Guidelines;
using Portal.App.Features.Organisations;
using Portal.App.Features.Projects;
using Portal.Core.Aggregation;
using Portal.Core.Pairs;

namespace Portal.App.Features.Annotations;

/// <summary>
/// The assignment engine: leases the next task to an annotator, takes their answer (once), a skip or a draft.
/// Used by the annotator pages, the API and the benchmark alike.
/// </summary>
/// <remarks>
/// An item never collects more than its project's overlap: a lease raises <see cref="Item.Claimed"/> only through a
/// conditional update (<c>Claimed &lt; Overlap</c>) that the database evaluates on the latest row, under the row lock on
/// PostgreSQL and under the single writer lock on SQLite (whose transactions begin immediate). A submit moves its
/// assignment from leased to submitted with a conditional update too, so a double submit stores one annotation.
/// </remarks>
public sealed partial class TaskService(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock)
{
    private const int MaxAttempts = 8;
    private const int CandidatesPerAttempt = 16;
    private const int MaxDraftLength = 65536;
    private const int MaxTextLength = 10000;

    private static readonly AssignmentStatus[] Taken = [AssignmentStatus.Leased, AssignmentStatus.Submitted, AssignmentStatus.Skipped];

    /// <summary>
    /// The projects of an organisation with what is left for this annotator in each: the ordinary items they can still
    /// get (the one they hold counts as left until they answer it), and the ones they answered.
    /// </summary>
    public async Task<IReadOnlyList<AnnotatorProject>> ProjectsAsync(Guid orgId, Guid annotatorId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);

        // Archived projects are gone from annotators' lists; a chosen-annotators project lists only for those chosen.
        return await db.Projects
            .Where(p => p.ArchivedAt == null
                && (!p.ChosenAnnotatorsOnly || db.ProjectAnnotators.Any(s => s.ProjectId == p.Id && s.AnnotatorId == annotatorId && s.Chosen)))
            .OrderBy(p => p.Name).Select(p => new AnnotatorProject(
                p.Id,
                p.Name,
                p.Kind,
                // Two disjoint counts (an item they hold is taken, so never in the first) instead of one count with an OR: the
                // OR made PostgreSQL test every item of the project against both subqueries (1.0 s at 100,000 items, JIT
                // compiling included); apart, the first reads the few items still open and the second starts from the
                // annotator's leases (IX_Assignments_Project_Status), not from the items.
                db.Items.Count(i => i.ProjectId == p.Id && !i.IsGold && i.Claimed < (i.Overlap ?? p.Overlap)
                        && !db.Assignments.Any(a => a.ItemId == i.Id && a.AnnotatorId == annotatorId && a.RepeatOf == null && Taken.Contains(a.Status)))
                    + db.Assignments.Where(a => a.ProjectId == p.Id && a.Status == AssignmentStatus.Leased && a.AnnotatorId == annotatorId && a.RepeatOf == null
                            && db.Items.Any(i => i.Id == a.ItemId && i.ProjectId == p.Id && !i.IsGold))
                        .Select(a => a.ItemId).Distinct().Count(),
                // Not on a gold item, rather than on an ordinary one: the same annotations (an item goes only with its project,
                // annotations and all), and PostgreSQL leaves out the project's few gold items instead of hashing all of them.
                db.Annotations.Count(a => a.ProjectId == p.Id && a.AnnotatorId == annotatorId && a.RepeatOf == null
                    && !db.Items.Any(i => i.Id == a.ItemId && i.IsGold)),
                db.ProjectAnnotators.Any(s => s.ProjectId == p.Id && s.AnnotatorId == annotatorId && s.PausedAt != null),
                p.PausedAt != null))
            .ToListAsync(ct);
    }

    /// <summary>
    /// The annotator's live task in the project if they hold one, else a new lease on the highest-priority item that still
    /// needs ratings and that they have not rated (or a gold item, at the project's gold rate). Null when the project is not in the organisation.
    /// </summary>
    public async Task<NextTaskResult?> NextAsync(Guid orgId, Guid projectId, Guid annotatorId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);

        // One read for the project, the annotator's standing, what the guideline gates need, and whether they hold a lease
        // (the task itself is read only then: rarely, as a submit closes it).
        var head = await ReadsFor(db).Head(db, projectId, annotatorId, ct);
        if (head is null || head.Project.ArchivedAt is not null)
        {
            return null;
        }

        var (project, standing) = (head.Project, head.Standing);

        // An external rater (labels imported with a dataset) never gets a task, even if its id reached this call: it has no
        // standing, so only a first lease looks (docs/decisions/0009).
        if (standing is null && await db.ExternalRaters.AnyAsync(r => r.Id == annotatorId, ct))
        {
            return null;
        }

        if (standing?.PausedAt is not null)
        {
            return new NextTaskResult(NextTaskStatus.Paused, null,
                "You are paused in this project" + (standing.PauseReason is { Length: > 0 } r ? $": {r.TrimEnd('.')}." : ".") + " A project admin can reinstate you.");
        }

        // A task the annotator already holds comes back first, so that a guideline version published meanwhile does
        // not strand it until its lease runs out; the guideline gates apply to the next new task.
        var now = Now;
        var live = head.Held ? await HeldAsync(db, projectId, annotatorId, ct) : null;
        if (live is not null && live.Value.Assignment.LeaseExpiresAt <= now)
        {
            // Rare: a lease of theirs ran out before the expiry job came by. Expire it (giving its claim back) and look again.
            await Leases.ExpireAsync(db, a => a.ProjectId == projectId && a.AnnotatorId == annotatorId, now, ct);
            live = await HeldAsync(db, projectId, annotatorId, ct);
        }

        if (live is { } held)
        {
            return Assigned(project, held.Item, held.Assignment);
        }

        // A held task (above) may still be finished while the project is paused or the annotator no longer chosen: nothing is lost.
        if (project.PausedAt is not null)
        {
            return new NextTaskResult(NextTaskStatus.ProjectPaused, null, "This project is paused by its admins. Your answers so far are kept; come back when it resumes.");
        }

        if (project.ChosenAnnotatorsOnly && standing?.Chosen != true)
        {
            return new NextTaskResult(NextTaskStatus.NotChosen, null, "This project takes chosen annotators only, and you are not among them.");
        }

        if (GuidelineGates.Acknowledgement(head.Guidelines, head.Acknowledged) is { } unacknowledged)
        {
            return unacknowledged;
        }

        if (head.HasTest && await GuidelineGates.QualificationAsync(db, projectId, annotatorId, now, ct) is { } unqualified)
        {
            return unqualified;
        }

        // Whether this task is a self-consistency check or a gold item is decided once, from the standing read above.
        var (tasksServed, repeatsServed, goldServed) = (standing?.TasksServed ?? 0, standing?.RepeatsServed ?? 0, standing?.GoldServed ?? 0);
        var repeatDue = Due(project.Settings.Quality.SelfConsistencyRate, repeatsServed, tasksServed);
        var goldDue = Due(project.Settings.Gold.Rate, goldServed, tasksServed);
        var claims = repeatDue || goldDue ? null : ClaimStatements.For(db);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            db.ChangeTracker.Clear();
            try
            {
                if (claims is not null && await ClaimAsync(db, claims, project, annotatorId, ct) is { } claimed)
                {
                    return Assigned(project, claimed.Item, claimed.Assignment);
                }

                var leased = await TryLeaseAsync(db, project, annotatorId, repeatDue, goldDue, ct);
                if (leased is null)
                {
                    return new NextTaskResult(NextTaskStatus.NothingLeft, null, "Nothing in this project needs you right now. Thank you!");
                }

                if (leased.Value.Assignment is { } assignment)
                {
                    return Assigned(project, leased.Value.Item!, assignment);
                }
            }
            catch (Exception ex) when (ex is DbUpdateException or System.Data.Common.DbException)
            {
                // Another request of the same annotator took the same item or created their standing first: look again.
            }
        }

        throw new TaskConflictException("Too many annotators asked at once; please ask for the next task again.");
    }

    /// <summary>The annotator's task behind a live lease, with its draft; null when it is not theirs or no longer leased.</summary>
    public async Task<TaskView?> GetAsync(Guid orgId, Guid assignmentId, Guid annotatorId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        var now = Now;
        var assignment = await db.Assignments.AsNoTracking()
            .FirstOrDefaultAsync(a => a.Id == assignmentId && a.AnnotatorId == annotatorId && a.Status == AssignmentStatus.Leased && a.LeaseExpiresAt > now, ct);
        if (assignment is null)
        {
            return null;
        }

        var project = await db.Projects.AsNoTracking().FirstAsync(p => p.Id == assignment.ProjectId, ct);
        var item = await db.Items.AsNoTracking().FirstAsync(i => i.Id == assignment.ItemId, ct);
        return View(project, item, assignment);
    }

    /// <summary>Stores the answer once.</summary>
    /// <exception cref="TaskNotFoundException">Not this annotator's assignment.</exception>
    /// <exception cref="PortalValidationException">The answer does not fit the project (names the field).</exception>
    /// <exception cref="TaskConflictException">Already answered with another key, skipped, or the lease expired and the item went to someone else.</exception>
    public async Task<SubmitResult> SubmitAsync(Guid orgId, Guid assignmentId, Guid annotatorId, AnnotationInput input, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        await using var db = dbFactory.CreateForTenant(orgId);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            db.ChangeTracker.Clear();

            // One read for the assignment, its project and item, and the versions the answer is recorded under: the guideline
            // version the annotator worked under (the one they acknowledged, as a task held while a newer one was published
            // was done under the older; else the current one) and the project's attribute set.
            var row = await ReadsFor(db).Submit(db, assignmentId, annotatorId, ct) ?? throw new TaskNotFoundException();
            var (assignment, project, item) = (row.Assignment, row.Project, row.Item);

            switch (assignment.Status)
            {
                case AssignmentStatus.Submitted:
                    return await ReplayAsync(db, project, item, assignment, input.IdempotencyKey, ct);
                case AssignmentStatus.Skipped:
                    throw new TaskConflictException("You skipped this task, so it cannot be answered any more.");
            }

            if (project.ArchivedAt is not null)
            {
                throw new TaskConflictException("This project was archived, so it takes no more answers.");
            }

            var annotation = Build(project, item, assignment, input);
            annotation.TenantId = assignment.TenantId;
            annotation.RepeatOf = assignment.RepeatOf;
            annotation.GuidelineVersion = row.Guidelines;
            annotation.AttributeVersion = row.Attributes;
            try
            {
                if (assignment.Status == AssignmentStatus.Leased && !item.IsGold && ClaimStatements.For(db) is { } statements)
                {
                    // The common case on the server databases: close the lease and store the answer in one statement.
                    annotation.CreatedAt = Now;
                    if (await statements.SubmitAsync(db, assignment, annotation, input.Flags, annotation.CreatedAt, ct))
                    {
                        return new SubmitResult(annotation.Id, Replayed: false, null);
                    }

                    // Someone (a double click, a retry) changed it first; the next pass replays it or says why not.
                    continue;
                }

                if (await TryStoreAsync(db, project, item, assignment, annotation, input.Flags, ct) is { } stored)
                {
                    return stored;
                }
            }
            catch (Exception ex) when (ex is DbUpdateException or System.Data.Common.DbException)
            {
                // A concurrent submit of the same assignment stored first; the next pass replays it.
            }
        }

        throw new TaskConflictException("This task changed while it was being answered; open it again.");
    }

    /// <summary>Gives the task back unanswered with a reason (and content flags); the item returns to the pool for others.</summary>
    public async Task SkipAsync(Guid orgId, Guid assignmentId, Guid annotatorId, string reason, ContentFlags flags, CancellationToken ct = default)
    {
        reason = (reason ?? "").Trim();
        if (reason.Length == 0)
        {
            throw new PortalValidationException("reason", "Say why you skip this task.");
        }

        if (reason.Length > 500)
        {
            throw new PortalValidationException("reason", "A skip reason is at most 500 characters.");
        }

        await using var db = dbFactory.CreateForTenant(orgId);
        var assignment = await db.Assignments.AsNoTracking().FirstOrDefaultAsync(a => a.Id == assignmentId && a.AnnotatorId == annotatorId, ct)
            ?? throw new TaskNotFoundException();
        switch (assignment.Status)
        {
            case AssignmentStatus.Skipped:
                return;
            case AssignmentStatus.Submitted:
                throw new TaskConflictException("You already answered this task.");
            case AssignmentStatus.Expired:
                throw new TaskConflictException("Your time on this task ran out; it has already gone back to the pool.");
        }

        var claims = assignment.RepeatOf is null && !await db.Items.Where(i => i.Id == assignment.ItemId).Select(i => i.IsGold).FirstAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var now = Now;
        var closed = await db.Assignments
            .Where(a => a.Id == assignmentId && a.Status == AssignmentStatus.Leased)
            .ExecuteUpdateAsync(s => s
                .SetProperty(a => a.Status, AssignmentStatus.Skipped)
                .SetProperty(a => a.ClosedAt, now)
                .SetProperty(a => a.SkipReason, reason)
                .SetProperty(a => a.Flags, flags)
                .SetProperty(a => a.DraftJson, (string?)null), ct);
        if (closed == 1 && claims)
        {
            await db.Items.Where(i => i.Id == assignment.ItemId).ExecuteUpdateAsync(s => s.SetProperty(i => i.Claimed, i => i.Claimed - 1), ct);
        }

        await tx.CommitAsync(ct);
    }

    /// <summary>Keeps the page's unsaved answer with the lease. Returns false when the lease is no longer live.</summary>
    /// <exception cref="TaskNotFoundException">Not this annotator's assignment.</exception>
    public async Task<bool> SaveDraftAsync(Guid orgId, Guid assignmentId, Guid annotatorId, string draftJson, CancellationToken ct = default)
    {
        if (draftJson is null || draftJson.Length > MaxDraftLength)
        {
            throw new PortalValidationException("draft", $"A draft is at most {MaxDraftLength} characters.");
        }

        await using var db = dbFactory.CreateForTenant(orgId);
        var now = Now;
        var saved = await db.Assignments
            .Where(a => a.Id == assignmentId && a.AnnotatorId == annotatorId && a.Status == AssignmentStatus.Leased && a.LeaseExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.DraftJson, draftJson), ct) == 1;
        if (saved)
        {
            return true;
        }

        // Someone else's assignment (or another organisation's) is not found, as on submit and skip, rather than "no longer live".
        return await db.Assignments.AnyAsync(a => a.Id == assignmentId && a.AnnotatorId == annotatorId, ct) ? false : throw new TaskNotFoundException();
    }

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>The annotator's oldest lease in the project that is still open (perhaps past its time), with its item.</summary>
    private static async Task<(Assignment Assignment, Item Item)?> HeldAsync(PortalDbContext db, Guid projectId, Guid annotatorId, CancellationToken ct)
    {
        var held = await (
                from a in db.Assignments.AsNoTracking()
                where a.ProjectId == projectId && a.AnnotatorId == annotatorId && a.Status == AssignmentStatus.Leased
                join i in db.Items.AsNoTracking() on a.ItemId equals i.Id
                orderby a.LeasedAt
                select new { Assignment = a, Item = i })
            .FirstOrDefaultAsync(ct);
        return held is null ? null : (held.Assignment, held.Item);
    }

    /// <summary>
    /// A new lease on an ordinary item in one statement, skipping rows other annotators are claiming (PostgreSQL, SQL Server);
    /// null when none could be claimed that way, and the portable path decides.
    /// </summary>
    private async Task<(Item Item, Assignment Assignment)?> ClaimAsync(PortalDbContext db, ClaimStatements claims, Project project, Guid annotatorId,
        CancellationToken ct)
    {
        var now = Now;
        var lease = new Assignment
        {
            TenantId = project.TenantId,
            ProjectId = project.Id,
            AnnotatorId = annotatorId,
            LeasedAt = now,
            LeaseExpiresAt = now.AddMinutes(project.LeaseMinutes),
            LeftIsA = project.Kind == ProjectKind.Likert || Random.Shared.Next(2) == 0,
        };
        var standing = new ProjectAnnotator { TenantId = project.TenantId, ProjectId = project.Id, AnnotatorId = annotatorId, TasksServed = 1, CreatedAt = now };
        var item = await claims.ClaimAsync(db, project, lease, standing, ct);
        if (item is null)
        {
            return null;
        }

        lease.ItemId = item.Id;
        return (item, lease);
    }

    /// <summary>
    /// One attempt at a new lease, in one transaction: null when nothing is left for the annotator; an empty result when
    /// every candidate was claimed by others meanwhile (try again).
    /// </summary>
    private async Task<(Item? Item, Assignment? Assignment)?> TryLeaseAsync(PortalDbContext db, Project project, Guid annotatorId,
        bool repeatDue, bool goldDue, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var standing = await db.ProjectAnnotators.FirstOrDefaultAsync(s => s.ProjectId == project.Id && s.AnnotatorId == annotatorId, ct);
        if (standing is null)
        {
            standing = new ProjectAnnotator { ProjectId = project.Id, AnnotatorId = annotatorId, CreatedAt = Now };
            db.ProjectAnnotators.Add(standing);
        }

        if (project.ChosenAnnotatorsOnly && !standing.Chosen)
        {
            // Taken off the list between the check in NextAsync and this transaction.
            return null;
        }

        // An item the annotator rated in a calibration round is not theirs to label again: they may have seen the group's answer.
        var untaken = db.Items.Where(i => i.ProjectId == project.Id
            && !db.Assignments.Any(a => a.ItemId == i.Id && a.AnnotatorId == annotatorId && a.RepeatOf == null && Taken.Contains(a.Status))
            && !db.CalibrationAnswers.Any(c => c.ItemId == i.Id && c.AnnotatorId == annotatorId));

        Item? chosen = null;
        Annotation? repeat = null;
        if (repeatDue)
        {
            // Re-show one of the annotator's own earlier answers, sides swapped, that has not been checked yet.
            repeat = await db.Annotations
                .Where(a => a.ProjectId == project.Id && a.AnnotatorId == annotatorId && a.RepeatOf == null
                    && db.Items.Any(i => i.Id == a.ItemId && !i.IsGold)
                    && !db.Assignments.Any(r => r.RepeatOf == a.Id && Taken.Contains(r.Status)))
                .OrderBy(a => a.CreatedAt)
                .FirstOrDefaultAsync(ct);
            chosen = repeat is null ? null : await db.Items.FirstAsync(i => i.Id == repeat.ItemId, ct);
        }

        if (chosen is null && goldDue)
        {
            // Gold items are shown to every annotator and claim nothing against the overlap. The qualification test's
            // items are not: whoever took the test has seen their answers; nor are the current guidelines' examples,
            // whose expected answers the guidelines print.
            var testItems = await db.QualificationTests.Where(t => t.ProjectId == project.Id).Select(t => t.ItemIds).FirstOrDefaultAsync(ct) ?? [];
            var shown = testItems.Concat(await GuidelineGates.ExampleItemIdsAsync(db, project.Id, ct)).Distinct().ToList();
            chosen = await untaken.Where(i => i.IsGold && !shown.Contains(i.Id)).OrderByDescending(i => i.Priority).ThenBy(i => i.Id).FirstOrDefaultAsync(ct);
        }

        if (chosen is null)
        {
            var candidates = await untaken.Where(i => !i.IsGold && i.Claimed < (i.Overlap ?? project.Overlap))
                .OrderByDescending(i => i.Priority).ThenBy(i => i.Id)
                .Take(CandidatesPerAttempt)
                .ToListAsync(ct);
            if (candidates.Count == 0)
            {
                return null;
            }

            foreach (var candidate in SpreadWithinPriority(candidates))
            {
                var claimed = await db.Items
                    .Where(i => i.Id == candidate.Id && i.Claimed < (i.Overlap ?? project.Overlap))
                    .ExecuteUpdateAsync(s => s.SetProperty(i => i.Claimed, i => i.Claimed + 1), ct);
                if (claimed == 1)
                {
                    chosen = candidate;
                    break;
                }
            }

            if (chosen is null)
            {
                return (null, null);
            }
        }

        var now = Now;
        var assignment = new Assignment
        {
            ProjectId = project.Id,
            ItemId = chosen.Id,
            AnnotatorId = annotatorId,
            LeasedAt = now,
            LeaseExpiresAt = now.AddMinutes(project.LeaseMinutes),
            LeftIsA = repeat is not null ? !repeat.LeftIsA : project.Kind == ProjectKind.Likert || Random.Shared.Next(2) == 0,
            RepeatOf = repeat?.Id,
        };
        db.Assignments.Add(assignment);
        standing.TasksServed++;
        if (repeat is not null)
        {
            standing.RepeatsServed++;
        }
        else if (chosen.IsGold)
        {
            standing.GoldServed++;
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return (chosen, assignment);
    }

    /// <summary>
    /// Whether this task should be a gold item (or a self-consistency check): with the chance that keeps the annotator's
    /// share of them at the rate, and surely once they are a whole item behind it. Never at a fixed position, so the
    /// first task (or every tenth) is not a tell.
    /// </summary>
    private static bool Due(double rate, int served, int tasksServed)
    {
        var due = (rate * (tasksServed + 1)) - served;
        return rate > 0 && (due >= 1 || Random.Shared.NextDouble() < due);
    }

    /// <summary>
    /// The candidates in priority order, shuffled among equal priorities, so that annotators asking at once do not all
    /// queue on the same row.
    /// </summary>
    private static IEnumerable<Item> SpreadWithinPriority(List<Item> candidates) =>
        candidates.GroupBy(c => c.Priority).SelectMany(g => g.OrderBy(_ => Random.Shared.Next()));

    private async Task<SubmitResult?> TryStoreAsync(PortalDbContext db, Project project, Item item, Assignment assignment, Annotation annotation,
        ContentFlags flags, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var now = Now;
        if (assignment.Status == AssignmentStatus.Expired && !item.IsGold && assignment.RepeatOf is null)
        {
            // The lease ran out: the answer still counts if the item has room, else someone else has it now.
            var reclaimed = await db.Items
                .Where(i => i.Id == item.Id && i.Claimed < (i.Overlap ?? project.Overlap))
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.Claimed, i => i.Claimed + 1), ct);
            if (reclaimed == 0)
            {
                throw new TaskConflictException(
                    "Your time on this task ran out and it went to another annotator, so this answer was not stored. Please take the next task.");
            }
        }

        var closed = await db.Assignments
            .Where(a => a.Id == assignment.Id && a.Status == assignment.Status)
            .ExecuteUpdateAsync(s => s
                .SetProperty(a => a.Status, AssignmentStatus.Submitted)
                .SetProperty(a => a.ClosedAt, now)
                .SetProperty(a => a.Flags, flags)
                .SetProperty(a => a.DraftJson, (string?)null), ct);
        if (closed == 0)
        {
            // Someone (a double click, a retry) changed it first; roll back and look again.
            return null;
        }

        annotation.CreatedAt = now;
        db.Annotations.Add(annotation);
        GoldFeedback? feedback = null;
        if (item.IsGold && item.Gold is { } expected && assignment.RepeatOf is null)
        {
            annotation.GoldCorrect = expected.IsMatchedBy(annotation.Choice, annotation.Scores);
            await RecordGoldAsync(db, project, assignment.AnnotatorId, annotation.GoldCorrect.Value, ct);
            feedback = Feedback(project, item, annotation);
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new SubmitResult(annotation.Id, Replayed: false, feedback);
    }

    /// <summary>Counts a gold answer and pauses the annotator when their accuracy since the last reinstatement falls below the threshold.</summary>
    private async Task RecordGoldAsync(PortalDbContext db, Project project, Guid annotatorId, bool correct, CancellationToken ct)
    {
        var standing = await db.ProjectAnnotators.FirstAsync(s => s.ProjectId == project.Id && s.AnnotatorId == annotatorId, ct);
        standing.GoldAnswered++;
        if (correct)
        {
            standing.GoldCorrect++;
        }

        var gold = project.Settings.Gold;
        var answered = standing.GoldAnswered - standing.GoldAnsweredAtReinstate;
        var accuracy = answered == 0 ? 1 : (double)(standing.GoldCorrect - standing.GoldCorrectAtReinstate) / answered;
        if (standing.PausedAt is null && answered >= gold.MinAnswers && accuracy < gold.PauseBelow)
        {
            standing.PausedAt = Now;
            standing.PausedByUserId = null;
            standing.PauseReason = $"gold accuracy {Percent(accuracy)} over {answered} gold answers is below {Percent(gold.PauseBelow)}";
            var name = await db.Users.Where(u => u.Id == annotatorId).Select(u => u.DisplayName).FirstOrDefaultAsync(ct);
            db.ProjectNotices.Add(new ProjectNotice
            {
                ProjectId = project.Id,
                AnnotatorId = annotatorId,
                CreatedAt = Now,
                Message = $"{(string.IsNullOrEmpty(name) ? "An annotator" : name)} was paused automatically: {standing.PauseReason}.",
            });
        }
    }

    private static string Percent(double share) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{share * 100:0}%");

    private static async Task<SubmitResult> ReplayAsync(PortalDbContext db, Project project, Item item, Assignment assignment, string key, CancellationToken ct)
    {
        var existing = await db.Annotations.AsNoTracking().FirstOrDefaultAsync(a => a.AssignmentId == assignment.Id, ct)
            ?? throw new TaskConflictException("This task is closed.");
        if (!string.Equals(existing.IdempotencyKey, key, StringComparison.Ordinal))
        {
            throw new TaskConflictException("You already answered this task.");
        }

        return new SubmitResult(existing.Id, Replayed: true, item.IsGold ? Feedback(project, item, existing) : null);
    }

    private static GoldFeedback? Feedback(Project project, Item item, Annotation annotation) =>
        project.Settings.Gold.ShowExplanation && item.Gold is { } gold
            ? new GoldFeedback(annotation.GoldCorrect == true, gold.Explanation, Expected(project, gold, annotation.LeftIsA))
            : null;

    /// <summary>The expected answer as the annotator saw the task: A is the response shown on the left.</summary>
    private static string? Expected(Project project, GoldAnswer gold, bool leftIsA)
    {
        var parts = new List<string>();
        if (gold.Choice is { } choice)
        {
            parts.Add(choice switch
            {
                PreferenceChoice.A => leftIsA ? "A is better" : "B is better",
                PreferenceChoice.B => leftIsA ? "B is better" : "A is better",
                PreferenceChoice.Tie => "a tie",
                _ => "both bad",
            });
        }

        foreach (var (key, score) in gold.Scores ?? new Dictionary<string, int>())
        {
            var name = project.Settings.Attributes.FirstOrDefault(a => a.Key == key)?.Name ?? key;
            parts.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{name} {score}") + (gold.Tolerance > 0
                ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $" (±{gold.Tolerance})")
                : ""));
        }

        return parts.Count == 0 ? null : string.Join(", ", parts);
    }

    private static NextTaskResult Assigned(Project project, Item item, Assignment assignment) =>
        new(NextTaskStatus.Assigned, View(project, item, assignment), null);

    private static TaskView View(Project project, Item item, Assignment assignment)
    {
        var aLeft = item.ResponseB is null || assignment.LeftIsA;
        var (left, right) = aLeft ? (item.ResponseA, item.ResponseB) : (item.ResponseB, item.ResponseA);
        var (leftTurns, rightTurns) = aLeft ? (item.ResponseTurnsAJson, item.ResponseTurnsBJson) : (item.ResponseTurnsBJson, item.ResponseTurnsAJson);
        return new TaskView(assignment.Id, project.Id, project.Name, project.Kind, Conversation(item.ConversationJson), left!, right,
            project.Settings.Attributes, project.Settings.Pairwise, assignment.LeaseExpiresAt, assignment.DraftJson)
        {
            LeftTurns = leftTurns is null ? null : Conversation(leftTurns),
            RightTurns = rightTurns is null ? null : Conversation(rightTurns),
        };
    }

    private static List<Turn> Conversation(string json) =>
        JsonSerializer.Deserialize<List<Turn>>(json, ProjectSettings.Json) ?? [];

    /// <summary>The annotation an input makes, validated against the project: every problem names its field.</summary>
    private static Annotation Build(Project project, Item item, Assignment assignment, AnnotationInput input)
    {
        var key = input.IdempotencyKey?.Trim() ?? "";
        if (key.Length is 0 or > 100)
        {
            throw new PortalValidationException("idempotencyKey", "Send an idempotency key of 1 to 100 characters with each submit.");
        }

        if (input.TimeOnTaskMs < 0)
        {
            throw new PortalValidationException("timeOnTaskMs", "The time on task cannot be negative.");
        }

        CheckLength("comment", input.Comment);
        CheckLength("rationale", input.Rationale);
        var settings = project.Settings;
        var annotation = new Annotation
        {
            ProjectId = project.Id,
            ItemId = item.Id,
            AssignmentId = assignment.Id,
            AnnotatorId = assignment.AnnotatorId,
            IdempotencyKey = key,
            Comment = Blank(input.Comment),
            Rationale = Blank(input.Rationale),
            LeftIsA = assignment.LeftIsA,
            TimeOnTaskMs = input.TimeOnTaskMs,
        };

        var likert = project.Kind is ProjectKind.Likert or ProjectKind.LikertAndPairwise;
        var pairwise = project.Kind is ProjectKind.Pairwise or ProjectKind.LikertAndPairwise;
        if (likert)
        {
            var left = Scores("scores", input.Scores, settings.Attributes);
            if (project.Kind == ProjectKind.LikertAndPairwise)
            {
                var right = Scores("scoresRight", input.ScoresRight, settings.Attributes);
                (annotation.Scores, annotation.ScoresB) = assignment.LeftIsA ? (left, right) : (right, left);
            }
            else
            {
                annotation.Scores = left;
            }
        }

        if (pairwise)
        {
            var options = settings.Pairwise;
            var choice = input.Choice ?? throw new PortalValidationException("choice", "Choose the better response.");
            if (choice == ShownChoice.Tie && !options.AllowTie)
            {
                throw new PortalValidationException("choice", "This project does not allow ties.");
            }

            if (choice == ShownChoice.BothBad && !options.AllowBothBad)
            {
                throw new PortalValidationException("choice", "This project does not allow \"both bad\".");
            }

            annotation.Choice = ToItem(choice, assignment.LeftIsA);
            if (options.StrengthLevels > 0 && choice is ShownChoice.Left or ShownChoice.Right)
            {
                annotation.Strength = input.Strength is { } s && s >= 1 && s <= options.StrengthLevels
                    ? s
                    : throw new PortalValidationException("strength", $"Say how much better, from 1 to {options.StrengthLevels}.");
            }

            if (options.PerAttribute)
            {
                annotation.AttributeChoices = [];
                foreach (var attribute in settings.Attributes)
                {
                    if (input.AttributeChoices?.TryGetValue(attribute.Key, out var c) != true || c == ShownChoice.BothBad)
                    {
                        throw new PortalValidationException($"attributeChoices.{attribute.Key}", $"Choose A, B or tie on {attribute.Name}.");
                    }

                    annotation.AttributeChoices[attribute.Key] = ToItem(c, assignment.LeftIsA);
                }
            }

            if (options.RequireRationale && (annotation.Rationale?.Length ?? 0) < options.RationaleMinLength)
            {
                throw new PortalValidationException("rationale", $"Explain your choice in at least {options.RationaleMinLength} characters.");
            }
        }

        return annotation;
    }

    private static Dictionary<string, int> Scores(string field, IReadOnlyDictionary<string, int>? given, IReadOnlyList<AttributeDefinition> attributes)
    {
        var scores = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var attribute in attributes)
        {
            if (given?.TryGetValue(attribute.Key, out var value) != true)
            {
                throw new PortalValidationException($"{field}.{attribute.Key}", $"Rate {attribute.Name} from {attribute.Min} to {attribute.Max}.");
            }

            if (value < attribute.Min || value > attribute.Max)
            {
                throw new PortalValidationException($"{field}.{attribute.Key}", $"{attribute.Name} is rated from {attribute.Min} to {attribute.Max}, not {value}.");
            }

            scores[attribute.Key] = value;
        }

        foreach (var key in given!.Keys.Where(k => !scores.ContainsKey(k)))
        {
            throw new PortalValidationException($"{field}.{key}", $"This project has no attribute '{key}'.");
        }

        return scores;
    }

    /// <summary>A choice as shown (left, right) in the item's terms (A, B), given which side response A was on.</summary>
    internal static PreferenceChoice ToItem(ShownChoice choice, bool leftIsA) => choice switch
    {
        ShownChoice.Left => leftIsA ? PreferenceChoice.A : PreferenceChoice.B,
        ShownChoice.Right => leftIsA ? PreferenceChoice.B : PreferenceChoice.A,
        ShownChoice.Tie => PreferenceChoice.Tie,
        _ => PreferenceChoice.BothBad,
    };

    private static void CheckLength(string field, string? text)
    {
        if (text?.Length > MaxTextLength)
        {
            throw new PortalValidationException(field, $"At most {MaxTextLength} characters.");
        }
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
