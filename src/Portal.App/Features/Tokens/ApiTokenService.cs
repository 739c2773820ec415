using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features.Organisations;
using Portal.App.Identity;

namespace Portal.App.Features.Tokens;

public sealed record CreatedToken(Guid Id, string Name, string Token, DateTime? ExpiresAt);

/// <summary>A live token's owner and, for a feedback token, the one project it may post feedback to.</summary>
public sealed record ValidatedToken(Guid UserId, Guid? FeedbackTenantId, Guid? FeedbackProjectId);

public sealed record TokenRow(Guid Id, string Name, string Prefix, DateTime CreatedAt, DateTime? ExpiresAt, DateTime? LastUsedAt, DateTime? RevokedAt);

/// <summary>
/// Personal API tokens: a script or bot signs in as its owner with <c>Authorization: Bearer …</c> and reaches the same
/// endpoints, with the same organisation checks, as the owner in a browser.
/// </summary>
/// <remarks>The token is shown once; only its SHA-256 is stored, so a copy of the database holds no working token.</remarks>
public sealed class ApiTokenService(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock, TokenUsage usage)
{
    public const string Prefix = "ptl_";

    public async Task<CreatedToken> CreateAsync(Guid userId, string name, int? expiresInDays, CancellationToken ct = default)
    {
        name = name.Trim();
        if (name.Length is 0 or > 100)
        {
            throw new PortalValidationException("name", "A token needs a name of 1 to 100 characters, to recognise it later.");
        }

        if (expiresInDays is < 1 or > 366)
        {
            throw new PortalValidationException("expiresInDays", "A token expires after 1 to 366 days, or never when left out.");
        }

        var token = SecretTokens.Generate(Prefix);
        var now = clock.GetUtcNow().UtcDateTime;
        var row = new ApiToken
        {
            UserId = userId,
            Name = name,
            TokenHash = SecretTokens.Hash(token),
            DisplayPrefix = token[..10],
            CreatedAt = now,
            ExpiresAt = expiresInDays is { } d ? now.AddDays(d) : null,
        };
        await using var db = dbFactory.CreateSystem();
        db.ApiTokens.Add(row);
        await db.SaveChangesAsync(ct);
        return new CreatedToken(row.Id, row.Name, token, row.ExpiresAt);
    }

    public async Task<IReadOnlyList<TokenRow>> ListAsync(Guid userId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateSystem();
        var rows = await db.ApiTokens.Where(t => t.UserId == userId).OrderByDescending(t => t.CreatedAt)
            .Select(t => new TokenRow(t.Id, t.Name, t.DisplayPrefix, t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt))
            .ToListAsync(ct);

        // Uses not yet written by the background flush.
        return [.. rows.Select(r => usage.Pending(r.Id) is { } at && (r.LastUsedAt is null || at > r.LastUsedAt) ? r with { LastUsedAt = at } : r)];
    }

    /// <summary>Revokes one of the user's own tokens; false when the user has no such token.</summary>
    public async Task<bool> RevokeAsync(Guid userId, Guid tokenId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateSystem();
        var now = clock.GetUtcNow().UtcDateTime;
        return await db.ApiTokens.Where(t => t.Id == tokenId && t.UserId == userId && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), ct) > 0
            || await db.ApiTokens.AnyAsync(t => t.Id == tokenId && t.UserId == userId, ct);
    }

    /// <summary>
    /// The owner of a live token (not revoked, not expired), or null. Reads only: the use is noted in memory
    /// (<see cref="TokenUsage"/>) and written later, so a busy database cannot fail the request.
    /// </summary>
    public async Task<Guid?> ValidateAsync(string token, CancellationToken ct = default) =>
        (await ValidateScopedAsync(token, ct))?.UserId;

    /// <summary>As <see cref="ValidateAsync"/>, with the token's scope: a feedback token's organisation and project, else nulls.</summary>
    public async Task<ValidatedToken?> ValidateScopedAsync(string token, CancellationToken ct = default)
    {
        if (!token.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var hash = SecretTokens.Hash(token);
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = dbFactory.CreateSystem();
        var row = await db.ApiTokens.AsNoTracking()
            .Where(t => t.TokenHash == hash && t.RevokedAt == null && (t.ExpiresAt == null || t.ExpiresAt > now))
            .Select(t => new { t.Id, t.UserId, t.FeedbackTenantId, t.FeedbackProjectId })
            .FirstOrDefaultAsync(ct);
        if (row is null)
        {
            return null;
        }

        usage.Note(row.Id, now);
        return new ValidatedToken(row.UserId, row.FeedbackTenantId, row.FeedbackProjectId);
    }
}
