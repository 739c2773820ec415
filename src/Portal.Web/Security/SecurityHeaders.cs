using System.Security.Cryptography;

namespace Portal.Web.Security;

/// <summary>
/// The response headers every answer carries: a Content-Security-Policy, <c>X-Content-Type-Options: nosniff</c> and
/// <c>Referrer-Policy</c>.
/// </summary>
/// <remarks>
/// The page policy allows scripts from the portal itself and the one inline script Blazor writes, the import map,
/// by a nonce fresh on every response (<see cref="Nonce"/>, set on <c>ImportMap</c> in App.razor): an injected
/// <c>&lt;script&gt;</c> or event handler does not run even if some text ever escaped the renderer. Styles allow
/// inline because MudBlazor sets <c>style</c> attributes and writes its theme as a <c>&lt;style&gt;</c> element; the
/// SignalR connection is same-origin (<c>connect-src 'self'</c> covers its WebSocket). API answers get a policy that
/// allows nothing, since they are never pages. The Hangfire dashboard (<c>/hangfire</c>, platform admins only) is
/// Hangfire's own page: since Hangfire 1.7.25 it has neither inline scripts nor style attributes, so it gets the page
/// policy without a nonce (scripts from the portal itself only).
/// </remarks>
internal static class SecurityHeaders
{
    private const string NonceKey = "portal.csp-nonce";

    public const string ApiPolicy = "default-src 'none'; frame-ancestors 'none'";

    /// <summary>The nonce of this response's Content-Security-Policy, for the inline scripts the page writes.</summary>
    public static string Nonce(HttpContext context)
    {
        if (context.Items[NonceKey] is not string nonce)
        {
            nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
            context.Items[NonceKey] = nonce;
        }

        return nonce;
    }

    public static string PagePolicy(string nonce) => Policy($"'self' 'nonce-{nonce}'");

    /// <summary>The Hangfire dashboard's policy: the page policy, with scripts from the portal itself and no inline one.</summary>
    public static string DashboardPolicy { get; } = Policy("'self'");

    private static string Policy(string scriptSources) =>
        $"default-src 'self'; script-src {scriptSources}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        + "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>Sets the headers on the answer to a request for <paramref name="path"/> (as it arrived, before any branch).</summary>
    public static void Apply(HttpContext context, PathString path)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "same-origin";
        if (path.StartsWithSegments("/api"))
        {
            headers.ContentSecurityPolicy = ApiPolicy;
        }
        else if (path.StartsWithSegments("/hangfire"))
        {
            headers.ContentSecurityPolicy = DashboardPolicy;
        }
        else
        {
            headers.ContentSecurityPolicy = PagePolicy(Nonce(context));
        }
    }
}
