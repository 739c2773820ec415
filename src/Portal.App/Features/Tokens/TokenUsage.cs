using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;

namespace Portal.App.Features.Tokens;

/// <summary>
/// When each API token was last used, kept in memory and written to the database by <see cref="FlushAsync"/> (a
/// background loop in the web app, every few minutes), never on the request that used the token.
/// </summary>
/// <remarks>
/// Guards against a busy database failing authentication: on SQLite a long import holds the single write lock, and a
/// token check that wrote <c>LastUsedAt</c> waited for it and failed with "database is locked". A failed flush keeps
/// its times for the next one; nothing it does can fail a request.
/// </remarks>
public sealed class TokenUsage
{
    private readonly ConcurrentDictionary<Guid, DateTime> _pending = new();

    /// <summary>Notes a use of the token; in memory only.</summary>
    public void Note(Guid tokenId, DateTime usedAt) =>
        _pending.AddOrUpdate(tokenId, usedAt, (_, earlier) => usedAt > earlier ? usedAt : earlier);

    /// <summary>The time noted since the last flush, if any.</summary>
    public DateTime? Pending(Guid tokenId) => _pending.TryGetValue(tokenId, out var at) ? at : null;

    /// <summary>Writes the noted times (one short update per token) and forgets those written; returns how many.</summary>
    public async Task<int> FlushAsync(IDbContextFactory<PortalDbContext> dbFactory, CancellationToken ct = default)
    {
        var written = 0;
        foreach (var (tokenId, usedAt) in _pending.ToArray())
        {
            await using var db = dbFactory.CreateSystem();
            await db.ApiTokens.Where(t => t.Id == tokenId && (t.LastUsedAt == null || t.LastUsedAt < usedAt))
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, usedAt), ct);

            // Forget the time only if no later use came in meanwhile.
            _pending.TryRemove(new KeyValuePair<Guid, DateTime>(tokenId, usedAt));
            written++;
        }

        return written;
    }
}
