using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;

namespace Portal.App.Features.Import;

/// <summary>
/// SQLite's staging table for one import: a TEMP table named like <see cref="ImportStagedItem"/>'s, made on the import's own
/// connection from the real table's definition. SQLite looks a name up in the temp schema first, so every statement of the
/// import (the staging writer, the publish, the external raters' publish) reads and writes it unchanged, while no other
/// connection sees it. It lives in a temporary file of its own: staging takes no lock on the database (other organisations
/// never wait for it), writes no WAL, and the tidy is one <c>DROP TABLE</c> of that file's pages instead of deleting every
/// staged row in the database. A process that dies mid-import leaves nothing behind: the temporary file goes with it.
/// See docs/decisions/0010-import-staging.md.
/// </summary>
internal sealed class SqliteTempStaging : IAsyncDisposable
{
    private const string Table = "ImportStagedItems";

    /// <summary>
    /// The import connection's page cache (KiB, as <c>PRAGMA cache_size</c> takes a negative size): the publish inserts a
    /// million rows into the items' indexes, and the external id's index takes them in no order; with SQLite's default of
    /// 2 MB most of those inserts read and spill pages. A fixed size: the import's memory still does not grow with the file.
    /// </summary>
    public const int CacheKib = 65536;

    private readonly PortalDbContext _db;
    private long _cacheSize = -2000;

    private SqliteTempStaging(PortalDbContext db) => _db = db;

    /// <summary>The temp table on <paramref name="db"/>'s connection, held open until disposal; null on other providers.</summary>
    public static async Task<SqliteTempStaging?> CreateAsync(PortalDbContext db, CancellationToken ct)
    {
        if (!db.Database.IsSqlite())
        {
            return null;
        }

        await db.Database.OpenConnectionAsync(ct);
        var staging = new SqliteTempStaging(db);
        try
        {
            var connection = db.Database.GetDbConnection();
            var create = (string?)await ScalarAsync(connection, $"SELECT sql FROM main.sqlite_master WHERE type = 'table' AND name = '{Table}'", ct)
                ?? throw new InvalidOperationException($"The database has no {Table} table; run the migrations.");
            const string Prefix = "CREATE TABLE ";
            if (!create.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"Unexpected definition of {Table}: {create}");
            }

            // In a file, not in memory (the library's default): a million staged pairs are half a gigabyte.
            await ExecuteAsync(connection, "PRAGMA temp_store = FILE", ct);
            staging._cacheSize = (long)(await ScalarAsync(connection, "PRAGMA main.cache_size", ct))!;
            await ExecuteAsync(connection, $"PRAGMA main.cache_size = -{CacheKib}", ct);
            await ExecuteAsync(connection, "CREATE TEMP TABLE " + create[Prefix.Length..], ct);
            // The publish keeps the first line of each external id from this index, as it does from the real table's.
            await ExecuteAsync(connection, $"CREATE INDEX temp.\"IX_{Table}_Import\" ON \"{Table}\" (\"ImportId\", \"ExternalId\", \"Seq\")", ct);
            return staging;
        }
        catch
        {
            await staging.DisposeAsync();
            throw;
        }
    }

    /// <summary>Drops the temp table (its pages only: no other table is touched) and gives the connection back.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            var connection = _db.Database.GetDbConnection();
            await ExecuteAsync(connection, $"DROP TABLE IF EXISTS temp.\"{Table}\"", CancellationToken.None);
            await ExecuteAsync(connection, "PRAGMA temp_store = DEFAULT", CancellationToken.None);

            // The connection goes back to the pool: the next user gets the cache it had.
            await ExecuteAsync(connection, $"PRAGMA main.cache_size = {_cacheSize}", CancellationToken.None);
        }
        finally
        {
            await _db.Database.CloseConnectionAsync();
        }
    }

    private static async Task ExecuteAsync(DbConnection connection, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<object?> ScalarAsync(DbConnection connection, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(ct);
    }
}
