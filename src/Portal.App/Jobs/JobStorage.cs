using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.SqlServer;
using Hangfire.Storage.SQLite;
using Microsoft.Data.SqlClient;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Portal.App.Data;

namespace Portal.App.Jobs;

/// <summary>
/// This node's job settings: <c>Jobs:NodeName</c> (the Hangfire server's name, shown as a run's node; the machine name by
/// default), <c>Jobs:Queues</c> (comma separated; every queue by default), <c>Jobs:Workers</c>, <c>Jobs:PollSeconds</c>,
/// <c>Jobs:HeartbeatSeconds</c>, <c>Jobs:InvisibilityTimeoutSeconds</c> (how long a job fetched by a node that died
/// stays invisible before another fetch runs it again) and <c>Jobs:WorkerOnly</c> (no pages; the schedules left alone).
/// </summary>
public sealed record JobsOptions(string NodeName, IReadOnlyList<string> Queues, int Workers, TimeSpan PollInterval, TimeSpan HeartbeatInterval,
    TimeSpan? InvisibilityTimeout, bool Schedules, bool WorkerOnly = false)
{
    public static JobsOptions FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var queues = (configuration["Jobs:Queues"] ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(q => q.ToLowerInvariant())
            .Distinct()
            .ToList();
        var invisibility = configuration.GetValue<double?>("Jobs:InvisibilityTimeoutSeconds");
        return new JobsOptions(
            configuration["Jobs:NodeName"] ?? Environment.MachineName,
            queues.Count == 0 ? JobQueues.All : queues,
            configuration.GetValue("Jobs:Workers", Math.Min(Environment.ProcessorCount * 5, 20)),
            TimeSpan.FromSeconds(configuration.GetValue("Jobs:PollSeconds", 1.0)),
            TimeSpan.FromSeconds(configuration.GetValue("Jobs:HeartbeatSeconds", 30.0)),
            invisibility is { } s ? TimeSpan.FromSeconds(s) : null,
            configuration.GetValue("Jobs:Schedules", true),
            configuration.GetValue("Jobs:WorkerOnly", false));
    }
}

/// <summary>
/// Hangfire's storage follows the portal's database. PostgreSQL and SQL Server: the <c>hangfire</c> schema of the portal's
/// database, shared by every node. SQLite: a sibling file (<c>portal.db</c> → <c>portal.hangfire.db</c>) rather than the portal's own file,
/// so Hangfire's polling, heartbeats and locks never wait for (or hold) the portal's single SQLite writer.
/// </summary>
/// <remarks>
/// SQLite storage is single-node: two processes on one file ran 5 of 200 jobs twice (docs/decisions/0007). The schema is
/// installed by <see cref="InstallAsync"/> before the server fetches anything, never by several nodes racing at start.
/// </remarks>
public sealed class JobStorageSetup(DatabaseOptions database, JobsOptions options)
{
    private readonly Lazy<JobStorage> _storage = new(() => Create(database, options));

    public DatabaseOptions Database => database;

    public JobStorage Storage => _storage.Value;

    /// <summary>The file Hangfire's SQLite storage uses beside the portal's database file.</summary>
    public static string SqliteFile(string portalConnectionString)
    {
        var portalFile = Path.GetFullPath(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(portalConnectionString).DataSource);
        return Path.Combine(Path.GetDirectoryName(portalFile)!, Path.GetFileNameWithoutExtension(portalFile) + ".hangfire" + Path.GetExtension(portalFile));
    }

    /// <summary>The schema Hangfire's tables live in on the server databases.</summary>
    public const string Schema = "hangfire";

    private static JobStorage Create(DatabaseOptions database, JobsOptions options) => database.Provider switch
    {
        DatabaseProvider.Postgres => CreatePostgres(database, options),
        DatabaseProvider.SqlServer => CreateSqlServer(database, options),
        _ => CreateSqlite(database, options),
    };

    private static PostgreSqlStorage CreatePostgres(DatabaseOptions database, JobsOptions options)
    {
        var pg = new PostgreSqlStorageOptions
        {
            // The default 15 s let the enqueuing node take all short jobs; 1 s shares them (probe, DESIGN.md).
            QueuePollInterval = options.PollInterval,
            // A running job keeps its fetch fresh, so a short timeout only re-runs jobs whose node died.
            UseSlidingInvisibilityTimeout = true,
            InvisibilityTimeout = options.InvisibilityTimeout ?? TimeSpan.FromMinutes(5),
            PrepareSchemaIfNecessary = false,
        };
        return new PostgreSqlStorage(new NpgsqlConnectionFactory(database.ConnectionString, pg, null), pg);
    }

    private static SqlServerStorage CreateSqlServer(DatabaseOptions database, JobsOptions options) =>
        new(() => new SqlConnection(database.ConnectionString), SqlServerOptions(options));

    /// <summary>Hangfire 1.8's recommended SQL Server settings, with this node's poll interval and invisibility timeout.</summary>
    public static SqlServerStorageOptions SqlServerOptions(JobsOptions options) => new()
    {
        SchemaName = Schema,
        QueuePollInterval = options.PollInterval,
        // A running job keeps its fetch fresh, so a short timeout only re-runs jobs whose node died.
        SlidingInvisibilityTimeout = options.InvisibilityTimeout ?? TimeSpan.FromMinutes(5),
        CommandBatchMaxTimeout = TimeSpan.FromMinutes(5),
        UseRecommendedIsolationLevel = true,
        DisableGlobalLocks = true,
        // Installed once by InstallAsync, before any server fetches.
        PrepareSchemaIfNecessary = false,
    };

    private static SQLiteStorage CreateSqlite(DatabaseOptions database, JobsOptions options)
    {
        var file = SqliteFile(database.ConnectionString);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        return new SQLiteStorage(file, new SQLiteStorageOptions
        {
            QueuePollInterval = options.PollInterval,
            // No sliding timeout here: it must outlast the longest job, or a running job is fetched again.
            InvisibilityTimeout = options.InvisibilityTimeout ?? TimeSpan.FromMinutes(30),
        });
    }

    /// <summary>
    /// Installs or upgrades Hangfire's schema once: on PostgreSQL under an advisory lock, so nodes starting together on an
    /// empty database do not race (the probe saw CREATE SCHEMA fail on one of two); on SQL Server Hangfire's install script
    /// takes an exclusive application lock itself (<c>sp_getapplock</c>). SQLite's storage creates its tables itself.
    /// </summary>
    public async Task InstallAsync(CancellationToken ct)
    {
        if (database.Provider == DatabaseProvider.Postgres)
        {
            await using var connection = new NpgsqlConnection(database.ConnectionString);
            await connection.OpenAsync(ct);
            await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_lock(hashtext('portal-hangfire-schema'))", connection))
            {
                await lockCommand.ExecuteNonQueryAsync(ct);
            }

            try
            {
                PostgreSqlObjectsInstaller.Install(connection);
            }
            finally
            {
                await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(hashtext('portal-hangfire-schema'))", connection);
                await unlock.ExecuteNonQueryAsync(CancellationToken.None);
            }
        }
        else if (database.Provider == DatabaseProvider.SqlServer)
        {
            await using var connection = new SqlConnection(database.ConnectionString);
            await connection.OpenAsync(ct);
            SqlServerObjectsInstaller.Install(connection, Schema, enableHeavyMigrations: true);
        }

        _ = Storage;
    }
}

/// <summary>
/// Started before the Hangfire server (hosted services start in order): installs the schema, warns when a second live
/// server shares a SQLite storage, and defines or removes the recurring jobs.
/// </summary>
internal sealed class JobStorageStartup(JobStorageSetup setup, JobsOptions options, IRecurringJobManager recurring, ILogger<JobStorageStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await setup.InstallAsync(cancellationToken);
        if (setup.Database.Provider == DatabaseProvider.Sqlite)
        {
            var since = DateTime.UtcNow - (options.HeartbeatInterval * 4);
            var live = setup.Storage.GetMonitoringApi().Servers().Where(s => s.Heartbeat is { } beat && beat > since).Select(s => s.Name).ToList();
            if (live.Count > 0)
            {
                logger.LogCritical(
                    "Another job server ({Servers}) is alive on the SQLite job storage {File}. SQLite is single-node: two servers on one file run some jobs twice. Stop the other process, or move to PostgreSQL for several nodes. (A process killed in the last {Seconds} s also shows here.)",
                    string.Join(", ", live), JobStorageSetup.SqliteFile(setup.Database.ConnectionString), (int)(options.HeartbeatInterval * 4).TotalSeconds);
            }
        }

        // The recurring jobs are shared by every node of a database: the web nodes define them (or remove them with
        // Jobs:Schedules=false); a worker-only node leaves them as they are.
        if (!options.WorkerOnly)
        {
            JobRegistry.Schedule(recurring, options.Schedules);
        }

        logger.LogInformation("Job server {Node} serves the queues {Queues}", options.NodeName, string.Join(", ", options.Queues));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
