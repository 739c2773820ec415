using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Portal.App.Data;
using Portal.App.Features.Tokens;

namespace Portal.Web.Features.Account;

/// <summary>
/// <c>Authorization: Bearer ptl_…</c>: signs the request in as the token's owner, with the same claims a browser
/// sign-in gives, so every organisation and role check applies unchanged.
/// </summary>
internal sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiTokenService tokens,
    UserManager<PortalUser> users,
    IUserClaimsPrincipalFactory<PortalUser> principals)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiToken";

    /// <summary>The default scheme: a bearer token when the request carries one, the sign-in cookie otherwise.</summary>
    public const string CookieOrToken = "CookieOrToken";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!TryGetBearer(Request, out var token))
        {
            return AuthenticateResult.NoResult();
        }

        var validated = await tokens.ValidateScopedAsync(token, Context.RequestAborted);
        var user = validated is null ? null : await users.FindByIdAsync(validated.UserId.ToString());
        if (user is null || await users.IsLockedOutAsync(user))
        {
            return AuthenticateResult.Fail("The API token is unknown, revoked or expired.");
        }

        var principal = await principals.CreateAsync(user);
        if (validated!.FeedbackProjectId is { } feedbackProject)
        {
            Feedback.FeedbackTokenScope.AddClaims(principal, validated.FeedbackTenantId!.Value, feedbackProject);
        }

        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    public static bool TryGetBearer(HttpRequest request, out string token)
    {
        var header = request.Headers.Authorization.ToString();
        token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : "";
        return token.Length > 0;
    }
}
