using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.TestSupport;

namespace Portal.App.Tests.Data;

public class TenantIsolationTests
{
    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Query_ScopedToOneTenant_SeesOnlyItsOwnRows(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var a = await db.CreateTestTenantAsync("Alpha");
        var b = await db.CreateTestTenantAsync("Beta");

        await using var ctx = db.Factory.CreateForTenant(a.Id);
        Assert.Equal([a.Project.Id], await ctx.Projects.Select(p => p.Id).ToListAsync());
        Assert.Equal([a.Item.Id], await ctx.Items.Select(i => i.Id).ToListAsync());
        Assert.Equal(4, await ctx.Memberships.CountAsync());
        Assert.Null(await ctx.Projects.FirstOrDefaultAsync(p => p.Id == b.Project.Id));
        Assert.Null(await ctx.Items.FindAsync(b.Item.Id));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Query_WithoutTenant_SeesNoTenantRows(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await db.CreateTestTenantAsync("Alpha");

        await using var ctx = db.Factory.CreateDbContext();
        Assert.Equal(0, await ctx.Projects.CountAsync());
        Assert.Equal(0, await ctx.Items.CountAsync());
        Assert.Equal(0, await ctx.Memberships.CountAsync());
        Assert.Equal(1, await ctx.Projects.IgnoreQueryFilters().CountAsync());
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Save_RowOfAnotherTenant_IsRefusedAndNothingChanges(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var a = await db.CreateTestTenantAsync("Alpha");
        var b = await db.CreateTestTenantAsync("Beta");

        await using (var ctx = db.Factory.CreateForTenant(a.Id))
        {
            ctx.Projects.Add(new Project { TenantId = b.Id, Name = "Smuggled", Kind = ProjectKind.Likert, CreatedAt = DateTime.UtcNow });
            var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => ctx.SaveChangesAsync());
            Assert.Contains("another organisation", ex.Message, StringComparison.Ordinal);
        }

        await using var check = db.Factory.CreateForTenant(b.Id);
        Assert.False(await check.Projects.AnyAsync(p => p.Name == "Smuggled"));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Save_NewRow_TakesTheContextsTenant(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var a = await db.CreateTestTenantAsync("Alpha");

        await using (var ctx = db.Factory.CreateForTenant(a.Id))
        {
            ctx.Projects.Add(new Project { Name = "Second", Kind = ProjectKind.Likert, CreatedAt = DateTime.UtcNow });
            await ctx.SaveChangesAsync();
        }

        await using var check = db.Factory.CreateDbContext();
        var saved = await check.Projects.IgnoreQueryFilters().SingleAsync(p => p.Name == "Second");
        Assert.Equal(a.Id, saved.TenantId);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Save_SameProjectNameInTwoTenants_IsAllowedButNotTwiceInOne(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var a = await db.CreateTestTenantAsync("Alpha");
        var b = await db.CreateTestTenantAsync("Beta");
        Assert.Equal(a.Project.Name, b.Project.Name);

        await using var ctx = db.Factory.CreateForTenant(a.Id);
        ctx.Projects.Add(new Project { Name = a.Project.Name, Kind = ProjectKind.Likert, CreatedAt = DateTime.UtcNow });
        await Assert.ThrowsAsync<DbUpdateException>(() => ctx.SaveChangesAsync());
    }
}
