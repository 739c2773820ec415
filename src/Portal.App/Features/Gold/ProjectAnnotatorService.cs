using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features.Organisations;
using Portal.App.Features.Projects;

namespace Portal.App.Features.Gold;

/// <summary>
/// An annotator of the organisation and their standing in one project, live from the counters the assignment engine
/// keeps. <see cref="GoldAccuracy"/> is over every gold answer; <see cref="GoldAccuracySinceReinstate"/> over those the
/// automatic pause looks at. Accuracies are null before the first gold answer.
/// </summary>
public sealed record AnnotatorStanding(
    Guid UserId,
    string DisplayName,
    string Email,
    int TasksServed,
    int Annotations,
    int GoldAnswered,
    int GoldCorrect,
    double? GoldAccuracy,
    int GoldAnsweredSinceReinstate,
    double? GoldAccuracySinceReinstate,
    bool Paused,
    DateTime? PausedAt,
    string? PauseReason,
    Guid? PausedByUserId,
    string? PausedByName,
    bool Chosen = false);

/// <summary>
/// Who may work on a project: everyone with the annotator role in the organisation (<see cref="ChosenOnly"/> false, the
/// default), or only <see cref="AnnotatorIds"/>.
/// </summary>
public sealed record ChosenAnnotators(bool ChosenOnly, IReadOnlyList<Guid> AnnotatorIds);

/// <summary>An external rater of the project (labels imported with a dataset) and how many of its labels the project holds.</summary>
public sealed record ExternalRaterRow(Guid Id, string Name, string Source, int Labels, DateTime CreatedAt);

/// <summary>Something the project's admins should know, until one of them dismisses it.</summary>
public sealed record NoticeRow(Guid Id, string Message, Guid? AnnotatorId, DateTime CreatedAt);

/// <summary>
/// The admin side of annotators' standing in a project: their gold record, pausing and reinstating them, and the
/// project's notices (such as an automatic pause by the gold threshold).
/// </summary>
public sealed class ProjectAnnotatorService(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock)
{
    /// <summary>The project's external raters, most labels first: not members, never given tasks (docs/decisions/0009).</summary>
    public async Task<IReadOnlyList<ExternalRaterRow>> ExternalRatersAsync(Guid orgId, Guid projectId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        var rows = await db.ExternalRaters.AsNoTracking().Where(r => r.ProjectId == projectId)
            .Select(r => new ExternalRaterRow(r.Id, r.Name, r.Source, db.Annotations.Count(a => a.ExternalRaterId == r.Id), r.CreatedAt))
            .ToListAsync(ct);
        return [.. rows.OrderByDescending(r => r.Labels).ThenBy(r => r.Name, StringComparer.Ordinal)];
    }

    /// <summary>Every annotator of the organisation with their standing in the project; null when the project is not in the organisation.</summary>
    public async Task<IReadOnlyList<AnnotatorStanding>?> ListAsync(Guid orgId, Guid projectId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        if (!await db.Projects.AnyAsync(p => p.Id == projectId, ct))
        {
            return null;
        }

        return await Standings(db, projectId, null).ToListAsync(ct);
    }

    /// <summary>
    /// A page of the organisation's annotators with their standing in the project, read in the database: by name unless
    /// sorted by tasks, annotations, gold accuracy or status; the search looks in the name and the e-mail, ignoring case.
    /// Null when the project is not in the organisation.
    /// </summary>
    public async Task<ListPage<AnnotatorStanding>?> PageAsync(Guid orgId, Guid projectId, ListQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var db = dbFactory.CreateForTenant(orgId);
        if (!await db.Projects.AnyAsync(p => p.Id == projectId, ct))
        {
            return null;
        }

        var annotators = db.Memberships.Where(m => (m.Roles & OrgRoles.Annotator) != 0);
        if (query.SearchText?.ToLowerInvariant() is { } text)
        {
#pragma warning disable CA1304, CA1311, CA1862 // Translated to SQL LOWER(…) and a substring test: the culture and comparison overloads do not translate.
            annotators = annotators.Where(m => m.User!.Email!.ToLower().Contains(text) || m.User.DisplayName.ToLower().Contains(text));
#pragma warning restore CA1304, CA1311, CA1862
        }

        var total = await annotators.CountAsync(ct);

        // The page's people are chosen and ordered by the sort keys alone; their standings are then read for those few.
        var rows = from m in annotators
                   from pa in db.ProjectAnnotators.Where(a => a.ProjectId == projectId && a.AnnotatorId == m.UserId).DefaultIfEmpty()
                   select new
                   {
                       m.UserId,
                       m.User!.DisplayName,
                       m.User.Email,
                       Tasks = pa == null ? 0 : pa.TasksServed,
                       Annotations = db.Annotations.Count(a => a.ProjectId == projectId && a.AnnotatorId == m.UserId),
                       Gold = pa == null || pa.GoldAnswered == 0 ? -1.0 : (double)pa.GoldCorrect / pa.GoldAnswered,
                       Paused = pa != null && pa.PausedAt != null,
                   };
        var sorted = (query.SortBy, query.Descending) switch
        {
            (nameof(AnnotatorStanding.TasksServed), false) => rows.OrderBy(r => r.Tasks),
            (nameof(AnnotatorStanding.TasksServed), true) => rows.OrderByDescending(r => r.Tasks),
            (nameof(AnnotatorStanding.Annotations), false) => rows.OrderBy(r => r.Annotations),
            (nameof(AnnotatorStanding.Annotations), true) => rows.OrderByDescending(r => r.Annotations),
            (nameof(AnnotatorStanding.GoldAccuracy), false) => rows.OrderBy(r => r.Gold),
            (nameof(AnnotatorStanding.GoldAccuracy), true) => rows.OrderByDescending(r => r.Gold),
            (nameof(AnnotatorStanding.Paused), false) => rows.OrderBy(r => r.Paused),
            (nameof(AnnotatorStanding.Paused), true) => rows.OrderByDescending(r => r.Paused),
            (nameof(AnnotatorStanding.DisplayName), true) => rows.OrderByDescending(r => r.DisplayName),
            _ => rows.OrderBy(r => r.DisplayName),
        };
        var ids = await sorted.ThenBy(r => r.DisplayName).ThenBy(r => r.Email).ThenBy(r => r.UserId)
            .Skip(query.SafeSkip)
            .Take(query.SafeTake)
            .Select(r => r.UserId)
            .ToListAsync(ct);
        var standings = (await Standings(db, projectId, null, ids).ToListAsync(ct)).ToDictionary(s => s.UserId);
        return new ListPage<AnnotatorStanding>([.. ids.Select(id => standings[id])], total);
    }

    /// <summary>One annotator's standing; null when the project is missing or the person is not an annotator of the organisation.</summary>
    public async Task<AnnotatorStanding?> GetAsync(Guid orgId, Guid projectId, Guid userId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        if (!await db.Projects.AnyAsync(p => p.Id == projectId, ct))
        {
            return null;
        }

        return await Standings(db, projectId, userId).FirstOrDefaultAsync(ct);
    }

    /// <summary>
    /// Stops the annotator from taking tasks in the project until reinstated. Pausing someone already paused keeps the
    /// time and records the new reason. Null when the project is missing or the person is not an annotator here.
    /// </summary>
    /// <exception cref="PortalValidationException">No reason, or one longer than 500 characters.</exception>
    public async Task<AnnotatorStanding?> PauseAsync(Guid orgId, Guid projectId, Guid userId, string? reason, Guid byUserId, CancellationToken ct = default)
    {
        reason = reason?.Trim() ?? "";
        if (reason.Length is 0 or > 500)
        {
            throw new PortalValidationException("reason", "Say why in 1 to 500 characters; the annotator's record keeps it.");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        return await ChangeAsync(orgId, projectId, userId,
            update: rows => rows.ExecuteUpdateAsync(s => s
                .SetProperty(a => a.PausedAt, a => a.PausedAt ?? now)
                .SetProperty(a => a.PauseReason, reason)
                .SetProperty(a => a.PausedByUserId, byUserId), ct),
            create: row =>
            {
                row.PausedAt = now;
                row.PauseReason = reason;
                row.PausedByUserId = byUserId;
            },
            ct);
    }

    /// <summary>
    /// Lets a paused annotator take tasks again, with a fresh start for the gold threshold: only gold answers from now on
    /// count towards the next automatic pause. Null when the project is missing or the person is not an annotator here.
    /// </summary>
    public async Task<AnnotatorStanding?> ReinstateAsync(Guid orgId, Guid projectId, Guid userId, CancellationToken ct = default) =>
        await ChangeAsync(orgId, projectId, userId,
            // One statement, so gold answers counted by the engine at the same moment are not lost between a read and a write.
            update: rows => rows.ExecuteUpdateAsync(s => s
                .SetProperty(a => a.PausedAt, (DateTime?)null)
                .SetProperty(a => a.PauseReason, (string?)null)
                .SetProperty(a => a.PausedByUserId, (Guid?)null)
                .SetProperty(a => a.GoldAnsweredAtReinstate, a => a.GoldAnswered)
                .SetProperty(a => a.GoldCorrectAtReinstate, a => a.GoldCorrect), ct),
            create: _ => { },
            ct);

    /// <summary>Whether the project takes chosen annotators only, and who is chosen; null when the project is not in the organisation.</summary>
    public async Task<ChosenAnnotators?> GetChosenAsync(Guid orgId, Guid projectId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        var chosenOnly = await db.Projects.Where(p => p.Id == projectId).Select(p => (bool?)p.ChosenAnnotatorsOnly).FirstOrDefaultAsync(ct);
        if (chosenOnly is null)
        {
            return null;
        }

        var ids = await db.ProjectAnnotators.Where(a => a.ProjectId == projectId && a.Chosen).Select(a => a.AnnotatorId).ToListAsync(ct);
        return new ChosenAnnotators(chosenOnly.Value, [.. ids.Order()]);
    }

    /// <summary>
    /// Sets who may work on the project, all or nothing: with <paramref name="chosenOnly"/> false every annotator of the
    /// organisation may (the list is kept for next time); with true only the listed ones. Someone taken off the list keeps
    /// a task they already hold until it is answered or its lease ends. Null when the project is not in the organisation.
    /// </summary>
    /// <exception cref="ValidationProblemsException">An id is not an annotator of the organisation (named by its position), or the project is archived.</exception>
    public async Task<ChosenAnnotators?> SetChosenAsync(Guid orgId, Guid projectId, bool chosenOnly, IReadOnlyList<Guid> annotatorIds, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(annotatorIds);
        await using (var db = dbFactory.CreateForTenant(orgId))
        {
            var project = await db.Projects.FirstOrDefaultAsync(p => p.Id == projectId, ct);
            if (project is null)
            {
                return null;
            }

            var problems = new List<(string Field, string Message)>();
            if (project.ArchivedAt is not null)
            {
                problems.Add(("project", ProjectService.ArchivedMessage));
            }

            var wanted = annotatorIds.Distinct().ToList();
            var annotators = await db.Memberships.Where(m => wanted.Contains(m.UserId) && (m.Roles & OrgRoles.Annotator) != 0)
                .Select(m => m.UserId).ToListAsync(ct);
            for (var i = 0; i < annotatorIds.Count; i++)
            {
                if (!annotators.Contains(annotatorIds[i]))
                {
                    problems.Add(($"annotatorIds[{i}]", $"{annotatorIds[i]} is not an annotator of this organisation."));
                }
            }

            if (problems.Count > 0)
            {
                throw new ValidationProblemsException(problems);
            }

            await using var tx = await db.Database.BeginTransactionAsync(ct);
            project.ChosenAnnotatorsOnly = chosenOnly;
            await db.ProjectAnnotators.Where(a => a.ProjectId == projectId && a.Chosen && !wanted.Contains(a.AnnotatorId))
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.Chosen, false), ct);
            await db.ProjectAnnotators.Where(a => a.ProjectId == projectId && !a.Chosen && wanted.Contains(a.AnnotatorId))
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.Chosen, true), ct);
            var existing = await db.ProjectAnnotators.Where(a => a.ProjectId == projectId && wanted.Contains(a.AnnotatorId))
                .Select(a => a.AnnotatorId).ToListAsync(ct);
            var now = clock.GetUtcNow().UtcDateTime;
            foreach (var id in wanted.Except(existing))
            {
                db.ProjectAnnotators.Add(new ProjectAnnotator { ProjectId = projectId, AnnotatorId = id, Chosen = true, CreatedAt = now });
            }

            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }

        return await GetChosenAsync(orgId, projectId, ct);
    }

    /// <summary>The project's notices that nobody has dismissed, newest first; null when the project is not in the organisation.</summary>
    public async Task<IReadOnlyList<NoticeRow>?> ListNoticesAsync(Guid orgId, Guid projectId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        if (!await db.Projects.AnyAsync(p => p.Id == projectId, ct))
        {
            return null;
        }

        var notices = await db.ProjectNotices
            .Where(n => n.ProjectId == projectId && n.DismissedAt == null)
            .Select(n => new NoticeRow(n.Id, n.Message, n.AnnotatorId, n.CreatedAt))
            .ToListAsync(ct);
        return [.. notices.OrderByDescending(n => n.CreatedAt).ThenByDescending(n => n.Id)];
    }

    /// <summary>Dismisses the notice (again is harmless); false when it is not one of the project's notices.</summary>
    public async Task<bool> DismissNoticeAsync(Guid orgId, Guid projectId, Guid noticeId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        var notice = await db.ProjectNotices.FirstOrDefaultAsync(n => n.ProjectId == projectId && n.Id == noticeId, ct);
        if (notice is null)
        {
            return false;
        }

        notice.DismissedAt ??= clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>Updates the annotator's row in one statement, creating it first if they have none.</summary>
    private async Task<AnnotatorStanding?> ChangeAsync(Guid orgId, Guid projectId, Guid userId,
        Func<IQueryable<ProjectAnnotator>, Task<int>> update, Action<ProjectAnnotator> create, CancellationToken ct)
    {
        await using (var db = dbFactory.CreateForTenant(orgId))
        {
            var isAnnotator = await db.Projects.AnyAsync(p => p.Id == projectId, ct)
                && await db.Memberships.AnyAsync(m => m.UserId == userId && (m.Roles & OrgRoles.Annotator) != 0, ct);
            if (!isAnnotator)
            {
                return null;
            }

            var row = db.ProjectAnnotators.Where(a => a.ProjectId == projectId && a.AnnotatorId == userId);
            if (await update(row) == 0)
            {
                var created = new ProjectAnnotator { ProjectId = projectId, AnnotatorId = userId, CreatedAt = clock.GetUtcNow().UtcDateTime };
                create(created);
                db.ProjectAnnotators.Add(created);
                try
                {
                    await db.SaveChangesAsync(ct);
                }
                catch (DbUpdateException)
                {
                    // The engine created the row for the annotator's first task in the meantime: change that one.
                    db.ChangeTracker.Clear();
                    if (await update(row) == 0)
                    {
                        throw;
                    }
                }
            }
        }

        return await GetAsync(orgId, projectId, userId, ct);
    }

    private static IQueryable<AnnotatorStanding> Standings(PortalDbContext db, Guid projectId, Guid? userId, IReadOnlyList<Guid>? userIds = null) =>
        from m in db.Memberships
        where (m.Roles & OrgRoles.Annotator) != 0 && (userId == null || m.UserId == userId) && (userIds == null || userIds.Contains(m.UserId))
        orderby m.User!.DisplayName, m.User!.Email
        from pa in db.ProjectAnnotators.Where(a => a.ProjectId == projectId && a.AnnotatorId == m.UserId).DefaultIfEmpty()
        select new AnnotatorStanding(
            m.UserId,
            m.User!.DisplayName,
            m.User.Email ?? "",
            pa == null ? 0 : pa.TasksServed,
            db.Annotations.Count(a => a.ProjectId == projectId && a.AnnotatorId == m.UserId),
            pa == null ? 0 : pa.GoldAnswered,
            pa == null ? 0 : pa.GoldCorrect,
            pa == null || pa.GoldAnswered == 0 ? null : (double)pa.GoldCorrect / pa.GoldAnswered,
            pa == null ? 0 : pa.GoldAnswered - pa.GoldAnsweredAtReinstate,
            pa == null || pa.GoldAnswered == pa.GoldAnsweredAtReinstate
                ? null
                : (double)(pa.GoldCorrect - pa.GoldCorrectAtReinstate) / (pa.GoldAnswered - pa.GoldAnsweredAtReinstate),
            pa != null && pa.PausedAt != null,
            pa == null ? null : pa.PausedAt,
            pa == null ? null : pa.PauseReason,
            pa == null ? null : pa.PausedByUserId,
            pa == null || pa.PausedByUserId == null ? null : db.Users.Where(u => u.Id == pa.PausedByUserId).Select(u => u.DisplayName).FirstOrDefault(),
            pa != null && pa.Chosen);
}
