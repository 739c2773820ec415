using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Portal.App;
using Portal.App.Data;
using Xunit;

namespace Portal.TestSupport;

public enum TestProvider
{
    Sqlite,
    Postgres,
    SqlServer,
}

/// <summary>
/// A fresh, migrated database for one test: a SQLite file in a temporary folder, a new database on the
/// PostgreSQL server that <c>test.sh</c> starts (<c>PORTAL_TEST_POSTGRES</c>), or a new database on the SQL Server that
/// <c>PORTAL_TEST_SQLSERVER</c> names (none on the machines this was written on: see <see cref="SqlServerDataAttribute"/>).
/// Dropped on dispose.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string? _folder;
    private readonly string? _postgresName;
    private readonly string? _sqlServerName;

    private TestDatabase(TestProvider provider, DatabaseOptions options, string? folder, string? postgresName, string? sqlServerName = null)
    {
        _sqlServerName = sqlServerName;
        Provider = provider;
        Options = options;
        _folder = folder;
        _postgresName = postgresName;
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Uploads"] = Path.Combine(Path.GetTempPath(), "portal-tests", "uploads"),
        }).Build());
        services.AddPortal(options);
        SqlServerTranslationCheck.AddTo(services, options.Provider);
        Services = services.BuildServiceProvider();
    }

    public TestProvider Provider { get; }
    public DatabaseOptions Options { get; }

    /// <summary>The portal's own services (database, features, Identity store) over this database.</summary>
    public ServiceProvider Services { get; }

    public IDbContextFactory<PortalDbContext> Factory => Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();

    /// <summary>Configuration keys that point a portal host (web app, CLI) at this database.</summary>
    public Dictionary<string, string?> Settings => new()
    {
        ["Database:Provider"] = Options.Provider.ToString(),
        [$"ConnectionStrings:{Options.Provider}"] = Options.ConnectionString,
    };

    public static async Task<TestDatabase> CreateAsync(TestProvider provider, bool migrate = true)
    {
        var db = provider switch
        {
            TestProvider.Sqlite => CreateSqlite(),
            TestProvider.SqlServer => await CreateSqlServerAsync(),
            _ => await CreatePostgresAsync(),
        };
        if (migrate)
        {
            await Migrator.MigrateAsync(db.Factory);
        }

        return db;
    }

    public static string PostgresServer =>
        Environment.GetEnvironmentVariable("PORTAL_TEST_POSTGRES") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException(
                "PostgreSQL tests need a server: run ./test.sh, which starts one and sets PORTAL_TEST_POSTGRES.");

    /// <summary>The SQL Server for the SQL Server runs of the integration tests, or null when none is given.</summary>
    public static string? SqlServerOrNull =>
        Environment.GetEnvironmentVariable(SqlServerDataAttribute.Variable) is { Length: > 0 } cs ? cs : null;

    public static string SqlServer =>
        SqlServerOrNull ?? throw new InvalidOperationException(SqlServerDataAttribute.SkipReason);

    private static TestDatabase CreateSqlite()
    {
        var folder = Path.Combine(Path.GetTempPath(), "portal-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var options = new DatabaseOptions(DatabaseProvider.Sqlite, $"Data Source={Path.Combine(folder, "portal.db")};Pooling=False");
        return new TestDatabase(TestProvider.Sqlite, options, folder, null);
    }

    private static async Task<TestDatabase> CreatePostgresAsync()
    {
        var name = "portal_test_" + Guid.NewGuid().ToString("N");
        await using (var admin = new NpgsqlConnection(PostgresServer + ";Database=postgres"))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
            await create.ExecuteNonQueryAsync();
        }

        var options = new DatabaseOptions(DatabaseProvider.Postgres, $"{PostgresServer};Database={name}");
        return new TestDatabase(TestProvider.Postgres, options, null, name);
    }

    private static async Task<TestDatabase> CreateSqlServerAsync()
    {
        var name = "portal_test_" + Guid.NewGuid().ToString("N");
        await SqlServerDatabases.CreateAsync(SqlServer, name);
        var options = new DatabaseOptions(DatabaseProvider.SqlServer, SqlServerDatabases.For(SqlServer, name));
        return new TestDatabase(TestProvider.SqlServer, options, null, null, name);
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        if (_sqlServerName is not null)
        {
            await SqlServerDatabases.DropAsync(SqlServer, _sqlServerName);
        }

        if (_postgresName is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(PostgresServer + ";Database=postgres");
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_postgresName}\" WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }

        if (_folder is not null)
        {
            try
            {
                Directory.Delete(_folder, recursive: true);
            }
            catch (IOException)
            {
                // A file still open by a pooled connection elsewhere; the temp folder is cleaned by the OS.
            }
        }
    }
}

public static class Providers
{
    /// <summary>SQLite and PostgreSQL, always there when the tests run. SQL Server comes with <see cref="SqlServerDataAttribute"/>.</summary>
    public static TheoryData<TestProvider> Both => [TestProvider.Sqlite, TestProvider.Postgres];
}

/// <summary>
/// Adds the SQL Server run to a provider theory (beside <c>[MemberData(nameof(Providers.Both))]</c>): it runs when
/// <c>PORTAL_TEST_SQLSERVER</c> holds a connection string to a SQL Server (a login that may create databases), and is
/// reported as skipped, with the reason, when it does not.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class SqlServerDataAttribute : Xunit.Sdk.DataAttribute
{
    public const string Variable = "PORTAL_TEST_SQLSERVER";

    public const string SkipReason =
        "SQL Server run not made: PORTAL_TEST_SQLSERVER is not set (no SQL Server engine on this machine). Set it to a server's "
        + "connection string, e.g. 'Server=127.0.0.1,1433;User Id=sa;Password=...;TrustServerCertificate=True'.";

    public override string? Skip
    {
        get => TestDatabase.SqlServerOrNull is null ? SkipReason : null;
        set => throw new NotSupportedException("The skip reason follows PORTAL_TEST_SQLSERVER.");
    }

    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [[TestProvider.SqlServer]];
}
