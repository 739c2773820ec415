using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Portal.App.Data;

/// <summary>
/// Keeps SQLite's planner statistics (<c>sqlite_stat1</c>) up to date the way SQLite advises for connections that live
/// long, as Microsoft.Data.Sqlite's pooled ones do: <c>PRAGMA optimize=0x10002</c> when a connection is first opened, and
/// again at most once every <see cref="Interval"/> when it is opened from the pool.
/// </summary>
/// <remarks>
/// <para>
/// Without statistics SQLite picks among a table's indexes blindly: a portal database that had never run <c>ANALYZE</c>
/// once took more than 15 minutes over an items-page query that takes milliseconds with the right index (README,
/// "Pages at 100,000 items and 1,000,000 annotations"). <c>PRAGMA optimize</c> is usually a no-op; it runs <c>ANALYZE</c> only
/// on tables that have none yet or that grew or shrank a lot since, under a temporary <c>analysis_limit</c> (SQLite 3.46 and
/// later) so that even a large table takes a bounded time. 0x10000 checks every table, not only those this connection used:
/// any pooled connection may serve any page.
/// </para>
/// <para>
/// <c>ANALYZE</c> writes. The pragma waits at most <see cref="BusyTimeoutSeconds"/> for another writer (a long import
/// holds the lock for its whole transaction), and a failure leaves the statistics as they were and the caller's work
/// untouched: the next attempt comes an <see cref="Interval"/> later.
/// </para>
/// </remarks>
public sealed class SqliteStatistics : DbConnectionInterceptor
{
    /// <summary>The interceptor every SQLite context uses (its state is per physical connection, so one serves every database).</summary>
    public static SqliteStatistics Instance { get; } = new(TimeProvider.System);

    /// <summary>How often a pooled connection runs the pragma again.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    /// <summary>How long the pragma waits for another connection's write lock before it gives up.</summary>
    public const int BusyTimeoutSeconds = 1;

    private readonly TimeProvider _clock;

    // The physical connection (Microsoft.Data.Sqlite's pooled sqlite3 handle) → when the pragma last ran on it.
    private readonly ConditionalWeakTable<object, StrongBox<DateTimeOffset>> _lastRun = new();

    public SqliteStatistics(TimeProvider clock) => _clock = clock;

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (Due(connection) is { } sqlite)
        {
            try
            {
                using var command = Command(sqlite);
                command.ExecuteNonQuery();
            }
            catch (SqliteException)
            {
                // Busy or read-only: statistics are advice to the planner; the caller's work goes on without new ones.
            }
        }
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (Due(connection) is { } sqlite)
        {
            try
            {
                await OptimizeAsync(sqlite, cancellationToken);
            }
            catch (SqliteException)
            {
                // As above.
            }
        }
    }

    /// <summary>Runs <c>PRAGMA optimize=0x10002</c> on an open connection: what this interceptor does when one is due.</summary>
    public static async Task OptimizeAsync(SqliteConnection connection, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = Command(connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static SqliteCommand Command(SqliteConnection connection)
    {
        var command = connection.CreateCommand();
        command.CommandText = "PRAGMA optimize=0x10002";
        command.CommandTimeout = BusyTimeoutSeconds;
        return command;
    }

    /// <summary>The connection when the pragma is due on it (first open of its physical connection, or an interval since), marked as run.</summary>
    private SqliteConnection? Due(DbConnection connection)
    {
        if (connection is not SqliteConnection { Handle: { } handle } sqlite)
        {
            return null;
        }

        var now = _clock.GetUtcNow();
        var last = _lastRun.GetValue(handle, _ => new StrongBox<DateTimeOffset>(DateTimeOffset.MinValue));
        lock (last)
        {
            if (now - last.Value < Interval)
            {
                return null;
            }

            last.Value = now;
        }

        return sqlite;
    }
}
