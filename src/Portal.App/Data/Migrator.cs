using Microsoft.EntityFrameworkCore;

namespace Portal.App.Data;

public static class Migrator
{
    /// <summary>Applies pending migrations. On SQLite also switches the file to WAL so readers never wait for the writer.</summary>
    public static async Task MigrateAsync(IDbContextFactory<PortalDbContext> factory, CancellationToken ct = default)
    {
        await using var db = factory.CreateDbContext();
        await db.Database.MigrateAsync(ct);
        if (db.Database.IsSqlite())
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        }
    }

    public static async Task<IReadOnlyList<string>> PendingAsync(IDbContextFactory<PortalDbContext> factory, CancellationToken ct = default)
    {
        await using var db = factory.CreateDbContext();
        return [.. await db.Database.GetPendingMigrationsAsync(ct)];
    }
}
