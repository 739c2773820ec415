using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;

namespace Portal.App.Features.Annotations;

/// <summary>Expiry of task leases: the lease closes as expired and its item's claim is given back, so the item returns to the pool.</summary>
public static class Leases
{
    private const int BatchSize = 500;

    /// <summary>
    /// Expires every lease past its time that <paramref name="which"/> selects (through the context's own tenant
    /// filter; a system context must pass an unfiltered scope itself). Returns how many it expired.
    /// </summary>
    public static async Task<int> ExpireAsync(PortalDbContext db, Expression<Func<Assignment, bool>> which, DateTime now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var source = db.IsSystem ? db.Assignments.IgnoreQueryFilters() : db.Assignments;
        var total = 0;
        while (true)
        {
            var due = await source.Where(which)
                .Where(a => a.Status == AssignmentStatus.Leased && a.LeaseExpiresAt <= now)
                .OrderBy(a => a.LeaseExpiresAt)
                .Select(a => new { a.Id, a.ItemId })
                .Take(BatchSize)
                .ToListAsync(ct);
            if (due.Count == 0)
            {
                return total;
            }

            await using var tx = await db.Database.BeginTransactionAsync(ct);
            foreach (var lease in due)
            {
                // Each lease on its own conditional update: a submit that got there first keeps its claim.
                var expired = await source.Where(a => a.Id == lease.Id && a.Status == AssignmentStatus.Leased)
                    .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, AssignmentStatus.Expired).SetProperty(a => a.ClosedAt, now), ct);
                if (expired == 1)
                {
                    total++;
                    var items = db.IsSystem ? db.Items.IgnoreQueryFilters() : db.Items;
                    await items.Where(i => i.Id == lease.ItemId && !i.IsGold)
                        .ExecuteUpdateAsync(s => s.SetProperty(i => i.Claimed, i => i.Claimed - 1), ct);
                }
            }

            await tx.CommitAsync(ct);
            if (due.Count < BatchSize)
            {
                return total;
            }
        }
    }
}
