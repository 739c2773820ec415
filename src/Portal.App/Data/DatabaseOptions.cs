using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Portal.App.Data;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
    SqlServer,
}

/// <summary>
/// Which database, read from configuration: <c>Database:Provider</c> (Sqlite, the default, Postgres or SqlServer) and
/// <c>ConnectionStrings:Sqlite</c> / <c>ConnectionStrings:Postgres</c> / <c>ConnectionStrings:SqlServer</c>. The one place
/// that knows the providers.
/// </summary>
public sealed record DatabaseOptions(DatabaseProvider Provider, string ConnectionString)
{
    public const string SqliteMigrationsAssembly = "Portal.Migrations.Sqlite";
    public const string PostgresMigrationsAssembly = "Portal.Migrations.Postgres";
    public const string SqlServerMigrationsAssembly = "Portal.Migrations.SqlServer";

    /// <summary>
    /// For building the SQL Server model without a server (<c>dotnet ef</c>, the translation tests): never opened.
    /// </summary>
    public const string SqlServerDesignTimeConnectionString =
        "Server=127.0.0.1,1433;Database=portal_design_time;User Id=sa;Password=unused;TrustServerCertificate=True";

    public static DatabaseOptions FromConfiguration(IConfiguration configuration)
    {
        var providerName = configuration["Database:Provider"] ?? nameof(DatabaseProvider.Sqlite);
        if (!Enum.TryParse<DatabaseProvider>(providerName, ignoreCase: true, out var provider))
        {
            throw new InvalidOperationException(
                $"Database:Provider is '{providerName}'; it must be Sqlite, Postgres or SqlServer.");
        }

        var connectionString = configuration.GetConnectionString(provider.ToString());
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException($"ConnectionStrings:{provider} is not set.");
        }

        return new DatabaseOptions(provider, connectionString);
    }

    public void Configure(DbContextOptionsBuilder builder)
    {
        switch (Provider)
        {
            case DatabaseProvider.Sqlite:
                EnsureSqliteFolder(ConnectionString);
                builder.UseSqlite(ConnectionString, o => o.MigrationsAssembly(SqliteMigrationsAssembly))
                    .AddInterceptors(SqliteStatistics.Instance);
                break;
            case DatabaseProvider.Postgres:
                builder.UseNpgsql(WithPostgresDefaults(ConnectionString), o => o.MigrationsAssembly(PostgresMigrationsAssembly));
                break;
            case DatabaseProvider.SqlServer:
                builder.UseSqlServer(ConnectionString, o => o.MigrationsAssembly(SqlServerMigrationsAssembly));
                break;
        }

        // Item→Project and the like: both ends carry the same tenant filter, so the required end is never filtered alone.
        builder.ConfigureWarnings(w => w.Ignore(CoreEventId.PossibleIncorrectRequiredNavigationWithQueryFilterInteractionWarning));
    }

    /// <summary>
    /// The portal's defaults for its own PostgreSQL connections (EF Core's; Hangfire keeps the string as given), each added only
    /// when the connection string does not set that keyword itself, so <c>ConnectionStrings:Postgres</c> overrides them:
    /// <c>Max Auto Prepare=64</c> (Npgsql prepares a statement on the server once a pooled connection has run it 5 times, so
    /// the server stops parsing and planning the same statements over and over) and <c>No Reset On Close=true</c> (a
    /// connection going back to the pool is not reset; the reset would be sent with the next statement and run on the server).
    /// </summary>
    /// <remarks>
    /// Both are safe here because the portal keeps no session state on these connections: the tenant is a row filter, not a
    /// session setting; settings are <c>SET LOCAL</c> (end with their transaction); nothing listens, takes session advisory
    /// locks or leaves temporary tables on them. A migration that changes a result's columns invalidates prepared statements
    /// of running nodes: Npgsql drops such a statement after its one failed execution (error 0A000), which the engine's
    /// retry absorbs, and prepares it again.
    /// </remarks>
    public static string WithPostgresDefaults(string connectionString)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        var keys = given.Keys.Cast<string>().Select(k => k.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant()).ToHashSet();
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (!keys.Contains("MAXAUTOPREPARE"))
        {
            builder.MaxAutoPrepare = PostgresMaxAutoPrepare;
        }

        if (!keys.Contains("NORESETONCLOSE"))
        {
            builder.NoResetOnClose = true;
        }

        return builder.ConnectionString;
    }

    /// <summary>Statements each pooled PostgreSQL connection keeps prepared (least recently used go first).</summary>
    public const int PostgresMaxAutoPrepare = 64;

    private static void EnsureSqliteFolder(string connectionString)
    {
        var dataSource = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connectionString).DataSource;
        var folder = Path.GetDirectoryName(Path.GetFullPath(dataSource));
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }
    }
}

public static class DataServiceCollectionExtensions
{
    /// <summary>Registers the context factory (Blazor, jobs) and a scoped context (Identity's stores).</summary>
    public static IServiceCollection AddPortalData(this IServiceCollection services, DatabaseOptions database)
    {
        services.AddSingleton(database);
        services.AddDbContextFactory<PortalDbContext>(database.Configure);
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext());
        return services;
    }
}
