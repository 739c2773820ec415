using Microsoft.EntityFrameworkCore;

namespace Portal.App.Data;

public static class Migrator
{
    /// <summary>
    /// Applies pending migrations. On SQLite also switches the file to WAL so readers never wait for the writer, and gives
    /// the planner statistics for what has none (a new index, a database never analysed): see <see cref="SqliteStatistics"/>.
    /// </summary>
    public static async Task MigrateAsync(IDbContextFactory<PortalDbContext> factory, CancellationToken ct = default)
    {
        await using var db = factory.CreateDbContext();
        await db.Database.MigrateAsync(ct);
        if (db.Database.IsSqlite())
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
            await db.Database.OpenConnectionAsync(ct);
            await SqliteStatistics.OptimizeAsync((Microsoft.Data.Sqlite.SqliteConnection)db.Database.GetDbConnection(), ct);
        }
    }

    public static async Task<IReadOnlyList<string>> PendingAsync(IDbContextFactory<PortalDbContext> factory, CancellationToken ct = default)
    {
        await using var db = factory.CreateDbContext();
        return [.. await db.Database.GetPendingMigrationsAsync(ct)];
    }
}
