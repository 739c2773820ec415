using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features.Organisations;
using Portal.App.Features.Tokens;
using Portal.App.Identity;

namespace Portal.App.Features.Feedback;

public sealed record FeedbackTokenRow(Guid Id, string Name, string Prefix, string Owner, DateTime CreatedAt, DateTime? ExpiresAt, DateTime? LastUsedAt, DateTime? RevokedAt);

/// <summary>
/// Feedback tokens: API tokens that may only post deployment feedback to one project (<see cref="ApiToken.FeedbackProjectId"/>).
/// Minted by a project admin for the deployed assistant; they act as that admin, so they stop working when the admin loses the role.
/// </summary>
public sealed class FeedbackTokenService(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock)
{
    /// <summary>Null when the project is not the organisation's.</summary>
    /// <exception cref="PortalValidationException">The name or the expiry is out of range.</exception>
    public async Task<CreatedToken?> CreateAsync(Guid orgId, Guid projectId, Guid userId, string name, int? expiresInDays, CancellationToken ct = default)
    {
        name = (name ?? "").Trim();
        if (name.Length is 0 or > 100)
        {
            throw new PortalValidationException("name", "A token needs a name of 1 to 100 characters, to recognise it later.");
        }

        if (expiresInDays is < 1 or > 366)
        {
            throw new PortalValidationException("expiresInDays", "A token expires after 1 to 366 days, or never when left out.");
        }

        await using (var tenant = dbFactory.CreateForTenant(orgId))
        {
            if (!await tenant.Projects.AnyAsync(p => p.Id == projectId, ct))
            {
                return null;
            }
        }

        var token = SecretTokens.Generate(ApiTokenService.Prefix);
        var now = clock.GetUtcNow().UtcDateTime;
        var row = new ApiToken
        {
            UserId = userId,
            Name = name,
            TokenHash = SecretTokens.Hash(token),
            DisplayPrefix = token[..10],
            CreatedAt = now,
            ExpiresAt = expiresInDays is { } d ? now.AddDays(d) : null,
            FeedbackProjectId = projectId,
            FeedbackTenantId = orgId,
        };
        await using var db = dbFactory.CreateSystem();
        db.ApiTokens.Add(row);
        await db.SaveChangesAsync(ct);
        return new CreatedToken(row.Id, row.Name, token, row.ExpiresAt);
    }

    /// <summary>Null when the project is not the organisation's.</summary>
    public async Task<IReadOnlyList<FeedbackTokenRow>?> ListAsync(Guid orgId, Guid projectId, CancellationToken ct = default)
    {
        await using (var tenant = dbFactory.CreateForTenant(orgId))
        {
            if (!await tenant.Projects.AnyAsync(p => p.Id == projectId, ct))
            {
                return null;
            }
        }

        await using var db = dbFactory.CreateSystem();
        return await db.ApiTokens.AsNoTracking()
            .Where(t => t.FeedbackTenantId == orgId && t.FeedbackProjectId == projectId)
            .OrderByDescending(t => t.CreatedAt)
            .Select(t => new FeedbackTokenRow(t.Id, t.Name, t.DisplayPrefix, db.Users.Where(u => u.Id == t.UserId).Select(u => u.Email).FirstOrDefault() ?? "",
                t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt))
            .ToListAsync(ct);
    }

    /// <summary>Revokes a feedback token of the project (any admin of it may); false when the project has no such token.</summary>
    public async Task<bool> RevokeAsync(Guid orgId, Guid projectId, Guid tokenId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateSystem();
        var now = clock.GetUtcNow().UtcDateTime;
        var mine = db.ApiTokens.Where(t => t.Id == tokenId && t.FeedbackTenantId == orgId && t.FeedbackProjectId == projectId);
        return await mine.Where(t => t.RevokedAt == null).ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), ct) > 0
            || await mine.AnyAsync(ct);
    }
}
