using Portal.Web.Features.Account;

namespace Portal.Web.Security;

/// <summary>
/// Refuses cookie-authenticated unsafe requests (POST, PUT, PATCH, DELETE) to the API that a browser says come from
/// another origin: another site, or another port or scheme of the same host.
/// </summary>
/// <remarks>
/// Guards against cross-site request forgery: a page elsewhere (even <c>http://127.0.0.1:5078</c> beside the portal
/// on <c>:5000</c>, which is the same <em>site</em>, so SameSite cookies do not help) making the browser send the
/// person's cookie with a form post or a no-cors fetch. Browsers say where a request comes from in
/// <c>Sec-Fetch-Site</c> (every current browser) or <c>Origin</c> (older ones), and a page cannot forge either. A
/// request with neither header did not come from a browser page, so it cannot be forged by one: it passes, as in Go's
/// <c>net/http.CrossOriginProtection</c>. Requests with an API token (<c>Authorization: Bearer</c>) pass too: a
/// page elsewhere cannot add that header without a CORS preflight, which the portal never grants, and it would need
/// the token.
/// </remarks>
internal static class CrossSiteRequests
{
    public static bool IsAllowed(HttpRequest request, IReadOnlyCollection<string> trustedOrigins)
    {
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method)
            || HttpMethods.IsTrace(request.Method) || ApiTokenAuthenticationHandler.TryGetBearer(request, out _))
        {
            return true;
        }

        var origin = request.Headers.Origin.ToString();
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0)
        {
            // "none": the person's own action (the address bar, a bookmark), never a page.
            return site is "same-origin" or "none" || IsTrusted(origin, trustedOrigins);
        }

        return origin.Length == 0
            || string.Equals(origin, $"{request.Scheme}://{request.Host.Value}", StringComparison.OrdinalIgnoreCase)
            || IsTrusted(origin, trustedOrigins);
    }

    private static bool IsTrusted(string origin, IReadOnlyCollection<string> trustedOrigins) =>
        origin.Length > 0 && trustedOrigins.Any(t => string.Equals(t.TrimEnd('/'), origin, StringComparison.OrdinalIgnoreCase));

    public static Task RefuseAsync(HttpContext context) =>
        Results.Problem(
            statusCode: StatusCodes.Status403Forbidden,
            title: "Cross-site request refused",
            detail: "A signed-in browser may change data only from the portal's own pages (this request came from "
                + (context.Request.Headers.Origin.ToString() is { Length: > 0 } o ? o : "another site")
                + "). Scripts use an API token: Authorization: Bearer …").ExecuteAsync(context);
}
