using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;

namespace Portal.Web.Tenancy;

public static class Policies
{
    public const string PlatformAdmin = "PlatformAdmin";
    public const string OrgMember = "OrgMember";
    public const string OrgAdmin = "OrgAdmin";
    public const string ProjectAdmin = "ProjectAdmin";
    public const string ProjectStaff = "ProjectStaff";
    public const string Annotator = "Annotator";
    public const string Client = "Client";

    /// <summary>Release lists and downloads: admins see every release, clients only those granted to them (checked by the service).</summary>
    public const string ReleaseReader = "ReleaseReader";

    public const string PlatformAdminClaim = "portal:platform-admin";

    public static IServiceCollection AddPortalAuthorization(this IServiceCollection services)
    {
        services.AddScoped<IAuthorizationHandler, OrgRoleHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, TenantAwareResultHandler>();
        services.AddAuthorizationBuilder()
            .AddPolicy(PlatformAdmin, p => p.RequireAuthenticatedUser().RequireClaim(PlatformAdminClaim, "true"))
            .AddPolicy(OrgMember, Org(OrgRoles.OrgAdmin | OrgRoles.ProjectAdmin | OrgRoles.Annotator | OrgRoles.Client))
            .AddPolicy(OrgAdmin, Org(OrgRoles.OrgAdmin))
            .AddPolicy(ProjectAdmin, Org(OrgRoles.OrgAdmin | OrgRoles.ProjectAdmin))
            .AddPolicy(ProjectStaff, Org(OrgRoles.OrgAdmin | OrgRoles.ProjectAdmin | OrgRoles.Annotator))
            .AddPolicy(Annotator, Org(OrgRoles.Annotator))
            .AddPolicy(Client, Org(OrgRoles.Client))
            .AddPolicy(ReleaseReader, Org(OrgRoles.OrgAdmin | OrgRoles.ProjectAdmin | OrgRoles.Client));
        return services;
    }

    private static Action<AuthorizationPolicyBuilder> Org(OrgRoles roles) =>
        p => p.RequireAuthenticatedUser().AddRequirements(new OrgRoleRequirement(roles));
}

/// <summary>The signed-in user must hold one of <see cref="Allowed"/> in the organisation named by the route's <c>orgId</c>.</summary>
public sealed record OrgRoleRequirement(OrgRoles Allowed) : IAuthorizationRequirement;

/// <summary>
/// Checks the route's organisation against the user's membership in the database, on every request and every
/// navigation inside a circuit, so a removed member loses access at once.
/// </summary>
/// <remarks>Fails closed: no <c>orgId</c> in the route, an unparsable one, or no membership, and the requirement is not met.</remarks>
internal sealed class OrgRoleHandler(IDbContextFactory<PortalDbContext> dbFactory) : AuthorizationHandler<OrgRoleRequirement>
{
    public const string MembershipItem = "portal:is-member";

    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, OrgRoleRequirement requirement)
    {
        var (orgId, http) = RouteOrg(context.Resource);
        if (orgId is null || !Guid.TryParse(context.User.FindFirstValue(ClaimTypes.NameIdentifier), out var userId))
        {
            return;
        }

        await using var db = dbFactory.CreateSystem();
        var roles = await db.Memberships.IgnoreQueryFilters()
            .Where(m => m.TenantId == orgId && m.UserId == userId)
            .Select(m => (OrgRoles?)m.Roles)
            .FirstOrDefaultAsync();
        if (http is not null)
        {
            http.Items[MembershipItem] = roles is not null;
        }

        if (roles is { } r && (r & requirement.Allowed) != 0)
        {
            context.Succeed(requirement);
        }
    }

    private static (Guid? OrgId, HttpContext? Http) RouteOrg(object? resource)
    {
        object? value = null;
        HttpContext? http = null;
        if (resource is HttpContext h)
        {
            http = h;
            value = h.GetRouteValue("orgId");
        }
        else if (resource is Microsoft.AspNetCore.Components.RouteData rd)
        {
            // Page routes spell it {OrgId}; component route values are not case-insensitive like HTTP ones.
            value = rd.RouteValues.FirstOrDefault(kv => string.Equals(kv.Key, "orgId", StringComparison.OrdinalIgnoreCase)).Value;
        }

        return value switch
        {
            Guid g => (g, http),
            string s when Guid.TryParse(s, out var g) => (g, http),
            _ => (null, http),
        };
    }
}

/// <summary>
/// Turns a refusal inside an organisation into 404 for people who are not its members, so that nobody learns
/// whether another tenant's organisation, project or page exists; members without the role get 403.
/// </summary>
internal sealed class TenantAwareResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden)
        {
            var isMember = context.Items.TryGetValue(OrgRoleHandler.MembershipItem, out var m) && m is true;
            var isApi = context.Request.Path.StartsWithSegments("/api");
            context.Response.StatusCode = isApi && isMember ? StatusCodes.Status403Forbidden : StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        return _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
