using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Portal.App.Data;

/// <summary>Fresh planner statistics after a bulk write, in each provider's words.</summary>
public static class DatabaseStatistics
{
    /// <summary>
    /// Statistics of one table: <c>ANALYZE "T"</c> on SQLite and PostgreSQL, <c>UPDATE STATISTICS [T]</c> on SQL Server.
    /// The table name is one of the model's own, never user input.
    /// </summary>
    public static Task RefreshAsync(DatabaseFacade database, string table, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        if (table.Any(c => !char.IsAsciiLetterOrDigit(c)))
        {
            throw new ArgumentException($"'{table}' is not a plain table name.", nameof(table));
        }

        // Checked above to be a plain name; identifiers cannot be parameters.
        var sql = database.IsSqlServer() ? "UPDATE STATISTICS [" + table + "]" : "ANALYZE \"" + table + "\"";
        return database.ExecuteSqlRawAsync(sql, ct);
    }

    /// <summary>Statistics of every table: <c>ANALYZE</c> on SQLite and PostgreSQL, <c>sp_updatestats</c> on SQL Server.</summary>
    public static Task RefreshAllAsync(DatabaseFacade database, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        return database.ExecuteSqlRawAsync(database.IsSqlServer() ? "EXEC sp_updatestats" : "ANALYZE", ct);
    }
}
