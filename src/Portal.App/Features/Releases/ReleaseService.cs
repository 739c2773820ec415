using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features.Organisations;
using Portal.App.Jobs;

namespace Portal.App.Features.Releases;

public sealed record ReleaseSummary(Guid Id, Guid ProjectId, string ProjectName, string Name, ReleaseStatus Status, bool Pairwise, int Items, int Ties, int BothBad,
    int Ratings, int Annotators, string? SnapshotSha256, DateTime CreatedAt, DateTime? CompletedAt, string? Error, Guid? JobRunId);

public sealed record ReleaseGrantView(Guid UserId, string Email, string DisplayName, DateTime GrantedAt);

public sealed record DownloadLogView(string Email, string Format, string Via, bool Gzip, long? RangeStart, long Bytes, DateTime At);

public sealed record ClientUserView(Guid UserId, string Email, string DisplayName);

/// <summary>Everything about one release: its summary, filters, stats, files, diff, grants and downloads.</summary>
public sealed record ReleaseDetail(ReleaseSummary Summary, ReleaseFilters Filters, ReleaseStats Stats, IReadOnlyList<ReleaseFile> Files, ReleaseDiff? Diff,
    IReadOnlyList<ReleaseGrantView> Grants, IReadOnlyList<DownloadLogView> Downloads, string Card);

/// <summary>What a client sees of a granted release (no grants, no download log of others).</summary>
public sealed record ClientRelease(ReleaseSummary Summary, ReleaseStats Stats, IReadOnlyList<ReleaseFile> Files, string Card);

/// <summary>One page of a list that pages in the database, and how many rows the whole (filtered) list has.</summary>
public sealed record ReleasePage<T>(IReadOnlyList<T> Items, int Total);

/// <summary>What a page of a list asks for: rows to skip and take, a search text and a sort column (by name).</summary>
public sealed record ReleaseListQuery(int Skip = 0, int Take = 20, string? Search = null, string? SortBy = null, bool Descending = false)
{
    public const int MaxTake = 200;
}

/// <summary>A release that may be downloaded by the asking user, loaded for the download.</summary>
public sealed record DownloadableRelease(Release Release, string ProjectName);

/// <summary>Releases: cut (as a job), list, read, grant to client users, and the access check and log of downloads.</summary>
public sealed class ReleaseService(IDbContextFactory<PortalDbContext> dbFactory, JobLauncher launcher, TimeProvider clock)
{
    /// <summary>
    /// Checks the name and filters, stores the release as Cutting and queues the cut job. Returns the release and the job run.
    /// Null when there is no such project in the organisation.
    /// </summary>
    public async Task<(Guid ReleaseId, Guid RunId)?> StartCutAsync(Guid orgId, Guid projectId, string? name, ReleaseFilters? filters, Guid userId, CancellationToken ct = default)
    {
        var release = await CreateAsync(orgId, projectId, name, filters, userId, ct);
        if (release is null)
        {
            return null;
        }

        var runId = await launcher.StartForProjectAsync(JobRegistry.CutRelease, orgId, projectId, userId,
            new Dictionary<string, string> { [CutReleaseJob.ReleaseIdKey] = release.Id.ToString() }, ct);
        await using var db = dbFactory.CreateForTenant(orgId);
        await db.Releases.Where(r => r.Id == release.Id).ExecuteUpdateAsync(s => s.SetProperty(r => r.JobRunId, runId), ct);
        return (release.Id, runId);
    }

    /// <summary>Validates and stores a new release (status Cutting) without starting the job; the CLI and tests then cut it directly.</summary>
    public async Task<Release?> CreateAsync(Guid orgId, Guid projectId, string? name, ReleaseFilters? filters, Guid userId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId, ct);
        if (project is null)
        {
            return null;
        }

        name = name?.Trim() ?? "";
        if (name.Length is 0 or > 200)
        {
            throw new PortalValidationException("name", "A release needs a name of 1 to 200 characters.");
        }

        filters ??= new ReleaseFilters();
        filters.Validate(project.Kind != ProjectKind.Likert);
        if (await db.Releases.AnyAsync(r => r.ProjectId == projectId && r.Name == name, ct))
        {
            throw new PortalValidationException("name", $"The project already has a release named '{name}'; releases never change, so pick a new name.");
        }

        var release = new Release
        {
            ProjectId = projectId,
            Name = name,
            FiltersJson = filters.ToJson(),
            Pairwise = project.Kind != ProjectKind.Likert,
            CreatedByUserId = userId,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.Releases.Add(release);
        await db.SaveChangesAsync(ct);
        return release;
    }

    public async Task<IReadOnlyList<ReleaseSummary>?> ListAsync(Guid orgId, Guid projectId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        if (!await db.Projects.AnyAsync(p => p.Id == projectId, ct))
        {
            return null;
        }

        return await Summaries(db, db.Releases.Where(r => r.ProjectId == projectId)).ToListAsync(ct);
    }

    /// <summary>
    /// A page of the project's releases, searched by name and sorted by <c>name</c>, <c>status</c>, <c>items</c>, <c>ratings</c> or
    /// <c>created</c> (the default, newest first), paged in the database. Null when there is no such project.
    /// </summary>
    public async Task<ReleasePage<ReleaseSummary>?> PageAsync(Guid orgId, Guid projectId, ReleaseListQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var db = dbFactory.CreateForTenant(orgId);
        if (!await db.Projects.AnyAsync(p => p.Id == projectId, ct))
        {
            return null;
        }

        var releases = db.Releases.AsNoTracking().Where(r => r.ProjectId == projectId);
        if (query.Search?.Trim() is { Length: > 0 } search)
        {
            releases = releases.Where(r => r.Name.Contains(search));
        }

        var total = await releases.CountAsync(ct);
        var d = query.Descending;
        var sorted = query.SortBy switch
        {
            "name" => d ? releases.OrderByDescending(r => r.Name) : releases.OrderBy(r => r.Name),
            "status" => d ? releases.OrderByDescending(r => r.Status) : releases.OrderBy(r => r.Status),
            "items" => d ? releases.OrderByDescending(r => r.Items) : releases.OrderBy(r => r.Items),
            "ratings" => d ? releases.OrderByDescending(r => r.Ratings) : releases.OrderBy(r => r.Ratings),
            "created" when !d => releases.OrderBy(r => r.CreatedAt),
            _ => releases.OrderByDescending(r => r.CreatedAt),
        };
        var items = await sorted.ThenByDescending(r => r.Id)
            .Skip(Math.Max(0, query.Skip)).Take(Math.Clamp(query.Take, 1, ReleaseListQuery.MaxTake))
            .Join(db.Projects, r => r.ProjectId, p => p.Id, (r, p) => new ReleaseSummary(r.Id, r.ProjectId, p.Name, r.Name, r.Status, r.Pairwise, r.Items, r.Ties,
                r.BothBad, r.Ratings, r.Annotators, r.SnapshotSha256, r.CreatedAt, r.CompletedAt, r.Error, r.JobRunId))
            .ToListAsync(ct);
        return new ReleasePage<ReleaseSummary>(items, total);
    }

    /// <summary>
    /// A page of a release's download log, searched by e-mail or format and sorted by <c>at</c> (the default, newest first),
    /// <c>email</c>, <c>format</c> or <c>bytes</c>, paged in the database. Null when there is no such release.
    /// </summary>
    public async Task<ReleasePage<DownloadLogView>?> DownloadsPageAsync(Guid orgId, Guid projectId, Guid releaseId, ReleaseListQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var db = dbFactory.CreateForTenant(orgId);
        if (!await db.Releases.AnyAsync(r => r.Id == releaseId && r.ProjectId == projectId, ct))
        {
            return null;
        }

        var logs = db.DownloadLogs.AsNoTracking().Where(x => x.ReleaseId == releaseId)
            .Select(x => new { Log = x, Email = db.Users.Where(u => u.Id == x.UserId).Select(u => u.Email).FirstOrDefault() });
        if (query.Search?.Trim() is { Length: > 0 } search)
        {
            logs = logs.Where(x => (x.Email != null && x.Email.Contains(search)) || x.Log.Format.Contains(search));
        }

        var total = await logs.CountAsync(ct);
        var d = query.Descending;
        var sorted = query.SortBy switch
        {
            "email" => d ? logs.OrderByDescending(x => x.Email) : logs.OrderBy(x => x.Email),
            "format" => d ? logs.OrderByDescending(x => x.Log.Format) : logs.OrderBy(x => x.Log.Format),
            "bytes" => d ? logs.OrderByDescending(x => x.Log.Bytes) : logs.OrderBy(x => x.Log.Bytes),
            "at" when !d => logs.OrderBy(x => x.Log.At),
            _ => logs.OrderByDescending(x => x.Log.At),
        };
        var items = await sorted.ThenBy(x => x.Log.Id)
            .Skip(Math.Max(0, query.Skip)).Take(Math.Clamp(query.Take, 1, ReleaseListQuery.MaxTake))
            .Select(x => new DownloadLogView(x.Email ?? "(portal export)", x.Log.Format, x.Log.Via, x.Log.Gzip, x.Log.RangeStart, x.Log.Bytes, x.Log.At))
            .ToListAsync(ct);
        return new ReleasePage<DownloadLogView>(items, total);
    }

    public async Task<ReleaseDetail?> GetAsync(Guid orgId, Guid projectId, Guid releaseId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        var release = await db.Releases.AsNoTracking().FirstOrDefaultAsync(r => r.Id == releaseId && r.ProjectId == projectId, ct);
        if (release is null)
        {
            return null;
        }

        var summary = await Summaries(db, db.Releases.Where(r => r.Id == releaseId)).FirstAsync(ct);
        var grants = await db.ReleaseGrants.AsNoTracking().Where(g => g.ReleaseId == releaseId && g.RevokedAt == null)
            .Join(db.Users, g => g.UserId, u => u.Id, (g, u) => new { u.Id, u.Email, u.DisplayName, g.GrantedAt })
            .OrderBy(g => g.Email)
            .Select(g => new ReleaseGrantView(g.Id, g.Email ?? "", g.DisplayName, g.GrantedAt))
            .ToListAsync(ct);
        var downloads = await db.DownloadLogs.AsNoTracking().Where(d => d.ReleaseId == releaseId)
            .OrderByDescending(d => d.At).Take(200)
            .Select(d => new DownloadLogView(db.Users.Where(u => u.Id == d.UserId).Select(u => u.Email).FirstOrDefault() ?? "(portal export)",
                d.Format, d.Via, d.Gzip, d.RangeStart, d.Bytes, d.At))
            .ToListAsync(ct);
        return new ReleaseDetail(summary, ReleaseFilters.Parse(release.FiltersJson), Stats(release), ReleaseExporter.Files(release),
            release.DiffJson is null ? null : JsonSerializer.Deserialize<ReleaseDiff>(release.DiffJson, ProjectSettings.Json),
            grants, downloads, CardText(release, summary.ProjectName));
    }

    /// <summary>The organisation's client users (the people a release can be granted to).</summary>
    public async Task<IReadOnlyList<ClientUserView>> ClientUsersAsync(Guid orgId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        return await db.Memberships.AsNoTracking().Where(m => (m.Roles & OrgRoles.Client) != 0)
            .Join(db.Users, m => m.UserId, u => u.Id, (m, u) => u)
            .OrderBy(u => u.Email)
            .Select(u => new ClientUserView(u.Id, u.Email ?? "", u.DisplayName))
            .ToListAsync(ct);
    }

    /// <summary>Grants a ready release to a client user of the organisation. False when there is no such release; throws when the user is no client here.</summary>
    public async Task<bool> GrantAsync(Guid orgId, Guid projectId, Guid releaseId, Guid userId, Guid grantedBy, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        var release = await db.Releases.AsNoTracking().FirstOrDefaultAsync(r => r.Id == releaseId && r.ProjectId == projectId, ct);
        if (release is null)
        {
            return false;
        }

        if (release.Status != ReleaseStatus.Ready)
        {
            throw new PortalValidationException("releaseId", $"Release '{release.Name}' is {release.Status.ToString().ToLowerInvariant()}; only a ready release can be granted.");
        }

        if (!await db.Memberships.AnyAsync(m => m.UserId == userId && (m.Roles & OrgRoles.Client) != 0, ct))
        {
            throw new PortalValidationException("userId", "That person is not a client of this organisation; invite them as a client first.");
        }

        var grant = await db.ReleaseGrants.FirstOrDefaultAsync(g => g.ReleaseId == releaseId && g.UserId == userId, ct);
        if (grant is null)
        {
            db.ReleaseGrants.Add(new ReleaseGrant { ReleaseId = releaseId, UserId = userId, GrantedByUserId = grantedBy, GrantedAt = clock.GetUtcNow().UtcDateTime });
        }
        else if (grant.RevokedAt is not null)
        {
            grant.RevokedAt = null;
            grant.GrantedAt = clock.GetUtcNow().UtcDateTime;
            grant.GrantedByUserId = grantedBy;
        }

        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>Revokes a grant; false when there is no such release or no live grant.</summary>
    public async Task<bool> RevokeAsync(Guid orgId, Guid projectId, Guid releaseId, Guid userId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        var now = clock.GetUtcNow().UtcDateTime;
        return await db.ReleaseGrants
            .Where(g => g.ReleaseId == releaseId && g.UserId == userId && g.RevokedAt == null && db.Releases.Any(r => r.Id == releaseId && r.ProjectId == projectId))
            .ExecuteUpdateAsync(s => s.SetProperty(g => g.RevokedAt, now), ct) > 0;
    }

    /// <summary>
    /// The ready releases the user may download in the organisation: every one for its org and project admins, only those
    /// granted to them (and not revoked) for clients.
    /// </summary>
    public async Task<IReadOnlyList<ReleaseSummary>> ListForUserAsync(Guid orgId, Guid userId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        return await Summaries(db, await Visible(db, userId, ct)).ToListAsync(ct);
    }

    /// <summary>A release for the user's client page, or null when it is not theirs to see.</summary>
    public async Task<ClientRelease?> GetForUserAsync(Guid orgId, Guid userId, Guid releaseId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        var visible = await Visible(db, userId, ct);
        var release = await visible.AsNoTracking().FirstOrDefaultAsync(r => r.Id == releaseId, ct);
        if (release is null)
        {
            return null;
        }

        var summary = await Summaries(db, db.Releases.Where(r => r.Id == releaseId)).FirstAsync(ct);
        return new ClientRelease(summary, Stats(release), ReleaseExporter.Files(release), CardText(release, summary.ProjectName));
    }

    /// <summary>The release, when the user may download it; null otherwise (no such release, not ready, not granted, or revoked).</summary>
    public async Task<DownloadableRelease?> FindDownloadableAsync(Guid orgId, Guid userId, Guid releaseId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        var visible = await Visible(db, userId, ct);
        var release = await visible.AsNoTracking().FirstOrDefaultAsync(r => r.Id == releaseId, ct);
        if (release is null)
        {
            return null;
        }

        var projectName = await db.Projects.Where(p => p.Id == release.ProjectId).Select(p => p.Name).FirstAsync(ct);
        return new DownloadableRelease(release, projectName);
    }

    public async Task LogDownloadAsync(Guid orgId, Guid releaseId, Guid? userId, string format, string via, bool gzip, long? rangeStart, long bytes)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        db.DownloadLogs.Add(new DownloadLog
        {
            ReleaseId = releaseId,
            UserId = userId,
            Format = format,
            Via = via,
            Gzip = gzip,
            RangeStart = rangeStart,
            Bytes = bytes,
            At = clock.GetUtcNow().UtcDateTime,
        });
        await db.SaveChangesAsync(CancellationToken.None);
    }

    private static async Task<IQueryable<Release>> Visible(PortalDbContext db, Guid userId, CancellationToken ct)
    {
        var roles = await db.Memberships.Where(m => m.UserId == userId).Select(m => (OrgRoles?)m.Roles).FirstOrDefaultAsync(ct) ?? OrgRoles.None;
        var ready = db.Releases.Where(r => r.Status == ReleaseStatus.Ready);
        if ((roles & (OrgRoles.OrgAdmin | OrgRoles.ProjectAdmin)) != 0)
        {
            return ready;
        }

        if ((roles & OrgRoles.Client) == 0)
        {
            return ready.Where(r => false);
        }

        return ready.Where(r => db.ReleaseGrants.Any(g => g.ReleaseId == r.Id && g.UserId == userId && g.RevokedAt == null));
    }

    private static IQueryable<ReleaseSummary> Summaries(PortalDbContext db, IQueryable<Release> releases) =>
        releases.AsNoTracking()
            .OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id)
            .Join(db.Projects, r => r.ProjectId, p => p.Id, (r, p) => new ReleaseSummary(r.Id, r.ProjectId, p.Name, r.Name, r.Status, r.Pairwise, r.Items, r.Ties,
                r.BothBad, r.Ratings, r.Annotators, r.SnapshotSha256, r.CreatedAt, r.CompletedAt, r.Error, r.JobRunId));

    private static ReleaseStats Stats(Release release) =>
        JsonSerializer.Deserialize<ReleaseStats>(release.StatsJson, ProjectSettings.Json) ?? new ReleaseStats();

    private static string CardText(Release release, string projectName) =>
        release.Status == ReleaseStatus.Ready
            ? System.Text.Encoding.UTF8.GetString(ReleaseExporter.Card(release, projectName, ReleaseFormats.For(release.Pairwise)[0], keepTies: false))
            : "";
}
