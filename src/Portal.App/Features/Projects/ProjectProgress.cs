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
        await using var serial = await SerialAsync(db, ct);
        var items = await ItemsAsync(db, orgId, projectId, project.Overlap, now, ct);

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

        var perDay = await PerDayAsync(db, orgId, projectId, now, ct);

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

    /// <summary>
    /// PostgreSQL: the page's statements in one read transaction with parallel plans off (<c>SET LOCAL</c>, so only for
    /// it). PostgreSQL planned the item states in parallel with each worker building the same per-item counts from all of
    /// the project's annotations (3× the CPU time of the serial plan, and slower on a busy machine); the other passes are
    /// index walks it runs serially anyway. Null elsewhere.
    /// </summary>
    private static async Task<IAsyncDisposable?> SerialAsync(PortalDbContext db, CancellationToken ct)
    {
        if (!db.Database.IsNpgsql())
        {
            return null;
        }

        var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlRawAsync("SET LOCAL max_parallel_workers_per_gather = 0", ct);
        return transaction;
    }

    /// <summary>
    /// The item states in one pass: the project's items joined to their own annotations counted per item (read in item order
    /// from <c>IX_Annotations_Project_Item</c>, so no per-item lookup) and to the few live leases.
    /// </summary>
    /// <remarks>
    /// Raw SQL (the same on SQLite, PostgreSQL and SQL Server, whose connections quote identifiers with double quotes by
    /// default), so the tenant filter is written out. The booleans go in as parameters: each database spells them its own way.
    /// External raters' labels do not count towards an item's overlap (docs/decisions/0009): only the portal's own annotations.
    /// An AI-only item is one whose overlap is 0 and that has no annotation; fully rated counts the annotations that are not
    /// self-consistency repeats; in progress is any annotation or a live lease.
    /// </remarks>
    private static async Task<ItemProgress> ItemsAsync(PortalDbContext db, Guid orgId, Guid projectId, int overlap, DateTime now, CancellationToken ct)
    {
        var (leased, yes, no) = ((int)AssignmentStatus.Leased, true, false);
        var row = (await db.Database.SqlQuery<ItemCounts>($"""
            SELECT CAST(COUNT(*) AS BIGINT) AS "Total",
                   CAST(COALESCE(SUM(s."IsGold"), 0) AS BIGINT) AS "Gold",
                   CAST(COALESCE(SUM(s."IsAiOnly"), 0) AS BIGINT) AS "AiOnly",
                   CAST(COALESCE(SUM(CASE WHEN s."IsGold" = 0 AND s."IsAiOnly" = 0 THEN s."IsFull" ELSE 0 END), 0) AS BIGINT) AS "FullyRated",
                   CAST(COALESCE(SUM(CASE WHEN s."IsGold" = 0 AND s."IsAiOnly" = 0 THEN s."IsTouched" ELSE 0 END), 0) AS BIGINT) AS "Touched"
            FROM (
                SELECT CASE WHEN i."IsGold" = {yes} THEN 1 ELSE 0 END AS "IsGold",
                       CASE WHEN i."IsGold" = {no} AND COALESCE(i."Overlap", -1) = 0 AND c."ItemId" IS NULL THEN 1 ELSE 0 END AS "IsAiOnly",
                       CASE WHEN COALESCE(c."Rated", 0) >= COALESCE(i."Overlap", {overlap}) THEN 1 ELSE 0 END AS "IsFull",
                       CASE WHEN c."ItemId" IS NOT NULL OR i."Id" IN (
                           SELECT l."ItemId" FROM "Assignments" l
                           WHERE l."TenantId" = {orgId} AND l."ProjectId" = {projectId} AND l."Status" = {leased} AND l."LeaseExpiresAt" > {now})
                       THEN 1 ELSE 0 END AS "IsTouched"
                FROM "Items" i
                LEFT JOIN (
                    SELECT a."ItemId" AS "ItemId", SUM(CASE WHEN a."RepeatOf" IS NULL THEN 1 ELSE 0 END) AS "Rated"
                    FROM "Annotations" a
                    WHERE a."TenantId" = {orgId} AND a."ProjectId" = {projectId} AND a."ExternalRaterId" IS NULL
                    GROUP BY a."ItemId"
                ) c ON c."ItemId" = i."Id"
                WHERE i."TenantId" = {orgId} AND i."ProjectId" = {projectId}
            ) s
            """).ToListAsync(ct)).Single();
        return new ItemProgress((int)row.Total, (int)row.Gold, (int)row.FullyRated, (int)(row.Touched - row.FullyRated),
            (int)(row.Total - row.Gold - row.AiOnly - row.Touched), (int)row.AiOnly);
    }

    private sealed record ItemCounts(long Total, long Gold, long AiOnly, long FullyRated, long Touched);

    /// <summary>
    /// The portal's own annotations per annotator, and the median time on task in seconds per annotator and over the whole
    /// project under <see cref="Guid.Empty"/>: the counts from <c>IX_Annotations_Project_Annotator</c>, then each median as
    /// the one or two middle rows of an index already in time order (<c>OFFSET</c> to the middle), so nothing is sorted.
    /// </summary>
    /// <remarks>
    /// PostgreSQL reads every annotator's middle rows in one statement (<c>LATERAL</c>); SQLite and SQL Server do not allow
    /// the outer row's count in a subquery's <c>OFFSET</c>, so they ask once per annotator (SQLite in process, where a query
    /// costs microseconds).
    /// </remarks>
    private static async Task<(Dictionary<Guid, int> Counts, Dictionary<Guid, double> Medians)> CountsAndMediansAsync(
        PortalDbContext db, Guid orgId, Guid projectId, CancellationToken ct)
    {
        var own = db.Annotations.Where(a => a.ProjectId == projectId && a.ExternalRaterId == null);
        var medians = new Dictionary<Guid, double>();
        Dictionary<Guid, int> counts;
        if (db.Database.IsNpgsql())
        {
            // One pass over IX_Annotations_Project_Annotator (an index-only scan, already in annotator order): each
            // annotator's count and median together, the median sorting only that annotator's few thousand times.
            var rows = await db.Database.SqlQuery<CountAndMedian>($"""
                SELECT a."AnnotatorId" AS "AnnotatorId", CAST(COUNT(*) AS BIGINT) AS "Count",
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY a."TimeOnTaskMs") AS "MedianMs"
                FROM "Annotations" a
                WHERE a."TenantId" = {orgId} AND a."ProjectId" = {projectId} AND a."ExternalRaterId" IS NULL
                GROUP BY a."AnnotatorId"
                """).ToListAsync(ct);
            counts = rows.ToDictionary(r => r.AnnotatorId, r => (int)r.Count);
            foreach (var r in rows)
            {
                // percentile_cont gives the middle time, or the mean of the two middle ones, exactly (integers well below 2^53).
                medians[r.AnnotatorId] = r.MedianMs / 1000.0;
            }
        }
        else
        {
            counts = await own.GroupBy(a => a.AnnotatorId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
            foreach (var (annotatorId, n) in counts)
            {
                var middle = await Middle(own.Where(a => a.AnnotatorId == annotatorId), n).ToListAsync(ct);
                medians[annotatorId] = Median(n, middle[0], middle[^1]);
            }
        }

        // The whole project's from IX_Annotations_Project_Time: the same walk to the middle over one index.
        var total = counts.Values.Sum();
        if (total > 0)
        {
            var middle = await Middle(own, total).ToListAsync(ct);
            medians[Guid.Empty] = Median(total, middle[0], middle[^1]);
        }

        return (counts, medians);
    }

    /// <summary>The one (odd <paramref name="n"/>) or two (even) middle times on task of <paramref name="annotations"/>, of which there are <paramref name="n"/>.</summary>
    private static IQueryable<int> Middle(IQueryable<Annotation> annotations, int n) =>
        annotations.OrderBy(a => a.TimeOnTaskMs).Select(a => a.TimeOnTaskMs).Skip((n - 1) / 2).Take(2 - (n % 2));

    /// <summary>The median in seconds from the middle rows (the same row twice for an odd count): the mean of the two of an even one.</summary>
    private static double Median(long n, int low, int high) => (n % 2 == 1 ? low : (low + (double)high) / 2) / 1000.0;

    private sealed record DayCount(Guid AnnotatorId, DateTime Day, long Count);

    private sealed record CountAndMedian(Guid AnnotatorId, long Count, double MedianMs);

    /// <summary>
    /// The last <see cref="Days"/> days' own annotations per annotator and day: one query per day over
    /// <c>IX_Annotations_Project_Created</c>, grouped by annotator only, so no date is computed per row. Annotations dated
    /// after today (a clock set back) are grouped by their own day as before.
    /// </summary>
    /// <remarks>
    /// PostgreSQL reads the whole range once in one statement, each row's day by <c>date_bin</c> (integer arithmetic on the
    /// timestamp, no time zone lookup as <c>date_trunc(…, 'UTC')</c> needs). The inner <c>ORDER BY</c> is there for the plan:
    /// asked for the rows in time order, PostgreSQL reads them from <c>IX_Annotations_Project_Created</c> alone; without it, it
    /// chose a bitmap scan of <c>IX_Annotations_ProjectId_CreatedAt</c> that visits every heap page of the range (at 10^6
    /// annotations 2× the CPU time) or a parallel scan of the table.
    /// </remarks>
    private static async Task<List<(Guid AnnotatorId, DateTime Day, int Count)>> PerDayAsync(PortalDbContext db, Guid orgId, Guid projectId, DateTime now, CancellationToken ct)
    {
        var own = db.Annotations.Where(a => a.ProjectId == projectId && a.ExternalRaterId == null);
        var rows = new List<(Guid AnnotatorId, DateTime Day, int Count)>();
        var tomorrow = now.Date.AddDays(1);
        if (db.Database.IsNpgsql())
        {
            var since = tomorrow.AddDays(-Days);
            var days = await db.Database.SqlQuery<DayCount>($"""
                SELECT r."AnnotatorId" AS "AnnotatorId", date_bin('1 day', r."CreatedAt", {since}) AS "Day", CAST(COUNT(*) AS BIGINT) AS "Count"
                FROM (
                    SELECT a."AnnotatorId", a."CreatedAt"
                    FROM "Annotations" a
                    WHERE a."TenantId" = {orgId} AND a."ProjectId" = {projectId} AND a."CreatedAt" >= {since} AND a."ExternalRaterId" IS NULL
                    ORDER BY a."CreatedAt"
                ) r
                GROUP BY 1, 2
                """).ToListAsync(ct);
            rows.AddRange(days.Select(d => (d.AnnotatorId, DateTime.SpecifyKind(d.Day, DateTimeKind.Utc), (int)d.Count)));
            return rows;
        }

        for (var day = tomorrow.AddDays(-Days); day < tomorrow; day = day.AddDays(1))
        {
            var (from, to) = (day, day.AddDays(1));
            var counts = await own.Where(a => a.CreatedAt >= from && a.CreatedAt < to)
                .GroupBy(a => a.AnnotatorId)
                .Select(g => new { g.Key, Count = g.Count() })
                .ToListAsync(ct);
            rows.AddRange(counts.Select(c => (c.Key, day, c.Count)));
        }

        // Grouped by day first: grouped by annotator first, SQLite read the whole project from IX_Annotations_Project_Annotator
        // (already in annotator order) and looked up each row's date in the table, for what is usually no row at all
        // (2.8 s of the page's 3.8 s of CPU at 10^6 annotations); by day first, it seeks the range in IX_Annotations_Project_Created.
        var later = await own.Where(a => a.CreatedAt >= tomorrow)
            .GroupBy(a => new { Day = a.CreatedAt.Date, a.AnnotatorId })
            .Select(g => new { g.Key.AnnotatorId, g.Key.Day, Count = g.Count() })
            .ToListAsync(ct);
        rows.AddRange(later.Select(c => (c.AnnotatorId, c.Day, c.Count)));
        return rows;
    }
}
