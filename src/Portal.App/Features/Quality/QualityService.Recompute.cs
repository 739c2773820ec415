using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features.Projects;
using Portal.App.Jobs;
using Portal.Core.Aggregation;

namespace Portal.App.Features.Quality;

/// <summary>How a recompute went: whether it read the whole project, and how many items and annotations it read.</summary>
public sealed record RecomputeOutcome(QualityReport Report, bool Full, int ItemsRead, int AnnotationsRead, string? FullBecause)
{
    /// <summary>Where an incremental run spent its wall time, phase by phase (empty for a full one).</summary>
    public IReadOnlyList<RecomputePhase> Phases { get; init; } = [];
}

public sealed partial class QualityService
{
    /// <summary>Items read, and written back, per page (and per transaction) by a full recompute.</summary>
    public const int PageSize = 1000;

    /// <summary>
    /// How far behind its watermark a recompute looks again: an annotation committed late with an earlier time is still
    /// caught, and an item read twice is harmless (its old ratings are taken out before its new ones are counted).
    /// </summary>
    internal static readonly TimeSpan CatchUpMargin = TimeSpan.FromMinutes(2);

    private static readonly JsonSerializerOptions StateJson = new(JsonSerializerDefaults.General);

    /// <summary>
    /// Brings a project's report and curated labels up to date: incrementally, in one transaction (only the items whose
    /// annotations changed since the last recompute are read), when the counters of the last one still apply; in full
    /// otherwise, a page of items per transaction.
    /// </summary>
    public async Task<QualityReport> RecomputeAsync(Guid tenantId, Guid projectId, IJobProgress? progress = null, CancellationToken ct = default) =>
        (await RecomputeWithOutcomeAsync(tenantId, projectId, progress, ct)).Report;

    /// <inheritdoc cref="RecomputeAsync"/>
    public async Task<RecomputeOutcome> RecomputeWithOutcomeAsync(Guid tenantId, Guid projectId, IJobProgress? progress = null, CancellationToken ct = default)
    {
        var (outcome, because) = await IncrementalAsync(tenantId, projectId, progress, ct);
        return outcome ?? await RecomputeFullAsync(tenantId, projectId, progress, because, ct);
    }

    /// <summary>
    /// Recomputes a project's report and curated labels from all its annotations, read a page of items at a time: memory
    /// holds the counters (per dimension, per annotator, per pair of annotators), not the annotations; Dawid–Skene labels
    /// are the exception (a fit over every rating at once).
    /// </summary>
    public async Task<RecomputeOutcome> RecomputeFullAsync(Guid tenantId, Guid projectId, IJobProgress? progress = null, string? because = null, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(tenantId);
        var scope = await ScopeAsync(db, projectId, ct);
        var project = scope.Project;
        await Report(progress, 5, "Reading annotations");
        var now = clock.GetUtcNow().UtcDateTime;
        var count = await CountAsync(db, projectId, ct);
        var lastAt = await LastChangeAsync(db, projectId, ct);
        var itemTotal = Math.Max(1, await db.Items.CountAsync(i => i.ProjectId == projectId, ct));
        var labelInfos = await InfosAsync(db, projectId, null, ct);
        var dawidSkene = project.Settings.Quality.Aggregation == AggregationMethod.DawidSkene;
        var accumulator = new QualityAccumulator();

        // The counters of the last recompute stop matching the snapshots as soon as the first page below replaces some: they
        // go first, so a recompute that stops half-way leaves the next run a full recompute, never a wrong incremental one.
        await db.QualityStates.Where(s => s.ProjectId == projectId).ExecuteDeleteAsync(ct);
        var after = Guid.Empty;
        int itemsRead = 0, annotationsRead = 0;
        while (true)
        {
            var page = await db.Items.AsNoTracking().Where(i => i.ProjectId == projectId && i.Id.CompareTo(after) > 0)
                .OrderBy(i => i.Id).Select(i => new { i.Id, i.IsGold }).Take(PageSize).ToListAsync(ct);
            if (page.Count == 0)
            {
                break;
            }

            after = page[^1].Id;
            var pageIds = page.Select(i => i.Id).ToList();
            var rows = await ItemRowsAsync(db, projectId, [.. page.Where(i => !i.IsGold).Select(i => i.Id)], scope.AttributeVersion, ct);
            foreach (var item in rows.GroupBy(r => r.ItemId))
            {
                var itemRows = item.ToList();
                accumulator.AddItem(project, scope.Dimensions, itemRows, 1);
                db.QualityItemSnapshots.Add(new QualityItemSnapshot { ProjectId = projectId, ItemId = item.Key, RowsJson = JsonSerializer.Serialize(itemRows, StateJson) });
            }

            if (!dawidSkene)
            {
                db.CuratedLabels.AddRange(QualityCalculator.Labels(project, scope.Likert, scope.Pairwise, [.. rows.Where(r => r.RepeatOf is null)], labelInfos, now));
            }

            // Each page's snapshots and labels replace the old ones in a short transaction of their own: on SQLite the one
            // write lock is free between pages, so annotators keep submitting while a big project is recomputed, and
            // readers see every item with its old label or its new one. An answer made meanwhile is read again by the
            // next (incremental) run, as it is newer than the watermark taken before the first page.
            await using (var tx = await db.Database.BeginTransactionAsync(ct))
            {
                await db.QualityItemSnapshots.Where(s => s.ProjectId == projectId && pageIds.Contains(s.ItemId)).ExecuteDeleteAsync(ct);
                if (!dawidSkene)
                {
                    await LabelsOf(db, pageIds).ExecuteDeleteAsync(ct);
                }

                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
            }

            db.ChangeTracker.Clear();
            itemsRead += page.Count;
            annotationsRead += rows.Count;
            await Report(progress, 5 + (70 * itemsRead / itemTotal), $"Counted {annotationsRead} annotations on {itemsRead} items");
        }

        if (dawidSkene)
        {
            // The Dawid–Skene fit weighs every annotator's confusion over the whole project at once: it has no per-item
            // update, so its labels replace the project's in one transaction, written after the fit (which reads outside it).
            var all = await RowsAsync(db, projectId, ct);
            var fitted = QualityCalculator.Labels(project, scope.Likert, scope.Pairwise, [.. all.Where(r => r.RepeatOf is null)], labelInfos, now);
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await db.CuratedLabels.Where(l => l.ProjectId == projectId).ExecuteDeleteAsync(ct);
            foreach (var batch in fitted.Chunk(1000))
            {
                db.CuratedLabels.AddRange(batch);
                await db.SaveChangesAsync(ct);
                db.ChangeTracker.Clear();
            }

            await tx.CommitAsync(ct);
        }

        await Report(progress, 80, "Reading each annotator's answers in order");
        accumulator.Prune();
        await SequencesAsync(db, projectId, scope.AttributeVersion, accumulator, ct);
        foreach (var (id, counts) in accumulator.Annotators)
        {
            await ReadTimesAsync(db, projectId, id, counts, ct);
        }

        var report = await FinishAsync(db, scope, accumulator, now, ct);
        await using var stateTx = await db.Database.BeginTransactionAsync(ct);
        var state = await db.QualityStates.FirstOrDefaultAsync(s => s.ProjectId == projectId, ct);
        if (state is null)
        {
            state = new QualityState { ProjectId = projectId };
            db.QualityStates.Add(state);
        }

        state.Watermark = lastAt ?? DateTime.UnixEpoch;
        state.AttributeVersion = scope.AttributeVersion;
        state.Fingerprint = scope.Fingerprint;
        state.AnnotationCount = count;
        state.StateJson = JsonSerializer.Serialize(accumulator, StateJson);
        await StoreReportAsync(db, projectId, report, now, count, lastAt, ct);
        await stateTx.CommitAsync(ct);
        await Report(progress, 100, $"{report.Annotations} annotations on {report.Items} items (full recompute{(because is null ? "" : ": " + because)})");
        return new RecomputeOutcome(report, true, itemsRead, annotationsRead, because);
    }

    /// <summary>
    /// Updates the counters of the last recompute with the items whose annotations were made or revised since its watermark
    /// (less <see cref="CatchUpMargin"/>); null, with the reason, when they no longer apply and a full recompute is needed.
    /// </summary>
    private async Task<(RecomputeOutcome? Outcome, string? FullBecause)> IncrementalAsync(Guid tenantId, Guid projectId, IJobProgress? progress, CancellationToken ct)
    {
        var phases = new PhaseClock();
        await using var db = dbFactory.CreateForTenant(tenantId);
        var scope = await ScopeAsync(db, projectId, ct);
        var project = scope.Project;
        var state = await db.QualityStates.FirstOrDefaultAsync(s => s.ProjectId == projectId, ct);
        phases.Lap("project and state");
        if (state is null)
        {
            return (null, "no counters yet");
        }

        if (state.Fingerprint != scope.Fingerprint)
        {
            return (null, "the project's settings, attribute set or gold standings changed");
        }

        if (project.Settings.Quality.Aggregation == AggregationMethod.DawidSkene)
        {
            return (null, "Dawid–Skene labels are fitted over the whole project");
        }

        // The one read that grows with the project (an index-only count of its annotations, for deleted ones): it runs on a
        // connection of its own while this one reads and updates the changed items, and is checked before the commit.
        var counting = CountOnItsOwnAsync(tenantId, projectId, ct);
        await Report(progress, 5, "Reading the annotations made since the last recompute");
        var now = clock.GetUtcNow().UtcDateTime;
        var since = state.Watermark > DateTime.UnixEpoch + CatchUpMargin ? state.Watermark - CatchUpMargin : DateTime.UnixEpoch;
        // Two reads, each a range of one index, (project, created at) and (project, revised at), rather than one with an OR.
        var changed = await db.Annotations.AsNoTracking().Where(a => a.ProjectId == projectId && a.CreatedAt > since)
            .Select(a => new { a.ItemId, At = a.RevisedAt ?? a.CreatedAt }).ToListAsync(ct);
        changed.AddRange(await db.Annotations.AsNoTracking().Where(a => a.ProjectId == projectId && a.RevisedAt > since)
            .Select(a => new { a.ItemId, At = a.RevisedAt ?? a.CreatedAt }).ToListAsync(ct));
        phases.Lap("changed annotations");
        var touched = changed.Select(c => c.ItemId).Distinct().ToList();
        var items = new List<Guid>();
        foreach (var chunk in touched.Chunk(PageSize))
        {
            items.AddRange(await db.Items.AsNoTracking().Where(i => chunk.Contains(i.Id) && !i.IsGold).Select(i => i.Id).ToListAsync(ct));
        }

        phases.Lap("non-gold items");
        var accumulator = JsonSerializer.Deserialize<QualityAccumulator>(state.StateJson, StateJson) ?? new QualityAccumulator();
        accumulator.TrackTimes = true;
        phases.Lap("state JSON read");
        var labelInfos = await InfosAsync(db, projectId, null, ct);
        phases.Lap("annotator infos");
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await using var hold = progress?.HoldWrites(db);
        var sequences = new Dictionary<Guid, List<RatingRow>>();
        var rescan = new HashSet<Guid>();
        var annotationsRead = 0;

        // SQLite: the snapshots and labels are rewritten by prepared statements (no EF Core tracking or command per row).
        var sqlite = db.Database.IsSqlite();
        await using var snapshotWrite = sqlite ? new PreparedUpdate(db, typeof(QualityItemSnapshot), [nameof(QualityItemSnapshot.RowsJson)]) : null;
        await using var labelWrite = sqlite ? new PreparedUpdate(db, typeof(CuratedLabel)) : null;
        foreach (var chunk in items.Chunk(PageSize))
        {
            phases.Lap("begin");
            var snapshotQuery = db.QualityItemSnapshots.Where(s => s.ProjectId == projectId && chunk.Contains(s.ItemId));
            var snapshots = await (sqlite ? snapshotQuery.AsNoTracking() : snapshotQuery).ToDictionaryAsync(s => s.ItemId, ct);
            phases.Lap("old snapshots");
            var rows = await ItemRowsAsync(db, projectId, [.. chunk], scope.AttributeVersion, ct);
            phases.Lap("items' annotations");
            annotationsRead += rows.Count;
            var byItem = rows.GroupBy(r => r.ItemId).ToDictionary(g => g.Key, g => g.ToList());
            foreach (var itemId in chunk)
            {
                var snapshot = snapshots.GetValueOrDefault(itemId);
                var before = snapshot is null ? [] : JsonSerializer.Deserialize<List<RatingRow>>(snapshot.RowsJson, StateJson) ?? [];
                var current = byItem.GetValueOrDefault(itemId) ?? [];
                accumulator.AddItem(project, scope.Dimensions, before, -1);
                accumulator.AddItem(project, scope.Dimensions, current, 1);
                NoteSequenceChanges(before, current, sequences, rescan);
                if (current.Count == 0 && snapshot is not null)
                {
                    db.QualityItemSnapshots.Remove(snapshot);
                }
                else if (snapshot is null)
                {
                    db.QualityItemSnapshots.Add(new QualityItemSnapshot { ProjectId = projectId, ItemId = itemId, RowsJson = JsonSerializer.Serialize(current, StateJson) });
                }
                else
                {
                    snapshot.RowsJson = JsonSerializer.Serialize(current, StateJson);
                    if (snapshotWrite is not null)
                    {
                        await snapshotWrite.RunAsync(snapshot, ct);
                    }
                }
            }

            phases.Lap("counters update");
            var oldLabels = await (sqlite ? LabelsOf(db, [.. chunk]).AsNoTracking() : LabelsOf(db, [.. chunk])).ToDictionaryAsync(l => l.ItemId, ct);
            phases.Lap("old labels");
            await ReplaceLabelsAsync(db, labelWrite, oldLabels, QualityCalculator.Labels(project, scope.Likert, scope.Pairwise, [.. rows.Where(r => r.RepeatOf is null)], labelInfos, now), ct);
            phases.Lap("labels");
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
            phases.Lap("snapshot and label writes");
        }

        await Report(progress, 60, $"Updated the counters with {annotationsRead} annotations on {items.Count} items");
        accumulator.Prune();
        foreach (var (id, appended) in sequences)
        {
            if (!accumulator.Annotators.TryGetValue(id, out var counts))
            {
                continue;
            }

            if (rescan.Contains(id) || appended.Any(r => r.CreatedAt <= counts.LastAt))
            {
                await SequenceAsync(db, projectId, id, scope.AttributeVersion, counts, ct);
                continue;
            }

            foreach (var r in appended.OrderBy(r => r.CreatedAt).ThenBy(r => r.Id))
            {
                var text = QualityCalculator.AnswerText(r);
                counts.Repeats += counts.LastAnswer == text ? 1 : 0;
                (counts.LastAnswer, counts.LastAt) = (text, r.CreatedAt);
            }
        }

        phases.Lap("answer sequences");
        foreach (var (id, counts) in accumulator.Annotators)
        {
            if (!counts.Times.Covers(counts.Annotations))
            {
                await ReadTimesAsync(db, projectId, id, counts, ct);
            }
        }

        phases.Lap("median time windows");
        var report = await FinishAsync(db, scope, accumulator, now, ct);
        phases.Lap("report");
        var metrics = await db.ProjectMetrics.AsNoTracking().Where(m => m.ProjectId == projectId).Select(m => m.LastAnnotationAt).FirstOrDefaultAsync(ct);
        DateTime? lastAt = changed.Count == 0 ? metrics : changed.Max(c => c.At);
        if (metrics > lastAt)
        {
            lastAt = metrics;
        }

        phases.Lap("metrics");
        var count = await counting;
        phases.Lap("count (wait)");
        if (count < state.AnnotationCount)
        {
            return (null, "annotations were deleted"); // The transaction is rolled back: nothing of this run is kept.
        }

        var tracked = await db.QualityStates.FirstAsync(s => s.ProjectId == projectId, ct);
        tracked.Watermark = lastAt ?? state.Watermark;
        tracked.AnnotationCount = count;
        tracked.StateJson = JsonSerializer.Serialize(accumulator, StateJson);
        await StoreReportAsync(db, projectId, report, now, count, lastAt, ct);
        phases.Lap("state and report write");
        await tx.CommitAsync(ct);
        phases.Lap("commit");
        await Report(progress, 100, $"{report.Annotations} annotations on {report.Items} items ({annotationsRead} read on {items.Count} changed items)");
        return (new RecomputeOutcome(report, false, items.Count, annotationsRead, null) { Phases = phases.Phases }, null);
    }

    /// <summary>
    /// The changed items' labels written over their old ones, row for row: an UPDATE leaves the label's indexes (id, item,
    /// project) as they are, where a delete and an insert rewrote an entry in each of them. On SQLite through
    /// <paramref name="write"/> (the old labels were read untracked), elsewhere through EF Core's batched updates.
    /// </summary>
    private static async Task ReplaceLabelsAsync(PortalDbContext db, PreparedUpdate? write, Dictionary<Guid, CuratedLabel> old, IEnumerable<CuratedLabel> fresh, CancellationToken ct)
    {
        foreach (var label in fresh)
        {
            if (old.Remove(label.ItemId, out var existing))
            {
                (label.Id, label.TenantId) = (existing.Id, existing.TenantId);
                if (write is not null)
                {
                    await write.RunAsync(label, ct);
                }
                else
                {
                    db.Entry(existing).CurrentValues.SetValues(label);
                }
            }
            else
            {
                db.CuratedLabels.Add(label);
            }
        }

        db.CuratedLabels.RemoveRange(old.Values);
    }

    /// <summary>
    /// Sorts an item's changed answers by what they do to their annotator's answer sequence: new ones are appended to it;
    /// a changed or removed one means the annotator's sequence is read again.
    /// </summary>
    private static void NoteSequenceChanges(List<RatingRow> before, List<RatingRow> now, Dictionary<Guid, List<RatingRow>> appended, HashSet<Guid> rescan)
    {
        var old = before.Where(r => r.RepeatOf is null).ToDictionary(r => r.Id);
        foreach (var r in now.Where(r => r.RepeatOf is null))
        {
            var list = appended.TryGetValue(r.AnnotatorId, out var l) ? l : appended[r.AnnotatorId] = [];
            if (old.Remove(r.Id, out var was))
            {
                if (was.CreatedAt != r.CreatedAt || QualityCalculator.AnswerText(was) != QualityCalculator.AnswerText(r))
                {
                    rescan.Add(r.AnnotatorId);
                }
            }
            else
            {
                list.Add(r);
            }
        }

        foreach (var gone in old.Values)
        {
            rescan.Add(gone.AnnotatorId);
            if (!appended.ContainsKey(gone.AnnotatorId))
            {
                appended[gone.AnnotatorId] = [];
            }
        }
    }

    /// <summary>
    /// The newest annotation time, created or revised (a revision is never older than its annotation): two maxima read
    /// from the (project, created) and (project, revised) indexes, where one over RevisedAt ?? CreatedAt reads every row.
    /// </summary>
    private static async Task<DateTime?> LastChangeAsync(PortalDbContext db, Guid projectId, CancellationToken ct) =>
        Later(await db.Annotations.Where(a => a.ProjectId == projectId).MaxAsync(a => (DateTime?)a.CreatedAt, ct),
            await db.Annotations.Where(a => a.ProjectId == projectId).MaxAsync(a => a.RevisedAt, ct));

    /// <summary>
    /// The project's annotations, counted from its smallest index, (ProjectId, RevisedAt): the project was found through the
    /// tenant's filter (<see cref="ScopeAsync"/>) and its id is unique, so the tenant's own condition is left out here; with
    /// it the database reads a five-column index, or the table (PostgreSQL chose a sequential scan, 0.8 s at 10^6).
    /// </summary>
    private static Task<int> CountAsync(PortalDbContext db, Guid projectId, CancellationToken ct) =>
        db.Annotations.IgnoreQueryFilters().CountAsync(a => a.ProjectId == projectId, ct);

    private async Task<int> CountOnItsOwnAsync(Guid tenantId, Guid projectId, CancellationToken ct)
    {
        await Task.Yield();
        await using var db = dbFactory.CreateForTenant(tenantId);
        return await CountAsync(db, projectId, ct);
    }

    /// <summary>
    /// The curated labels of the given items (an item has at most one, and belongs to one project): looked up by item id
    /// alone, as with the project's id beside it SQLite walked the project's index, every label of the project for each
    /// page (0.7 s a page at 10^6 annotations, so a full recompute grew with the square of the project).
    /// </summary>
    private static IQueryable<CuratedLabel> LabelsOf(PortalDbContext db, List<Guid> itemIds) =>
        db.CuratedLabels.Where(l => itemIds.Contains(l.ItemId));

    private static DateTime? Later(DateTime? a, DateTime? b) => a is null ? b : b is null ? a : a > b ? a : b;

    private sealed record Scope(Project Project, int AttributeVersion, List<QualityCalculator.Dimension> Dimensions, string Fingerprint, bool Likert, bool Pairwise);

    /// <summary>The project and what its counters depend on besides the annotations: the attribute-set version, the settings, and (for trust-weighted labels) the gold standings.</summary>
    private static async Task<Scope> ScopeAsync(PortalDbContext db, Guid projectId, CancellationToken ct)
    {
        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId, ct)
            ?? throw new Organisations.PortalValidationException("projectId", "There is no such project in this organisation.");
        var version = await AttributeVersions.CurrentAsync(db, projectId, ct);
        var depends = new StringBuilder().Append(project.Kind).Append('|').Append(JsonSerializer.Serialize(project.Settings, ProjectSettings.Json));
        if (project.Settings.Quality.Aggregation == AggregationMethod.TrustWeightedVote)
        {
            var standings = await db.ProjectAnnotators.AsNoTracking().Where(s => s.ProjectId == projectId)
                .Select(s => new { s.AnnotatorId, s.GoldAnswered, s.GoldCorrect }).ToListAsync(ct);
            foreach (var s in standings.OrderBy(s => s.AnnotatorId))
            {
                depends.Append('|').Append(s.AnnotatorId).Append(':').Append(s.GoldAnswered).Append(':').Append(s.GoldCorrect);
            }
        }

        var fingerprint = $"{version}:{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(depends.ToString())))}";
        return new Scope(project, version, [.. QualityCalculator.Dimensions(project)], fingerprint,
            project.Kind is ProjectKind.Likert or ProjectKind.LikertAndPairwise, project.Kind is ProjectKind.Pairwise or ProjectKind.LikertAndPairwise);
    }

    /// <summary>The ratings of the given items (callers leave gold items out), scores of earlier attribute sets dropped as <see cref="RowsAsync"/> drops them.</summary>
    private static async Task<List<RatingRow>> ItemRowsAsync(PortalDbContext db, Guid projectId, List<Guid> itemIds, int current, CancellationToken ct)
    {
        if (itemIds.Count == 0)
        {
            return [];
        }

        return await ReadRowsAsync(db.Annotations.Where(a => a.ProjectId == projectId && itemIds.Contains(a.ItemId)), current, ct);
    }

    /// <summary>One annotator's answers on non-gold items (self-consistency repeats left out), in the order they were made.</summary>
    private static IQueryable<Annotation> AnswersOf(PortalDbContext db, Guid projectId) =>
        db.Annotations.AsNoTracking().Where(a => a.ProjectId == projectId && a.RepeatOf == null && db.Items.Any(i => i.Id == a.ItemId && !i.IsGold));

    /// <summary>Every annotator's repeat count and last answer, in one pass over the project's answers ordered by annotator and time.</summary>
    private static async Task SequencesAsync(PortalDbContext db, Guid projectId, int version, QualityAccumulator accumulator, CancellationToken ct)
    {
        Guid? current = null;
        AnnotatorCounts? counts = null;
        await foreach (var a in AnswersOf(db, projectId).OrderBy(a => a.AnnotatorId).ThenBy(a => a.CreatedAt).ThenBy(a => a.Id)
            .Select(a => new { a.AnnotatorId, a.Choice, a.Strength, a.Scores, a.ScoresB, a.AttributeVersion, a.CreatedAt }).AsAsyncEnumerable().WithCancellation(ct))
        {
            if (a.AnnotatorId != current)
            {
                current = a.AnnotatorId;
                counts = accumulator.Annotators.GetValueOrDefault(a.AnnotatorId);
                if (counts is not null)
                {
                    (counts.Repeats, counts.LastAnswer, counts.LastAt) = (0, null, default);
                }
            }

            if (counts is not null)
            {
                var keep = (a.AttributeVersion ?? 1) == version;
                var text = QualityCalculator.AnswerText(new RatingRow(default, default, default, keep ? a.Scores : null, keep ? a.ScoresB : null,
                    a.Choice, a.Strength, true, 0, a.CreatedAt));
                counts.Repeats += counts.LastAnswer == text ? 1 : 0;
                (counts.LastAnswer, counts.LastAt) = (text, a.CreatedAt);
            }
        }
    }

    /// <summary>One annotator's repeat count and last answer, read again (an old answer of theirs changed).</summary>
    private static async Task SequenceAsync(PortalDbContext db, Guid projectId, Guid annotatorId, int version, AnnotatorCounts counts, CancellationToken ct)
    {
        (counts.Repeats, counts.LastAnswer, counts.LastAt) = (0, null, default);
        await foreach (var a in AnswersOf(db, projectId).Where(a => a.AnnotatorId == annotatorId).OrderBy(a => a.CreatedAt).ThenBy(a => a.Id)
            .Select(a => new { a.Choice, a.Strength, a.Scores, a.ScoresB, a.AttributeVersion, a.CreatedAt }).AsAsyncEnumerable().WithCancellation(ct))
        {
            var keep = (a.AttributeVersion ?? 1) == version;
            var text = QualityCalculator.AnswerText(new RatingRow(default, default, default, keep ? a.Scores : null, keep ? a.ScoresB : null,
                a.Choice, a.Strength, true, 0, a.CreatedAt));
            counts.Repeats += counts.LastAnswer == text ? 1 : 0;
            (counts.LastAnswer, counts.LastAt) = (text, a.CreatedAt);
        }
    }

    /// <summary>Reads the window of an annotator's times on task around their median from the (project, annotator, time) index.</summary>
    private static async Task ReadTimesAsync(PortalDbContext db, Guid projectId, Guid annotatorId, AnnotatorCounts counts, CancellationToken ct)
    {
        var n = counts.Annotations;
        var skip = Math.Max(0, ((n - 1) / 2) - TimeWindow.Reach);
        var values = await AnswersOf(db, projectId).Where(a => a.AnnotatorId == annotatorId).OrderBy(a => a.TimeOnTaskMs)
            .Select(a => a.TimeOnTaskMs).Skip((int)skip).Take((2 * TimeWindow.Reach) + 2).ToListAsync(ct);
        counts.Times = new TimeWindow { Below = skip, Values = values, Above = Math.Max(0, n - skip - values.Count) };
    }

    /// <summary>Names, gold records and pauses of the given annotators (null: every annotator with a standing in the project, and every external rater).</summary>
    private static async Task<Dictionary<Guid, AnnotatorInfo>> InfosAsync(PortalDbContext db, Guid projectId, IReadOnlyCollection<Guid>? ids, CancellationToken ct)
    {
        var standings = await db.ProjectAnnotators.AsNoTracking().Where(s => s.ProjectId == projectId).ToDictionaryAsync(s => s.AnnotatorId, ct);
        var external = await ExternalNamesAsync(db, projectId, ct);
        ids ??= [.. standings.Keys.Concat(external.Keys).Distinct()];
        var names = new Dictionary<Guid, string>();
        foreach (var chunk in ids.Chunk(PageSize))
        {
            var found = await db.Users.AsNoTracking().Where(u => chunk.Contains(u.Id)).Select(u => new { u.Id, u.DisplayName }).ToListAsync(ct);
            foreach (var u in found)
            {
                names[u.Id] = u.DisplayName;
            }
        }

        return ids.ToDictionary(id => id, id =>
        {
            var s = standings.GetValueOrDefault(id);
            return external.TryGetValue(id, out var rater) ? new AnnotatorInfo(rater, 0, 0, false, External: true)
                : new AnnotatorInfo(names.GetValueOrDefault(id) ?? "", s?.GoldAnswered ?? 0, s?.GoldCorrect ?? 0, s?.PausedAt is not null);
        });
    }

    /// <summary>The report from the counters, with the AI-versus-humans section read from the items that have AI labels.</summary>
    private static async Task<QualityReport> FinishAsync(PortalDbContext db, Scope scope, QualityAccumulator accumulator, DateTime now, CancellationToken ct)
    {
        var projectId = scope.Project.Id;
        var infos = await InfosAsync(db, projectId, [.. accumulator.Annotators.Keys], ct);
        var report = accumulator.Report(scope.Project, infos, now);

        // Not incremental: the AI labels are compared with the curated labels and answers of their items on each run.
        var ai = await db.AiLabels.AsNoTracking()
            .Where(l => l.ProjectId == projectId && db.Items.Any(i => i.Id == l.ItemId && !i.IsGold))
            .Select(l => new AiLabelFact(l.ItemId, l.Choice, l.Model)).ToListAsync(ct);
        if (ai.Count == 0)
        {
            return report;
        }

        var labels = new List<CuratedLabel>();
        var rows = new List<RatingRow>();
        foreach (var chunk in ai.Select(a => a.ItemId).Distinct().Chunk(PageSize))
        {
            labels.AddRange(await LabelsOf(db, [.. chunk]).AsNoTracking().ToListAsync(ct));
            rows.AddRange(await ItemRowsAsync(db, projectId, [.. chunk], scope.AttributeVersion, ct));
        }

        return report with { AiVsHumans = AiVsHumansCalculator.Compute(ai, labels, rows, infos) };
    }

    private static async Task StoreReportAsync(PortalDbContext db, Guid projectId, QualityReport report, DateTime now, int count, DateTime? lastAt, CancellationToken ct)
    {
        var metrics = await db.ProjectMetrics.FirstOrDefaultAsync(m => m.ProjectId == projectId, ct);
        if (metrics is null)
        {
            metrics = new ProjectMetrics { ProjectId = projectId };
            db.ProjectMetrics.Add(metrics);
        }

        metrics.ComputedAt = now;
        metrics.AnnotationCount = count;
        metrics.LastAnnotationAt = lastAt;
        metrics.ReportJson = JsonSerializer.Serialize(report, ProjectSettings.Json);
        await db.SaveChangesAsync(ct);
    }
}
