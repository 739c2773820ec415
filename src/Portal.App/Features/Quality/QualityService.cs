using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features.Projects;
using Portal.App.Jobs;

namespace Portal.App.Features.Quality;

/// <summary>One attribute-set version of a project: its keys and scales, how many annotations were made under it, and whether new ones are.</summary>
public sealed record AttributeVersionSummary(int Version, IReadOnlyList<AttributeDefinition> Attributes, int Annotations, bool Current);

/// <summary>How the stored quality report of a project relates to its annotations.</summary>
public enum QualityFreshness
{
    Current,
    Missing,
    Stale,
}

/// <summary>Computes, stores and reads a project's quality report and its curated labels.</summary>
public sealed partial class QualityService(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock)
{
    /// <summary>The last report of a project, or null when none has been computed; (false, null) when there is no such project.</summary>
    public async Task<(bool Exists, QualityReport? Report)> GetAsync(Guid orgId, Guid projectId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        if (!await db.Projects.AnyAsync(p => p.Id == projectId, ct))
        {
            return (false, null);
        }

        var json = await db.ProjectMetrics.Where(m => m.ProjectId == projectId).Select(m => m.ReportJson).FirstOrDefaultAsync(ct);
        return (true, json is null ? null : JsonSerializer.Deserialize<QualityReport>(json, ProjectSettings.Json));
    }

    /// <summary>
    /// Whether the stored report still describes the project's annotations: <see cref="QualityFreshness.Missing"/> when
    /// annotations exist but no report was computed, <see cref="QualityFreshness.Stale"/> when annotations were added
    /// (or removed) since it was, <see cref="QualityFreshness.Current"/> otherwise (also when there is nothing to compute).
    /// </summary>
    public async Task<QualityFreshness> FreshnessAsync(Guid orgId, Guid projectId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        var count = await db.Annotations.CountAsync(a => a.ProjectId == projectId, ct);
        if (count == 0)
        {
            return QualityFreshness.Current;
        }

        var last = await LastChangeAsync(db, projectId, ct);
        var seen = await db.ProjectMetrics.Where(m => m.ProjectId == projectId).Select(m => new { m.AnnotationCount, m.LastAnnotationAt }).FirstOrDefaultAsync(ct);
        return seen is null ? QualityFreshness.Missing
            : seen.AnnotationCount != count || seen.LastAnnotationAt != last ? QualityFreshness.Stale
            : QualityFreshness.Current;
    }

    /// <summary>
    /// One annotator's signals from the project's last report: null when the project or the person is not in the organisation;
    /// a view with no <see cref="AnnotatorQualityView.Quality"/> when no report counted an annotation of theirs yet.
    /// </summary>
    public async Task<AnnotatorQualityView?> AnnotatorAsync(Guid orgId, Guid projectId, Guid annotatorId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        if (!await db.Projects.AnyAsync(p => p.Id == projectId, ct) || !await db.Memberships.AnyAsync(m => m.UserId == annotatorId, ct))
        {
            return null;
        }

        var name = await db.Users.Where(u => u.Id == annotatorId).Select(u => u.DisplayName).FirstAsync(ct);
        var (_, report) = await GetAsync(orgId, projectId, ct);
        var quality = report?.Annotators.FirstOrDefault(a => a.AnnotatorId == annotatorId);
        var project = await db.Projects.AsNoTracking().Where(p => p.Id == projectId).Select(p => p.Settings).FirstAsync(ct);
        return new AnnotatorQualityView(annotatorId, name, report?.ComputedAt, project.Quality.MinSecondsPerTask, quality);
    }

    /// <summary>
    /// The report over the annotations made under one guideline version only (computed now, nothing stored): agreement
    /// on them, and gold accuracy over the gold answers made under that version. Null when there is no such project.
    /// </summary>
    public async Task<QualityReport?> ForGuidelineVersionAsync(Guid orgId, Guid projectId, int guidelineVersion, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId, ct);
        return project is null ? null : await SliceAsync(db, project, guidelineVersion, null, ct);
    }

    /// <summary>
    /// The report computed now over the annotations made under one attribute-set version, read on that version's own
    /// keys and scales (a 1–5 set stays 1–5); null when there is no such project or version.
    /// </summary>
    public async Task<QualityReport?> ForAttributeVersionAsync(Guid orgId, Guid projectId, int attributeVersion, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId, ct);
        if (project is null)
        {
            return null;
        }

        var recorded = await db.AttributeSetVersions.AsNoTracking().FirstOrDefaultAsync(v => v.ProjectId == projectId && v.Version == attributeVersion, ct);
        if (recorded is null && attributeVersion != await AttributeVersions.CurrentAsync(db, projectId, ct))
        {
            return null;
        }

        var asRated = recorded is null ? project : new Project
        {
            Id = project.Id,
            TenantId = project.TenantId,
            Name = project.Name,
            Kind = project.Kind,
            Overlap = project.Overlap,
            Settings = project.Settings with { Attributes = recorded.Attributes },
            CreatedAt = project.CreatedAt,
        };
        return await SliceAsync(db, asRated, null, attributeVersion, ct);
    }

    /// <summary>Every attribute-set version of the project with its attributes and how many annotations were made under it, oldest first.</summary>
    public async Task<IReadOnlyList<AttributeVersionSummary>> AttributeVersionsAsync(Guid orgId, Guid projectId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId, ct);
        if (project is null)
        {
            return [];
        }

        var current = await AttributeVersions.CurrentAsync(db, projectId, ct);
        var counts = await db.Annotations.Where(a => a.ProjectId == projectId && a.RepeatOf == null)
            .GroupBy(a => a.AttributeVersion ?? 1).Select(g => new { Version = g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Version, g => g.Count, ct);
        var recorded = await db.AttributeSetVersions.AsNoTracking().Where(v => v.ProjectId == projectId).OrderBy(v => v.Version).ToListAsync(ct);
        var sets = recorded.ToDictionary(v => v.Version, v => (IReadOnlyList<AttributeDefinition>)v.Attributes);
        sets.TryAdd(current, project.Settings.Attributes);
        return [.. sets.OrderBy(v => v.Key).Select(v => new AttributeVersionSummary(v.Key, v.Value, counts.GetValueOrDefault(v.Key), v.Key == current))];
    }

    private async Task<QualityReport> SliceAsync(PortalDbContext db, Project project, int? guidelineVersion, int? attributeVersion, CancellationToken ct)
    {
        var projectId = project.Id;
        var rows = await RowsAsync(db, projectId, ct, guidelineVersion, attributeVersion);
        var gold = await db.Annotations.AsNoTracking()
            .Where(a => a.ProjectId == projectId && a.RepeatOf == null && a.GoldCorrect != null)
            .Where(a => guidelineVersion == null || a.GuidelineVersion == guidelineVersion)
            .Where(a => attributeVersion == null || (a.AttributeVersion ?? 1) == attributeVersion)
            .GroupBy(a => a.AnnotatorId)
            .Select(g => new { AnnotatorId = g.Key, Answered = g.Count(), Correct = g.Count(a => a.GoldCorrect == true) })
            .ToDictionaryAsync(g => g.AnnotatorId, ct);
        var ids = rows.Select(r => r.AnnotatorId).Concat(gold.Keys).Distinct().ToList();
        var paused = await db.ProjectAnnotators.AsNoTracking().Where(s => s.ProjectId == projectId && s.PausedAt != null).Select(s => s.AnnotatorId).ToListAsync(ct);
        var names = await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        var external = await ExternalNamesAsync(db, projectId, ct);
        var annotators = ids.ToDictionary(id => id, id => external.TryGetValue(id, out var rater) ? new AnnotatorInfo(rater, 0, 0, false, External: true)
            : new AnnotatorInfo(names.GetValueOrDefault(id) ?? "",
                gold.GetValueOrDefault(id)?.Answered ?? 0, gold.GetValueOrDefault(id)?.Correct ?? 0, paused.Contains(id)));
        var (report, _) = QualityCalculator.Compute(project, rows, annotators, clock.GetUtcNow().UtcDateTime);
        return report;
    }

    /// <summary>The project's external raters (labels imported with a dataset) by id, with the names pages show.</summary>
    private static Task<Dictionary<Guid, string>> ExternalNamesAsync(PortalDbContext db, Guid projectId, CancellationToken ct) =>
        db.ExternalRaters.AsNoTracking().Where(r => r.ProjectId == projectId).ToDictionaryAsync(r => r.Id, r => r.Name, ct);

    /// <summary>The guideline versions that annotations of the project were made under, ascending; empty when there are none.</summary>
    public async Task<IReadOnlyList<int>> GuidelineVersionsAsync(Guid orgId, Guid projectId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        return await db.Annotations.Where(a => a.ProjectId == projectId && a.GuidelineVersion != null)
            .Select(a => a.GuidelineVersion!.Value).Distinct().OrderBy(v => v).ToListAsync(ct);
    }

    /// <summary>A project (found by id in any organisation: the CLI works across them) and its ratings, gold items left out; null when there is no such project.</summary>
    public async Task<(Project Project, List<RatingRow> Rows)?> RatingsAsync(Guid projectId, CancellationToken ct = default)
    {
        await using var system = dbFactory.CreateSystem();
        var tenantId = await system.Projects.IgnoreQueryFilters().Where(p => p.Id == projectId).Select(p => (Guid?)p.TenantId).FirstOrDefaultAsync(ct);
        if (tenantId is null)
        {
            return null;
        }

        await using var db = dbFactory.CreateForTenant(tenantId.Value);
        var project = await db.Projects.AsNoTracking().FirstAsync(p => p.Id == projectId, ct);
        return (project, await RowsAsync(db, projectId, ct));
    }

    /// <summary>
    /// The project's ratings, gold items left out. Likert scores given under an earlier attribute-set version are
    /// dropped (the choice stays), so a 1–5 rating is never read on a 1–7 scale; with <paramref name="attributeVersion"/>,
    /// only the ratings made under that version, scores kept, to be read on that version's scales.
    /// </summary>
    private static async Task<List<RatingRow>> RowsAsync(PortalDbContext db, Guid projectId, CancellationToken ct, int? guidelineVersion = null,
        int? attributeVersion = null)
    {
        var current = attributeVersion ?? await AttributeVersions.CurrentAsync(db, projectId, ct);
        return await ReadRowsAsync(db.Annotations
            .Where(a => a.ProjectId == projectId && db.Items.Any(i => i.Id == a.ItemId && !i.IsGold))
            .Where(a => guidelineVersion == null || a.GuidelineVersion == guidelineVersion)
            .Where(a => attributeVersion == null || (a.AttributeVersion ?? 1) == attributeVersion), current, ct);
    }

    /// <summary>
    /// The ratings <paramref name="annotations"/> selects, oldest first; the scores of an attribute set other than
    /// <paramref name="current"/> are dropped, since they were given on other scales.
    /// </summary>
    private static async Task<List<RatingRow>> ReadRowsAsync(IQueryable<Annotation> annotations, int current, CancellationToken ct)
    {
        var rows = await annotations.AsNoTracking()
            .OrderBy(a => a.CreatedAt).ThenBy(a => a.Id)
            .Select(a => new
            {
                Row = new RatingRow(a.Id, a.ItemId, a.AnnotatorId, a.Scores, a.ScoresB, a.Choice, a.Strength, a.LeftIsA, a.TimeOnTaskMs, a.CreatedAt, a.RepeatOf),
                a.AttributeVersion,
            })
            .ToListAsync(ct);
        return [.. rows.Select(r => (r.AttributeVersion ?? 1) == current ? r.Row : r.Row with { Scores = null, ScoresB = null })];
    }

    /// <summary>Projects of every organisation whose annotations changed since their last report (or that have none yet but annotations).</summary>
    public async Task<IReadOnlyList<(Guid TenantId, Guid ProjectId)>> StaleProjectsAsync(CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateSystem();
        var projects = await db.Projects.IgnoreQueryFilters()
            .Select(p => new
            {
                p.TenantId,
                p.Id,
                Count = db.Annotations.IgnoreQueryFilters().Count(a => a.ProjectId == p.Id),
                // Two maxima, each read from an index, rather than one over RevisedAt ?? CreatedAt, which reads every annotation.
                LastCreated = db.Annotations.IgnoreQueryFilters().Where(a => a.ProjectId == p.Id).Max(a => (DateTime?)a.CreatedAt),
                LastRevised = db.Annotations.IgnoreQueryFilters().Where(a => a.ProjectId == p.Id).Max(a => a.RevisedAt),
                Seen = db.ProjectMetrics.IgnoreQueryFilters().Where(m => m.ProjectId == p.Id).Select(m => new { m.AnnotationCount, m.LastAnnotationAt, m.ComputedAt }).FirstOrDefault(),
                LastAiLabel = db.AiLabels.IgnoreQueryFilters().Where(l => l.ProjectId == p.Id).Max(l => (DateTime?)l.CreatedAt),
            })
            .ToListAsync(ct);
        // New AI labels (an import or an LLM run) also make the report stale: its AI-versus-humans section changes.
        return [.. projects
            .Where(p => p.Count > 0 && (p.Seen is null || p.Seen.AnnotationCount != p.Count || p.Seen.LastAnnotationAt != Later(p.LastCreated, p.LastRevised)
                || p.LastAiLabel > p.Seen.ComputedAt))
            .Select(p => (p.TenantId, p.Id))];
    }

    private static ValueTask Report(IJobProgress? progress, int percent, string message) =>
        progress?.ReportAsync(percent, message) ?? ValueTask.CompletedTask;
}
