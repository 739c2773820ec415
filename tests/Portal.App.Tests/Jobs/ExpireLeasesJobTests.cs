using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.App.Data;
using Portal.App.Jobs;
using Portal.TestSupport;

namespace Portal.App.Tests.Jobs;

public class ExpireLeasesJobTests
{
    private static async Task<Guid> Lease(TestDatabase db, TestTenant tenant, DateTime expiresAt)
    {
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);

        // An item per lease: one annotator holds one live lease per item.
        var item = new Item { ProjectId = tenant.Project.Id, ResponseA = "A", ResponseB = "B", Claimed = 1, CreatedAt = DateTime.UtcNow };
        ctx.Items.Add(item);
        var a = new Assignment
        {
            ProjectId = tenant.Project.Id,
            ItemId = item.Id,
            AnnotatorId = tenant.Member(OrgRoles.Annotator).Id,
            LeasedAt = expiresAt.AddMinutes(-30),
            LeaseExpiresAt = expiresAt,
        };
        ctx.Assignments.Add(a);
        await ctx.SaveChangesAsync();
        return a.Id;
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Expire_OneTenant_ReturnsOnlyItsExpiredLeases(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var a = await db.CreateTestTenantAsync("Alpha");
        var b = await db.CreateTestTenantAsync("Beta");
        var now = DateTime.UtcNow;
        var aExpired = await Lease(db, a, now.AddMinutes(-1));
        var aLive = await Lease(db, a, now.AddMinutes(10));
        var bExpired = await Lease(db, b, now.AddMinutes(-1));
        var job = new ExpireLeasesJob(db.Factory, TimeProvider.System, NullLogger<ExpireLeasesJob>.Instance, new JobProgressBoard());

        Assert.Equal(1, await job.ExpireAsync(a.Id, CancellationToken.None));

        await using var ctx = db.Factory.CreateSystem();
        var states = await ctx.Assignments.IgnoreQueryFilters().ToDictionaryAsync(x => x.Id, x => x.Status);
        Assert.Equal(AssignmentStatus.Expired, states[aExpired]);
        Assert.Equal(AssignmentStatus.Leased, states[aLive]);
        Assert.Equal(AssignmentStatus.Leased, states[bExpired]);

        Assert.Equal(1, await job.ExpireAsync(null, CancellationToken.None));
        Assert.Equal(AssignmentStatus.Expired, (await ctx.Assignments.IgnoreQueryFilters().AsNoTracking().SingleAsync(x => x.Id == bExpired)).Status);
    }
}
