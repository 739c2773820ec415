using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.TestSupport;

namespace Portal.App.Tests.Data;

public class MigrationsTests
{
    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Migrate_EmptyDatabase_AppliesAllAndLeavesNoPendingModelChanges(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, migrate: false);
        Assert.NotEmpty(await Migrator.PendingAsync(db.Factory));

        await Migrator.MigrateAsync(db.Factory);

        Assert.Empty(await Migrator.PendingAsync(db.Factory));
        await using var ctx = db.Factory.CreateDbContext();
        Assert.False(ctx.Database.HasPendingModelChanges(), "The model has changes that no migration captures: add a migration for both providers.");
        Assert.Equal(0, await ctx.Organisations.CountAsync());
    }
}
