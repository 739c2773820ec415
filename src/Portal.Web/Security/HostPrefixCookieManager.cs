using Microsoft.AspNetCore.Authentication.Cookies;

namespace Portal.Web.Security;

/// <summary>
/// Gives the sign-in cookie the <c>__Host-</c> prefix on HTTPS requests and leaves it as configured on plain HTTP.
/// </summary>
/// <remarks>
/// A <c>__Host-</c> cookie is accepted by the browser only when Secure, with <c>Path=/</c> and no Domain, so a sibling
/// subdomain or a plain-HTTP page cannot plant or overwrite a session cookie (session fixation). Browsers refuse the
/// prefix without HTTPS, hence the plain name for http://localhost in development.
/// </remarks>
internal sealed class HostPrefixCookieManager(ICookieManager inner) : ICookieManager
{
    public const string Prefix = "__Host-";

    private static string Name(HttpContext context, string key) => context.Request.IsHttps ? Prefix + key : key;

    public string? GetRequestCookie(HttpContext context, string key) => inner.GetRequestCookie(context, Name(context, key));

    public void AppendResponseCookie(HttpContext context, string key, string? value, CookieOptions options)
    {
        if (context.Request.IsHttps)
        {
            options.Secure = true;
            options.Path = "/";
            options.Domain = null;
        }

        inner.AppendResponseCookie(context, Name(context, key), value, options);
    }

    public void DeleteCookie(HttpContext context, string key, CookieOptions options) => inner.DeleteCookie(context, Name(context, key), options);
}
