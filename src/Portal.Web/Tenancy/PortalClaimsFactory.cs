using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Portal.App.Data;

namespace Portal.Web.Tenancy;

/// <summary>Adds the platform-admin claim; organisation roles are not claims (they are checked against the database).</summary>
internal sealed class PortalClaimsFactory(UserManager<PortalUser> users, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<PortalUser>(users, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(PortalUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new Claim("name", user.DisplayName));
        if (user.IsPlatformAdmin)
        {
            identity.AddClaim(new Claim(Policies.PlatformAdminClaim, "true"));
        }

        return identity;
    }
}
