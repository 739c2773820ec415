using Hangfire;
using Hangfire.Dashboard;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Portal.Web.Tenancy;

namespace Portal.Web.Features.Platform;

/// <summary>The Hangfire dashboard at <c>/hangfire</c>, for platform admins signed in with the portal's cookie.</summary>
/// <remarks>
/// Everyone else, signed out or not, gets the portal's 404 page, as for any page they may not see: a 401 or 403 (what
/// Hangfire answers itself) or a redirect to sign-in would tell a stranger that the dashboard is there. API tokens do
/// not open it: it is a page, and its buttons (requeue, delete) act on every organisation's jobs.
/// </remarks>
public sealed class PlatformAdminDashboardFilter : IDashboardAsyncAuthorizationFilter
{
    public const string Path = "/hangfire";

    public Task<bool> AuthorizeAsync(DashboardContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return IsPlatformAdminAsync(context.GetHttpContext());
    }

    public static async Task<bool> IsPlatformAdminAsync(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var cookie = await http.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        return cookie.Succeeded && cookie.Principal.HasClaim(Policies.PlatformAdminClaim, "true");
    }
}

public static class HangfireDashboardExtensions
{
    /// <summary>Maps the dashboard behind <see cref="PlatformAdminDashboardFilter"/>; call after authentication.</summary>
    public static WebApplication UsePortalHangfireDashboard(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        // Hangfire answers a refused request with 401/403 itself; this gate answers first, with the portal's 404.
        app.UseWhen(c => c.Request.Path.StartsWithSegments(PlatformAdminDashboardFilter.Path), gate => gate.Use(async (http, next) =>
        {
            if (await PlatformAdminDashboardFilter.IsPlatformAdminAsync(http))
            {
                await next(http);
                return;
            }

            http.Response.StatusCode = StatusCodes.Status404NotFound;
            if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method)
                && http.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>() is { } pages)
            {
                // The not-found page is a GET page; re-executing a dashboard POST (requeue, delete) there would fail its antiforgery check.
                pages.Enabled = false;
            }
        }));
        app.UseHangfireDashboard(PlatformAdminDashboardFilter.Path, new DashboardOptions
        {
            // Replaces Hangfire's default (local requests only): the filter decides, on every request.
            Authorization = [],
            AsyncAuthorization = [new PlatformAdminDashboardFilter()],
            AppPath = "/platform/jobs",
            DisplayStorageConnectionString = false,
            DashboardTitle = "Portal jobs",
        });
        return app;
    }
}
