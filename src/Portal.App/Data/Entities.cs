using Microsoft.AspNetCore.Identity;

namespace Portal.App.Data;

/// <summary>A row that belongs to one organisation. The global query filter and the save guard key on it.</summary>
public interface ITenantOwned
{
    Guid TenantId { get; set; }
}

/// <summary>A person who signs in. Organisation roles live on <see cref="Membership"/>, not here.</summary>
public sealed class PortalUser : IdentityUser<Guid>
{
    public string DisplayName { get; set; } = "";

    /// <summary>Platform admins create organisations; they see no tenant data by virtue of this flag alone.</summary>
    public bool IsPlatformAdmin { get; set; }

    public DateTime CreatedAt { get; set; }
}

/// <summary>A tenant. Its <see cref="Id"/> is the <c>TenantId</c> of everything it owns.</summary>
public sealed class Organisation
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string Name { get; set; } = "";
    public DateTime CreatedAt { get; set; }
}

[Flags]
public enum OrgRoles
{
    None = 0,
    OrgAdmin = 1,
    ProjectAdmin = 2,
    Annotator = 4,
    Client = 8,
}

public sealed class Membership : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid UserId { get; set; }
    public OrgRoles Roles { get; set; }
    public DateTime CreatedAt { get; set; }
    public PortalUser? User { get; set; }
}

/// <summary>A single-use invitation. Only the SHA-256 of its token is stored; the link is shown once.</summary>
public sealed class Invite : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public string TokenHash { get; set; } = "";
    public OrgRoles Roles { get; set; }
    public string? Note { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
    public Guid CreatedByUserId { get; set; }
    public DateTime? UsedAt { get; set; }
    public Guid? UsedByUserId { get; set; }
    public DateTime? RevokedAt { get; set; }
}

public enum ProjectKind
{
    Likert = 1,
    Pairwise = 2,
    LikertAndPairwise = 3,
}

public sealed class Project : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public string Name { get; set; } = "";
    public string Description { get; set; } = "";
    public ProjectKind Kind { get; set; }

    /// <summary>How many distinct annotators rate each item.</summary>
    public int Overlap { get; set; } = 1;

    public int LeaseMinutes { get; set; } = 30;
    public DateTime CreatedAt { get; set; }
}

/// <summary>A prompt or conversation with one response (Likert) or two (pairwise).</summary>
public sealed class Item : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid ProjectId { get; set; }
    public string? ExternalId { get; set; }

    /// <summary>The conversation before the response(s), as JSON: <c>[{"role":"user","content":"…"}, …]</c>.</summary>
    public string ConversationJson { get; set; } = "[]";

    public string ResponseA { get; set; } = "";
    public string? ResponseB { get; set; }

    /// <summary>The imported line's <c>metadata</c> object, as JSON.</summary>
    public string? MetadataJson { get; set; }

    /// <summary>Higher goes first. Targeted selection pushes items to the front by raising it.</summary>
    public int Priority { get; set; }

    public DateTime CreatedAt { get; set; }
}

public enum AssignmentStatus
{
    Leased = 1,
    Submitted = 2,
    Expired = 3,
}

/// <summary>An item leased to one annotator until <see cref="LeaseExpiresAt"/>.</summary>
public sealed class Assignment : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid ProjectId { get; set; }
    public Guid ItemId { get; set; }
    public Guid AnnotatorId { get; set; }
    public AssignmentStatus Status { get; set; } = AssignmentStatus.Leased;
    public DateTime LeasedAt { get; set; }
    public DateTime LeaseExpiresAt { get; set; }
    public DateTime? ClosedAt { get; set; }
}

public enum RunStatus
{
    Queued = 1,
    Running = 2,
    Succeeded = 3,
    Failed = 4,
}

/// <summary>One run of a Quartz job, as the admin pages show it. <see cref="TenantId"/> is null for platform-wide runs.</summary>
public sealed class JobRun
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid? TenantId { get; set; }
    public string JobName { get; set; } = "";
    public RunStatus Status { get; set; }
    public int Progress { get; set; }
    public string? Message { get; set; }
    public string? Error { get; set; }
    public string? Node { get; set; }
    public DateTime QueuedAt { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? EndedAt { get; set; }
    public Guid? RequestedByUserId { get; set; }
}

/// <summary>A personal API token. Belongs to a user, not to an organisation: it acts with the user's memberships.</summary>
public sealed class ApiToken
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid UserId { get; set; }
    public string Name { get; set; } = "";
    public string TokenHash { get; set; } = "";

    /// <summary>The token's first characters, to tell tokens apart in a list.</summary>
    public string DisplayPrefix { get; set; } = "";

    public DateTime CreatedAt { get; set; }
    public DateTime? ExpiresAt { get; set; }
    public DateTime? LastUsedAt { get; set; }
    public DateTime? RevokedAt { get; set; }
}
