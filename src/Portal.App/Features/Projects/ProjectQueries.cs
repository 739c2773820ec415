using Microsoft.EntityFrameworkCore;
using Portal.App.Data;

namespace Portal.App.Features.Projects;

public sealed record ProjectSummary(
    Guid Id,
    string Name,
    string Description,
    ProjectKind Kind,
    int Overlap,
    int LeaseMinutes,
    int Items,
    int ActiveLeases,
    DateTime CreatedAt,
    DateTime? PausedAt = null,
    DateTime? ArchivedAt = null);

/// <summary>A project with its whole configuration, as its settings page and the API show it.</summary>
public sealed record ProjectDetails(
    Guid Id,
    string Name,
    string Description,
    ProjectKind Kind,
    int Overlap,
    int LeaseMinutes,
    ProjectSettings Settings,
    int Items,
    int GoldItems,
    int Annotations,
    int ActiveLeases,
    DateTime CreatedAt,
    DateTime? PausedAt = null,
    DateTime? ArchivedAt = null,
    bool ChosenAnnotatorsOnly = false)
{
    /// <summary>Archived projects are read-only for admins until unarchived.</summary>
    public bool IsArchived => ArchivedAt is not null;

    public bool IsPaused => PausedAt is not null;
}

/// <summary>Read side of projects for the admin and annotator pages and the API.</summary>
public sealed class ProjectQueries(IDbContextFactory<PortalDbContext> dbFactory)
{
    /// <summary>The organisation's projects by name; archived ones only when asked for.</summary>
    public async Task<IReadOnlyList<ProjectSummary>> ListAsync(Guid orgId, bool includeArchived = false, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        var projects = includeArchived ? db.Projects : db.Projects.Where(p => p.ArchivedAt == null);
        return await Summaries(db, projects.OrderBy(p => p.Name)).ToListAsync(ct);
    }

    /// <summary>Whether the project is one of the organisation's, without counting anything.</summary>
    public async Task<bool> ExistsAsync(Guid orgId, Guid projectId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        return await db.Projects.AnyAsync(p => p.Id == projectId, ct);
    }

    public async Task<ProjectSummary?> GetAsync(Guid orgId, Guid projectId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        return await Summaries(db, db.Projects.Where(p => p.Id == projectId)).FirstOrDefaultAsync(ct);
    }

    private static IQueryable<ProjectSummary> Summaries(PortalDbContext db, IQueryable<Project> projects) =>
        projects.Select(p => new ProjectSummary(
            p.Id,
            p.Name,
            p.Description,
            p.Kind,
            p.Overlap,
            p.LeaseMinutes,
            db.Items.Count(i => i.ProjectId == p.Id),
            db.Assignments.Count(a => a.ProjectId == p.Id && a.Status == AssignmentStatus.Leased),
            p.CreatedAt,
            p.PausedAt,
            p.ArchivedAt));

    /// <summary>The project with its settings and counts; null when it is not in the organisation.</summary>
    public async Task<ProjectDetails?> GetDetailsAsync(Guid orgId, Guid projectId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        return await DetailsQuery(db, db.Projects.Where(p => p.Id == projectId)).FirstOrDefaultAsync(ct);
    }

    /// <summary>The header strip of the project; null when it is not in the organisation.</summary>
    public async Task<ProjectHeader?> GetHeaderAsync(Guid orgId, Guid projectId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        var open = db.CalibrationRounds.Where(r => r.Status == CalibrationStatus.Open).OrderByDescending(r => r.Number);
        var releases = db.Releases.OrderByDescending(r => r.CreatedAt);
        return await db.Projects.Where(p => p.Id == projectId)
            .Select(p => new ProjectHeader(
                p.Id,
                p.Name,
                db.Items.Count(i => i.ProjectId == p.Id && !i.IsGold),
                db.Items.Count(i => i.ProjectId == p.Id && !i.IsGold && db.Annotations.Any(a => a.ItemId == i.Id && a.RepeatOf == null)),
                open.Where(r => r.ProjectId == p.Id).Select(r => (int?)r.Number).FirstOrDefault(),
                open.Where(r => r.ProjectId == p.Id).Select(r => r.Title).FirstOrDefault(),
                releases.Where(r => r.ProjectId == p.Id).Select(r => (Guid?)r.Id).FirstOrDefault(),
                releases.Where(r => r.ProjectId == p.Id).Select(r => r.Name).FirstOrDefault(),
                releases.Where(r => r.ProjectId == p.Id).Select(r => (DateTime?)r.CreatedAt).FirstOrDefault(),
                p.PausedAt,
                p.ArchivedAt))
            .FirstOrDefaultAsync(ct);
    }

    internal static IQueryable<ProjectDetails> DetailsQuery(PortalDbContext db, IQueryable<Project> projects) =>
        projects.Select(p => new ProjectDetails(
            p.Id,
            p.Name,
            p.Description,
            p.Kind,
            p.Overlap,
            p.LeaseMinutes,
            p.Settings,
            db.Items.Count(i => i.ProjectId == p.Id),
            db.Items.Count(i => i.ProjectId == p.Id && i.IsGold),
            db.Annotations.Count(a => a.ProjectId == p.Id),
            db.Assignments.Count(a => a.ProjectId == p.Id && a.Status == AssignmentStatus.Leased),
            p.CreatedAt,
            p.PausedAt,
            p.ArchivedAt,
            p.ChosenAnnotatorsOnly));

    internal static ProjectDetails Details(Project p, int items, int goldItems, int annotations, int activeLeases) =>
        new(p.Id, p.Name, p.Description, p.Kind, p.Overlap, p.LeaseMinutes, p.Settings, items, goldItems, annotations, activeLeases, p.CreatedAt,
            p.PausedAt, p.ArchivedAt, p.ChosenAnnotatorsOnly);
}

/// <summary>
/// Where a project stands, for the strip above every project page: items with at least one rating of the items to rate
/// (gold aside), the open calibration round if any, and the last release.
/// </summary>
public sealed record ProjectHeader(Guid Id, string Name, int Items, int RatedItems, int? OpenRoundNumber, string? OpenRoundTitle,
    Guid? LastReleaseId, string? LastReleaseName, DateTime? LastReleaseAt, DateTime? PausedAt = null, DateTime? ArchivedAt = null);
