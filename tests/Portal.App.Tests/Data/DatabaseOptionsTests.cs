using Microsoft.EntityFrameworkCore;
using Npgsql;
using Portal.App.Data;
using Portal.TestSupport;

namespace Portal.App.Tests.Data;

public class DatabaseOptionsTests
{
    [Fact]
    public void WithPostgresDefaults_NeitherKeywordGiven_PreparesAndSkipsTheReset()
    {
        var built = new NpgsqlConnectionStringBuilder(DatabaseOptions.WithPostgresDefaults("Host=db;Port=5433;Database=portal;Username=portal"));

        Assert.Equal(DatabaseOptions.PostgresMaxAutoPrepare, built.MaxAutoPrepare);
        Assert.True(built.NoResetOnClose);
        Assert.Equal("db", built.Host);
        Assert.Equal(5433, built.Port);
        Assert.Equal("portal", built.Database);
    }

    [Theory]
    [InlineData("Host=db;Max Auto Prepare=0;No Reset On Close=false")]
    [InlineData("Host=db;maxautoprepare=0;NoResetOnClose=false")]
    public void WithPostgresDefaults_KeywordsGiven_KeepsThem(string connectionString)
    {
        var built = new NpgsqlConnectionStringBuilder(DatabaseOptions.WithPostgresDefaults(connectionString));

        Assert.Equal(0, built.MaxAutoPrepare);
        Assert.False(built.NoResetOnClose);
    }

    [Fact]
    public async Task PortalContext_SameQueryRunRepeatedly_IsPreparedOnTheServer()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Postgres);
        await using var ctx = db.Factory.CreateDbContext();
        await ctx.Database.OpenConnectionAsync();
        for (var i = 0; i < 6; i++)
        {
            await ctx.Organisations.IgnoreQueryFilters().CountAsync(o => o.Name == "prepared " + i);
        }

        var prepared = await ctx.Database.SqlQueryRaw<int>(
            """SELECT count(*)::int AS "Value" FROM pg_prepared_statements WHERE statement LIKE '%"Organisations"%'""").SingleAsync();
        Assert.Equal(1, prepared);
    }
}
