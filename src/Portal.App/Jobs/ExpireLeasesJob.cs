using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.App.Data;
using Portal.App.Features.Annotations;

namespace Portal.App.Jobs;

/// <summary>Returns expired task leases to the pool: their items can be handed to the next annotator who asks.</summary>
public sealed class ExpireLeasesJob(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock, ILogger<ExpireLeasesJob> logger, JobProgressBoard board)
    : PortalJob(dbFactory, clock, logger, board)
{
    protected override string Name => JobRegistry.ExpireLeases.Name;

    protected override async Task RunAsync(Guid? tenantId, JobArguments args, IJobProgress progress, CancellationToken ct)
    {
        var expired = await ExpireAsync(tenantId, ct);
        await progress.ReportAsync(100, $"{expired} expired lease(s) returned to the pool");
    }

    /// <summary>Marks every lease past its expiry as expired, in one organisation or in all. Returns how many.</summary>
    public async Task<int> ExpireAsync(Guid? tenantId, CancellationToken ct)
    {
        await using var db = DbFactory.CreateSystem();
        var now = Clock.GetUtcNow().UtcDateTime;
        return tenantId is { } t
            ? await Leases.ExpireAsync(db, a => a.TenantId == t, now, ct)
            : await Leases.ExpireAsync(db, a => true, now, ct);
    }
}
