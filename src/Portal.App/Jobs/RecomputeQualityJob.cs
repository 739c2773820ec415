using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.App.Data;
using Portal.App.Features.Quality;

namespace Portal.App.Jobs;

/// <summary>
/// Recomputes agreement, annotator quality and curated labels: for one project when an admin asks, or, on the
/// schedule, for every project whose annotations changed since its last report (annotations are batched this way
/// rather than recomputed on each submit).
/// </summary>
public sealed class RecomputeQualityJob(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock, ILogger<RecomputeQualityJob> logger, JobProgressBoard board, QualityService quality,
    Features.Rlthf.RlthfService rlthf)
    : PortalJob(dbFactory, clock, logger, board)
{
    public const string ProjectIdKey = "projectId";

    protected override string Name => JobRegistry.RecomputeQuality.Name;

    protected override async Task RunAsync(Guid? tenantId, JobArguments args, IJobProgress progress, CancellationToken ct)
    {
        if (args.GetString(ProjectIdKey) is { } projectId)
        {
            var tenant = tenantId ?? throw new InvalidOperationException("A project's recompute belongs to an organisation.");
            await quality.RecomputeAsync(tenant, Guid.Parse(projectId), progress, ct);
            await rlthf.RefreshAsync(tenant, Guid.Parse(projectId), ct);
            return;
        }

        var stale = await quality.StaleProjectsAsync(ct);
        for (var i = 0; i < stale.Count; i++)
        {
            await progress.ReportAsync(i * 100 / stale.Count, $"Project {i + 1} of {stale.Count}");
            await quality.RecomputeAsync(stale[i].TenantId, stale[i].ProjectId, null, ct);
            await rlthf.RefreshAsync(stale[i].TenantId, stale[i].ProjectId, ct);
        }

        await progress.ReportAsync(100, $"{stale.Count} project(s) with new annotations recomputed");
    }
}
