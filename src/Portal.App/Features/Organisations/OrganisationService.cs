using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;

namespace Portal.App.Features.Organisations;

/// <summary>A request that cannot be carried out as asked; the message says what and where, for a person to act on.</summary>
public sealed class PortalValidationException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>Organisations, people and their roles: used by the platform pages, the org admin pages and the CLI.</summary>
public sealed class OrganisationService(
    IDbContextFactory<PortalDbContext> dbFactory,
    UserManager<PortalUser> users,
    TimeProvider clock)
{
    public async Task<Organisation> CreateOrganisationAsync(string name, CancellationToken ct = default)
    {
        name = name.Trim();
        if (name.Length is 0 or > 200)
        {
            throw new PortalValidationException("name", "An organisation needs a name of 1 to 200 characters.");
        }

        await using var db = dbFactory.CreateSystem();
        if (await db.Organisations.AnyAsync(o => o.Name == name, ct))
        {
            throw new PortalValidationException("name", $"An organisation named '{name}' already exists.");
        }

        var org = new Organisation { Name = name, CreatedAt = clock.GetUtcNow().UtcDateTime };
        db.Organisations.Add(org);
        await db.SaveChangesAsync(ct);
        return org;
    }

    public async Task<Organisation?> FindOrganisationAsync(string idOrName, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateSystem();
        return Guid.TryParse(idOrName, out var id)
            ? await db.Organisations.FirstOrDefaultAsync(o => o.Id == id, ct)
            : await db.Organisations.FirstOrDefaultAsync(o => o.Name == idOrName, ct);
    }

    public const int MaxEmailLength = 256;
    public const int MaxDisplayNameLength = 100;

    /// <summary>Creates a user with a password, or finds the existing one by e-mail (the password is then left as it is).</summary>
    public async Task<PortalUser> CreateUserAsync(string email, string password, string? displayName, bool platformAdmin = false)
    {
        var user = NewUser(email, displayName, platformAdmin, clock.GetUtcNow().UtcDateTime);
        var existing = await users.FindByEmailAsync(user.Email!);
        if (existing is not null)
        {
            return existing;
        }

        await CreateAsync(users, user, password);
        return user;
    }

    /// <summary>A new user's row, its e-mail and display name checked; not yet stored.</summary>
    internal static PortalUser NewUser(string email, string? displayName, bool platformAdmin, DateTime now)
    {
        email = email.Trim();
        if (email.Length > MaxEmailLength)
        {
            throw new PortalValidationException("email", $"An e-mail address is at most {MaxEmailLength} characters.");
        }

        if (!email.Contains('@', StringComparison.Ordinal))
        {
            throw new PortalValidationException("email", $"'{email}' is not an e-mail address.");
        }

        if (displayName?.Trim().Length > MaxDisplayNameLength)
        {
            throw new PortalValidationException("displayName", $"A display name is at most {MaxDisplayNameLength} characters.");
        }

        return new PortalUser
        {
            UserName = email,
            Email = email,
            EmailConfirmed = true,
            DisplayName = string.IsNullOrWhiteSpace(displayName) ? email.Split('@')[0] : displayName.Trim(),
            IsPlatformAdmin = platformAdmin,
            CreatedAt = now,
        };
    }

    /// <summary>Stores <paramref name="user"/> with its password through Identity (password rules, hashing).</summary>
    internal static async Task CreateAsync(UserManager<PortalUser> users, PortalUser user, string password)
    {
        var result = await users.CreateAsync(user, password);
        if (!result.Succeeded)
        {
            throw new PortalValidationException("password", string.Join(" ", result.Errors.Select(e => e.Description)));
        }
    }

    /// <summary>Adds roles to the user's membership of the organisation, creating the membership if needed.</summary>
    public async Task<Membership> GrantAsync(Guid orgId, Guid userId, OrgRoles roles, CancellationToken ct = default)
    {
        if (roles == OrgRoles.None)
        {
            throw new PortalValidationException("role", "Name at least one role: org-admin, project-admin, annotator or client.");
        }

        await using var db = dbFactory.CreateForTenant(orgId);
        var membership = await db.Memberships.FirstOrDefaultAsync(m => m.UserId == userId, ct);
        if (membership is null)
        {
            membership = new Membership { UserId = userId, Roles = roles, CreatedAt = clock.GetUtcNow().UtcDateTime };
            db.Memberships.Add(membership);
        }
        else
        {
            membership.Roles |= roles;
        }

        await db.SaveChangesAsync(ct);
        return membership;
    }

    /// <summary>Removes the person from the organisation; false when they were not a member.</summary>
    public async Task<bool> RemoveMemberAsync(Guid orgId, Guid userId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        return await db.Memberships.Where(m => m.UserId == userId).ExecuteDeleteAsync(ct) > 0;
    }

    public async Task<IReadOnlyList<MemberRow>> ListMembersAsync(Guid orgId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        return await db.Memberships
            .OrderBy(m => m.User!.Email)
            .Select(m => new MemberRow(m.UserId, m.User!.Email!, m.User.DisplayName, m.Roles, m.CreatedAt))
            .ToListAsync(ct);
    }

    /// <summary>
    /// A page of the organisation's members, read in the database: by e-mail unless sorted by name or since when; the
    /// search looks in the name and the e-mail, ignoring case.
    /// </summary>
    public async Task<ListPage<MemberRow>> PageMembersAsync(Guid orgId, ListQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var db = dbFactory.CreateForTenant(orgId);
        var members = db.Memberships.AsQueryable();
        if (query.SearchText?.ToLowerInvariant() is { } text)
        {
#pragma warning disable CA1304, CA1311, CA1862 // Translated to SQL LOWER(…) and a substring test: the culture and comparison overloads do not translate.
            members = members.Where(m => m.User!.Email!.ToLower().Contains(text) || m.User.DisplayName.ToLower().Contains(text));
#pragma warning restore CA1304, CA1311, CA1862
        }

        var total = await members.CountAsync(ct);
        var sorted = (query.SortBy, query.Descending) switch
        {
            (nameof(MemberRow.DisplayName), false) => members.OrderBy(m => m.User!.DisplayName).ThenBy(m => m.User!.Email),
            (nameof(MemberRow.DisplayName), true) => members.OrderByDescending(m => m.User!.DisplayName).ThenBy(m => m.User!.Email),
            (nameof(MemberRow.Since), false) => members.OrderBy(m => m.CreatedAt).ThenBy(m => m.User!.Email),
            (nameof(MemberRow.Since), true) => members.OrderByDescending(m => m.CreatedAt).ThenBy(m => m.User!.Email),
            (nameof(MemberRow.Email), true) => members.OrderByDescending(m => m.User!.Email),
            _ => members.OrderBy(m => m.User!.Email),
        };
        var rows = await sorted.ThenBy(m => m.UserId)
            .Skip(query.SafeSkip)
            .Take(query.SafeTake)
            .Select(m => new MemberRow(m.UserId, m.User!.Email!, m.User.DisplayName, m.Roles, m.CreatedAt))
            .ToListAsync(ct);
        return new ListPage<MemberRow>(rows, total);
    }

    /// <summary>Every organisation the user belongs to, with the roles there: for the switcher and the home redirect.</summary>
    public async Task<IReadOnlyList<UserOrganisation>> ListForUserAsync(Guid userId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateSystem();
        return await db.Memberships.IgnoreQueryFilters()
            .Where(m => m.UserId == userId)
            .Join(db.Organisations, m => m.TenantId, o => o.Id, (m, o) => new { o.Id, o.Name, m.Roles })
            .OrderBy(o => o.Name)
            .Select(o => new UserOrganisation(o.Id, o.Name, o.Roles))
            .ToListAsync(ct);
    }

    public async Task<IReadOnlyList<Organisation>> ListOrganisationsAsync(CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateSystem();
        return await db.Organisations.OrderBy(o => o.Name).ToListAsync(ct);
    }

    public static OrgRoles ParseRoles(string text)
    {
        var roles = OrgRoles.None;
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            roles |= part.ToUpperInvariant() switch
            {
                "ORG-ADMIN" or "ORGADMIN" => OrgRoles.OrgAdmin,
                "PROJECT-ADMIN" or "PROJECTADMIN" => OrgRoles.ProjectAdmin,
                "ANNOTATOR" => OrgRoles.Annotator,
                "CLIENT" => OrgRoles.Client,
                _ => throw new PortalValidationException("role",
                    $"Unknown role '{part}'; use org-admin, project-admin, annotator or client."),
            };
        }

        return roles;
    }
}

public sealed record MemberRow(Guid UserId, string Email, string DisplayName, OrgRoles Roles, DateTime Since);

public sealed record UserOrganisation(Guid Id, string Name, OrgRoles Roles)
{
    /// <summary>Where this person lands in this organisation: the most powerful role's home page.</summary>
    public string HomePath =>
        Roles.HasFlag(OrgRoles.OrgAdmin) ? $"/orgs/{Id}/admin"
        : Roles.HasFlag(OrgRoles.ProjectAdmin) ? $"/orgs/{Id}/projects"
        : Roles.HasFlag(OrgRoles.Annotator) ? $"/orgs/{Id}/annotate"
        : $"/orgs/{Id}/client";
}
