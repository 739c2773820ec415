using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Organisations;
using Portal.App.Identity;

namespace Portal.App.Features.Invites;

public enum InviteState
{
    Valid,
    Unknown,
    Expired,
    Used,
    Revoked,
}

public sealed record CreatedInvite(Guid Id, string Token, DateTime ExpiresAt)
{
    public string Path => $"/invite/{Token}";
}

public sealed record InviteRow(Guid Id, OrgRoles Roles, string? Note, DateTime CreatedAt, DateTime ExpiresAt, DateTime? UsedAt, DateTime? RevokedAt);

public sealed record InviteLookup(InviteState State, Guid OrganisationId, string OrganisationName, OrgRoles Roles);

/// <summary>Single-use invitation links with an expiry. There is no mail server: the admin copies the link.</summary>
/// <remarks>Only a SHA-256 of the token is stored, so a leaked database does not hand out working links.</remarks>
public sealed class InviteService(IDbContextFactory<PortalDbContext> dbFactory, OrganisationService organisations, TimeProvider clock, IServiceScopeFactory scopes)
{
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(30);

    /// <summary>The longest note an invite may carry (for the admins: who it is for).</summary>
    public const int MaxNoteLength = 500;

    public async Task<CreatedInvite> CreateAsync(Guid orgId, OrgRoles roles, TimeSpan lifetime, Guid createdBy, string? note, CancellationToken ct = default)
    {
        if (roles == OrgRoles.None)
        {
            throw new PortalValidationException("roles", "An invite must grant at least one role.");
        }

        if (lifetime <= TimeSpan.Zero || lifetime > MaxLifetime)
        {
            throw new PortalValidationException("expiresInHours", $"An invite must expire within 1 hour and {MaxLifetime.TotalDays} days.");
        }

        if (note?.Trim().Length > MaxNoteLength)
        {
            throw new PortalValidationException("note", $"An invite's note is at most {MaxNoteLength} characters; this one has {note.Trim().Length}.");
        }

        var token = SecretTokens.Generate();
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = dbFactory.CreateForTenant(orgId);
        var invite = new Invite
        {
            TokenHash = SecretTokens.Hash(token),
            Roles = roles,
            Note = string.IsNullOrWhiteSpace(note) ? null : note.Trim(),
            CreatedAt = now,
            ExpiresAt = now + lifetime,
            CreatedByUserId = createdBy,
        };
        db.Invites.Add(invite);
        await db.SaveChangesAsync(ct);
        return new CreatedInvite(invite.Id, token, invite.ExpiresAt);
    }

    public async Task<IReadOnlyList<InviteRow>> ListAsync(Guid orgId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        return await db.Invites.OrderByDescending(i => i.CreatedAt)
            .Select(i => new InviteRow(i.Id, i.Roles, i.Note, i.CreatedAt, i.ExpiresAt, i.UsedAt, i.RevokedAt))
            .ToListAsync(ct);
    }

    /// <summary>
    /// A page of the organisation's invites, read in the database: newest first unless sorted by expiry or creation; the
    /// search looks in the note, ignoring case.
    /// </summary>
    public async Task<ListPage<InviteRow>> PageAsync(Guid orgId, ListQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var db = dbFactory.CreateForTenant(orgId);
        var invites = db.Invites.AsQueryable();
        if (query.SearchText?.ToLowerInvariant() is { } text)
        {
#pragma warning disable CA1304, CA1311, CA1862 // Translated to SQL LOWER(…) and a substring test: the culture and comparison overloads do not translate.
            invites = invites.Where(i => i.Note != null && i.Note.ToLower().Contains(text));
#pragma warning restore CA1304, CA1311, CA1862
        }

        var total = await invites.CountAsync(ct);
        var sorted = (query.SortBy, query.Descending) switch
        {
            (nameof(InviteRow.ExpiresAt), false) => invites.OrderBy(i => i.ExpiresAt),
            (nameof(InviteRow.ExpiresAt), true) => invites.OrderByDescending(i => i.ExpiresAt),
            (nameof(InviteRow.Note), false) => invites.OrderBy(i => i.Note).ThenByDescending(i => i.CreatedAt),
            (nameof(InviteRow.Note), true) => invites.OrderByDescending(i => i.Note).ThenByDescending(i => i.CreatedAt),
            (nameof(InviteRow.CreatedAt), false) => invites.OrderBy(i => i.CreatedAt),
            _ => invites.OrderByDescending(i => i.CreatedAt),
        };
        var rows = await sorted.ThenBy(i => i.Id)
            .Skip(query.SafeSkip)
            .Take(query.SafeTake)
            .Select(i => new InviteRow(i.Id, i.Roles, i.Note, i.CreatedAt, i.ExpiresAt, i.UsedAt, i.RevokedAt))
            .ToListAsync(ct);
        return new ListPage<InviteRow>(rows, total);
    }

    public async Task<bool> RevokeAsync(Guid orgId, Guid inviteId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        var invite = await db.Invites.FirstOrDefaultAsync(i => i.Id == inviteId, ct);
        if (invite is null)
        {
            return false;
        }

        invite.RevokedAt ??= clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        return true;
    }

    public async Task<InviteLookup> LookupAsync(string token, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateSystem();
        var hash = SecretTokens.Hash(token);
        var row = await db.Invites.IgnoreQueryFilters()
            .Where(i => i.TokenHash == hash)
            .Join(db.Organisations, i => i.TenantId, o => o.Id, (i, o) => new { Invite = i, OrgName = o.Name })
            .FirstOrDefaultAsync(ct);
        if (row is null)
        {
            return new InviteLookup(InviteState.Unknown, Guid.Empty, "", OrgRoles.None);
        }

        return new InviteLookup(StateOf(row.Invite), row.Invite.TenantId, row.OrgName, row.Invite.Roles);
    }

    /// <summary>
    /// Redeems the invite for the user: the membership is granted and the invite is marked used in one
    /// conditional update, so two people racing with the same link cannot both get in.
    /// </summary>
    public async Task<InviteLookup> AcceptAsync(string token, Guid userId, CancellationToken ct = default)
    {
        var lookup = await LookupAsync(token, ct);
        if (lookup.State != InviteState.Valid)
        {
            return lookup;
        }

        var hash = SecretTokens.Hash(token);
        var now = clock.GetUtcNow().UtcDateTime;
        await using (var db = dbFactory.CreateForTenant(lookup.OrganisationId))
        {
            var claimed = await db.Invites
                .Where(i => i.TokenHash == hash && i.UsedAt == null && i.RevokedAt == null && i.ExpiresAt > now)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.UsedAt, now).SetProperty(i => i.UsedByUserId, userId), ct);
            if (claimed == 0)
            {
                return await LookupAsync(token, ct);
            }
        }

        await organisations.GrantAsync(lookup.OrganisationId, userId, lookup.Roles, ct);
        return lookup with { State = InviteState.Valid };
    }

    /// <summary>
    /// Creates an account and redeems the invite for it in one transaction: the invite is claimed, the user created and
    /// the membership granted, or none of it happens. Of several people registering with one link at once, exactly one
    /// gets an account; the others get the invite's state (used) and no account.
    /// </summary>
    /// <returns>The invite's state, and the new user when it was valid and is now used by them.</returns>
    /// <exception cref="PortalValidationException">The e-mail, display name or password is not acceptable, or the e-mail has an account already; the invite stays open.</exception>
    public async Task<(InviteLookup Lookup, PortalUser? User)> RegisterAsync(string token, string email, string password, string? displayName, CancellationToken ct = default)
    {
        var lookup = await LookupAsync(token, ct);
        if (lookup.State != InviteState.Valid)
        {
            return (lookup, null);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var user = OrganisationService.NewUser(email, displayName, platformAdmin: false, now);

        // Identity's user store and the invite share this scope's context, so they share its transaction.
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        db.CurrentTenantId = lookup.OrganisationId;
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var hash = SecretTokens.Hash(token);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);

        // Claimed first: whoever loses the race stops here, before an account exists.
        var claimed = await db.Invites
            .Where(i => i.TokenHash == hash && i.UsedAt == null && i.RevokedAt == null && i.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.UsedAt, now), ct);
        if (claimed == 0)
        {
            await transaction.RollbackAsync(CancellationToken.None);
            return (await LookupAsync(token, ct), null);
        }

        if (await users.FindByEmailAsync(user.Email!) is not null)
        {
            throw new PortalValidationException("email", "An account with this e-mail already exists: sign in first, then open the link again.");
        }

        await OrganisationService.CreateAsync(users, user, password);
        await db.Invites.Where(i => i.TokenHash == hash).ExecuteUpdateAsync(s => s.SetProperty(i => i.UsedByUserId, user.Id), ct);
        db.Memberships.Add(new Membership { UserId = user.Id, Roles = lookup.Roles, CreatedAt = now });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return (lookup, user);
    }

    private InviteState StateOf(Invite invite) =>
        invite.RevokedAt is not null ? InviteState.Revoked
        : invite.UsedAt is not null ? InviteState.Used
        : invite.ExpiresAt <= clock.GetUtcNow().UtcDateTime ? InviteState.Expired
        : InviteState.Valid;

}
