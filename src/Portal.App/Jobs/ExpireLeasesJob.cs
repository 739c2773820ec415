using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.App.Data;
using Quartz;

namespace Portal.App.Jobs;

/// <summary>Returns expired task leases to the pool: their items can be handed to the next annotator who asks.</summary>
[DisallowConcurrentExecution]
public sealed class ExpireLeasesJob(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock, ILogger<ExpireLeasesJob> logger)
    : PortalJob(dbFactory, clock, logger)
{
    protected override string Name => JobRegistry.ExpireLeases.Name;

    protected override async Task RunAsync(Guid? tenantId, JobDataMap data, IJobProgress progress, CancellationToken ct)
    {
        var expired = await ExpireAsync(tenantId, ct);
        await progress.ReportAsync(100, $"{expired} expired lease(s) returned to the pool");
    }

    /// <summary>Marks every lease past its expiry as expired, in one organisation or in all. Returns how many.</summary>
    public async Task<int> ExpireAsync(Guid? tenantId, CancellationToken ct)
    {
        await using var db = DbFactory.CreateSystem();
        var now = Clock.GetUtcNow().UtcDateTime;
        var leases = db.Assignments.IgnoreQueryFilters()
            .Where(a => a.Status == AssignmentStatus.Leased && a.LeaseExpiresAt <= now);
        if (tenantId is { } t)
        {
            leases = leases.Where(a => a.TenantId == t);
        }

        return await leases.ExecuteUpdateAsync(s => s
            .SetProperty(a => a.Status, AssignmentStatus.Expired)
            .SetProperty(a => a.ClosedAt, now), ct);
    }
}
