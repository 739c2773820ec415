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
}

/// <summary>
/// A fresh, migrated database for one test: a SQLite file in a temporary folder, or a new database on the
/// PostgreSQL server that <c>test.sh</c> starts (<c>PORTAL_TEST_POSTGRES</c>). Dropped on dispose.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string? _folder;
    private readonly string? _postgresName;

    private TestDatabase(TestProvider provider, DatabaseOptions options, string? folder, string? postgresName)
    {
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

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
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
    public static TheoryData<TestProvider> Both => [TestProvider.Sqlite, TestProvider.Postgres];
}
