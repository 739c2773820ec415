using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.TestSupport;

namespace Portal.App.Tests.Data;

public class SqliteStatisticsTests
{
    [Fact]
    public async Task ConnectionOpened_DatabaseWithoutStatistics_AnalyzesItsTablesThenWaitsAnInterval()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        await db.CreateTestTenantAsync("Stats");
        await ExecuteAsync(db, "DROP TABLE IF EXISTS sqlite_stat1");
        var clock = new ManualClock();
        var statistics = new SqliteStatistics(clock);

        // Pooled, as the portal's connections are: the interceptor runs once per physical connection and interval.
        var options = new DbContextOptionsBuilder<PortalDbContext>()
            .UseSqlite(db.Options.ConnectionString.Replace("Pooling=False", "Pooling=True", StringComparison.Ordinal))
            .AddInterceptors(statistics)
            .Options;
        async Task OpenAsync()
        {
            await using var ctx = new PortalDbContext(options);
            await ctx.Projects.IgnoreQueryFilters().CountAsync();
        }

        await OpenAsync();
        Assert.Contains("Items", await AnalyzedTablesAsync(db));

        // Dropped, not emptied: a schema change, so the pooled connection sees that the statistics are gone.
        await ExecuteAsync(db, "DROP TABLE sqlite_stat1");
        await OpenAsync();
        Assert.Empty(await AnalyzedTablesAsync(db));

        clock.Advance(SqliteStatistics.Interval);
        await OpenAsync();
        Assert.Contains("Items", await AnalyzedTablesAsync(db));
        SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task Migrate_SqliteDatabase_LeavesStatisticsForTheTablesWithRows()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        await db.CreateTestTenantAsync("Stats");
        await ExecuteAsync(db, "DROP TABLE IF EXISTS sqlite_stat1");

        await Migrator.MigrateAsync(db.Factory);

        var analyzed = await AnalyzedTablesAsync(db);
        Assert.Contains("Items", analyzed);
        Assert.Contains("Projects", analyzed);
    }

    private static async Task ExecuteAsync(TestDatabase db, string sql)
    {
        await using var connection = new SqliteConnection(db.Options.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<List<string>> AnalyzedTablesAsync(TestDatabase db)
    {
        await using var connection = new SqliteConnection(db.Options.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM sqlite_schema WHERE name = 'sqlite_stat1'";
        if ((long)(await command.ExecuteScalarAsync())! == 0)
        {
            return [];
        }

        command.CommandText = "SELECT DISTINCT tbl FROM sqlite_stat1";
        var tables = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            tables.Add(reader.GetString(0));
        }

        return tables;
    }
}
