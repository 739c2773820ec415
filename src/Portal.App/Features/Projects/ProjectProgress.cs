using Microsoft.EntityFrameworkCore;
using Portal.App.Data;

namespace Portal.App.Features.Projects;

/// <summary>Where a project stands, for its admins: the dashboard and <c>GET …/projects/{projectId}/progress</c>.</summary>
/// <remarks>Names annotators by their display name: only admins of the project's organisation may see it.</remarks>
public sealed record ProjectProgress(
    Guid ProjectId,
    string ProjectName,
    int Overlap,
    ItemProgress Items,
    int Annotations,
    double? MedianSecondsPerTask,
    IReadOnlyList<AnnotatorProgress> Annotators,
    IReadOnlyList<DailyAnnotations> PerDay,
    int Skips,
    IReadOnlyList<ReasonCount> SkipReasons,
    FlagCounts Flags,
    DateTime AsOf,
    int ExternalLabels = 0);

/// <summary>
/// The project's items. <see cref="FullyRated"/>, <see cref="InProgress"/> and <see cref="Untouched"/> split the items that
/// are not gold (<see cref="Total"/> − <see cref="Gold"/>): fully rated when their annotations reached the overlap, in progress
/// with at least one annotation or a live lease, untouched otherwise.
/// </summary>
/// <param name="AiOnly">Items the targeted-feedback loop keeps with their AI label (no round selected them): not waiting for anyone.</param>
public sealed record ItemProgress(int Total, int Gold, int FullyRated, int InProgress, int Untouched, int AiOnly = 0);

/// <summary>One annotator's work in the project: annotations (gold included), skips, and the median time on a task.</summary>
/// <param name="External">An external rater: labels that came with an imported file (no tasks, no skips, no time on task).</param>
public sealed record AnnotatorProgress(Guid AnnotatorId, string Name, int Annotations, int Skips, double? MedianSeconds, bool External = false);

/// <summary>Annotations one annotator submitted in the project on one day (UTC).</summary>
public sealed record DailyAnnotations(DateOnly Day, Guid AnnotatorId, string Name, int Annotations);

public sealed record ReasonCount(string Reason, int Count);

/// <summary>Tasks flagged by annotators, on a submit or a skip, by flag; one task may carry several.</summary>
public sealed record FlagCounts(int Unsafe, int Broken, int WrongLanguage);

/// <summary>Computes <see cref="ProjectProgress"/>: counts and group-bys in the database, so it costs the same on a big project.</summary>
public sealed class ProjectProgressQuery(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock)
{
    /// <summary>How far back <see cref="ProjectProgress.PerDay"/> goes, today included.</summary>
    public const int Days = 30;

    /// <summary>The most frequent skip reasons listed; the rest still count in <see cref="ProjectProgress.Skips"/>.</summary>
    public const int TopReasons = 10;

    /// <summary>The project's progress now; null when the project is not in the organisation.</summary>
    public async Task<ProjectProgress?> GetAsync(Guid orgId, Guid projectId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        var project = await db.Projects.Where(p => p.Id == projectId).Select(p => new { p.Name, p.Overlap }).FirstOrDefaultAsync(ct);
        if (project is null)
        {
            return null;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var items = await ItemsAsync(db, projectId, project.Overlap, now, ct);

        // Each annotator's count comes with their median: one pass over the project's annotations instead of two.
        var (annotationsBy, medians) = await CountsAndMediansAsync(db, orgId, projectId, ct);
        var skipped = db.Assignments.Where(a => a.ProjectId == projectId && a.Status == AssignmentStatus.Skipped);
        var skipsBy = await skipped.GroupBy(a => a.AnnotatorId)
            .Select(g => new { AnnotatorId = g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.AnnotatorId, x => x.Count, ct);
        var reasons = await skipped.GroupBy(a => a.SkipReason ?? "")
            .Select(g => new { Reason = g.Key, Count = g.Count() })
            .OrderByDescending(x => x.Count).ThenBy(x => x.Reason)
            .Take(TopReasons)
            .ToListAsync(ct);

        var since = now.Date.AddDays(1 - Days);
        var perDay = await db.Annotations.Where(a => a.ProjectId == projectId && a.CreatedAt >= since && a.ExternalRaterId == null)
            .GroupBy(a => new { a.AnnotatorId, Day = a.CreatedAt.Date })
            .Select(g => new { g.Key.AnnotatorId, g.Key.Day, Count = g.Count() })
            .ToListAsync(ct);

        // At most 8 rows: one per combination of flags.
        var flagged = await db.Assignments.Where(a => a.ProjectId == projectId && a.Flags != ContentFlags.None)
            .GroupBy(a => a.Flags)
            .Select(g => new { Flags = g.Key, Count = g.Count() })
            .ToListAsync(ct);
        int Flagged(ContentFlags flag) => flagged.Where(f => f.Flags.HasFlag(flag)).Sum(f => f.Count);

        var annotatorIds = annotationsBy.Keys.Union(skipsBy.Keys).ToList();
        var names = await db.Users.Where(u => annotatorIds.Contains(u.Id))
            .Select(u => new { u.Id, Name = u.DisplayName != "" ? u.DisplayName : u.Email ?? "" })
            .ToDictionaryAsync(u => u.Id, u => u.Name, ct);
        string Name(Guid id) => names.GetValueOrDefault(id) ?? "(removed user)";

        var annotators = annotatorIds
            .Select(id => new AnnotatorProgress(id, Name(id), annotationsBy.GetValueOrDefault(id), skipsBy.GetValueOrDefault(id),
                medians.TryGetValue(id, out var m) ? m : null))
            .OrderByDescending(a => a.Annotations).ThenBy(a => a.Name, StringComparer.Ordinal)
            .ToList();

        // External raters are listed after the project's annotators, marked, with the labels their file gave.
        var external = await db.ExternalRaters.Where(r => r.ProjectId == projectId)
            .Select(r => new { r.Id, r.Name, Count = db.Annotations.Count(a => a.ExternalRaterId == r.Id) })
            .ToListAsync(ct);
        annotators.AddRange(external.OrderByDescending(r => r.Count).ThenBy(r => r.Name, StringComparer.Ordinal)
            .Select(r => new AnnotatorProgress(r.Id, r.Name, r.Count, 0, null, External: true)));

        return new ProjectProgress(
            projectId,
            project.Name,
            project.Overlap,
            items,
            annotationsBy.Values.Sum(),
            medians.TryGetValue(Guid.Empty, out var overall) ? overall : null,
            annotators,
            [.. perDay.OrderBy(d => d.Day).ThenBy(d => Name(d.AnnotatorId), StringComparer.Ordinal)
                .Select(d => new DailyAnnotations(DateOnly.FromDateTime(d.Day), d.AnnotatorId, Name(d.AnnotatorId), d.Count))],
            skipsBy.Values.Sum(),
            [.. reasons.Select(r => new ReasonCount(r.Reason, r.Count))],
            new FlagCounts(Flagged(ContentFlags.Unsafe), Flagged(ContentFlags.Broken), Flagged(ContentFlags.WrongLanguage)),
            now,
            external.Sum(r => r.Count));
    }

    private static async Task<ItemProgress> ItemsAsync(PortalDbContext db, Guid projectId, int overlap, DateTime now, CancellationToken ct)
    {
        var items = db.Items.Where(i => i.ProjectId == projectId);
        var total = await items.CountAsync(ct);
        var gold = await items.CountAsync(i => i.IsGold, ct);
        // External raters' labels do not count towards an item's overlap (docs/decisions/0009): only the portal's own annotations here.
        var own = db.Annotations.Where(a => a.ExternalRaterId == null);
        var aiOnly = await items.CountAsync(i => !i.IsGold && i.Overlap == 0 && !own.Any(a => a.ItemId == i.Id), ct);
        var rated = items.Where(i => !i.IsGold && !(i.Overlap == 0 && !own.Any(a => a.ItemId == i.Id)));
        var fully = await rated.CountAsync(i => own.Count(a => a.ItemId == i.Id && a.RepeatOf == null) >= (i.Overlap ?? overlap), ct);
        var touched = await rated.CountAsync(i =>
            own.Any(a => a.ItemId == i.Id)
            || db.Assignments.Any(a => a.ItemId == i.Id && a.Status == AssignmentStatus.Leased && a.LeaseExpiresAt > now), ct);
        return new ItemProgress(total, gold, fully, touched - fully, total - gold - aiOnly - touched, aiOnly);
    }

    /// <summary>
    /// The annotations per annotator, and the median time on task in seconds per annotator and over the whole project
    /// under <see cref="Guid.Empty"/>. The database ranks the times with window functions and returns only the one or two
    /// middle rows of each set with its size, so nothing grows with the project but the sort the database does (none for
    /// the annotators' sets: <c>IX_Annotations_Project_Annotator</c> holds them in order).
    /// </summary>
    /// <remarks>
    /// Raw SQL (the same on SQLite, PostgreSQL and SQL Server, whose connections quote identifiers with double quotes by
    /// default: LINQ has no window functions), so the tenant filter is written out.
    /// </remarks>
    private static async Task<(Dictionary<Guid, int> Counts, Dictionary<Guid, double> Medians)> CountsAndMediansAsync(
        PortalDbContext db, Guid orgId, Guid projectId, CancellationToken ct)
    {
        var perAnnotator = await db.Database.SqlQuery<MiddleRow>($"""
            SELECT r."AnnotatorId" AS "AnnotatorId", r."TimeOnTaskMs" AS "TimeOnTaskMs", CAST(r.n AS BIGINT) AS "Count"
            FROM (
                SELECT "AnnotatorId", "TimeOnTaskMs",
                       ROW_NUMBER() OVER (PARTITION BY "AnnotatorId" ORDER BY "TimeOnTaskMs") AS rn,
                       COUNT(*) OVER (PARTITION BY "AnnotatorId") AS n
                FROM "Annotations"
                WHERE "TenantId" = {orgId} AND "ProjectId" = {projectId} AND "ExternalRaterId" IS NULL
            ) r
            WHERE r.rn IN ((r.n + 1) / 2, (r.n + 2) / 2)
            """).ToListAsync(ct);
        var overall = await db.Database.SqlQuery<int>($"""
            SELECT r."TimeOnTaskMs" AS "Value"
            FROM (
                SELECT "TimeOnTaskMs",
                       ROW_NUMBER() OVER (ORDER BY "TimeOnTaskMs") AS rn,
                       COUNT(*) OVER () AS n
                FROM "Annotations"
                WHERE "TenantId" = {orgId} AND "ProjectId" = {projectId} AND "ExternalRaterId" IS NULL
            ) r
            WHERE r.rn IN ((r.n + 1) / 2, (r.n + 2) / 2)
            """).ToListAsync(ct);

        // An odd count gives the middle row once, an even count the two middle rows: their mean is the median either way.
        var medians = perAnnotator.GroupBy(r => r.AnnotatorId).ToDictionary(g => g.Key, g => g.Average(r => r.TimeOnTaskMs) / 1000.0);
        if (overall.Count > 0)
        {
            medians[Guid.Empty] = overall.Average() / 1000.0;
        }

        return (perAnnotator.GroupBy(r => r.AnnotatorId).ToDictionary(g => g.Key, g => (int)g.First().Count), medians);
    }

    private sealed record MiddleRow(Guid AnnotatorId, int TimeOnTaskMs, long Count);
}
