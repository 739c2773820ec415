using System.Net;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Portal.Web.Features.Account;

namespace Portal.Web.Security;

/// <summary>
/// The HTTP hardening in one place: response headers, forwarded headers, cross-site request checks, JSON content
/// types, rate limits, the <c>__Host-</c> cookie and 503 for a busy database. See SECURITY.md for what each guards
/// against and the settings.
/// </summary>
public static class SecurityPipeline
{
    /// <summary>Services and server options: call before <c>Build()</c>.</summary>
    public static WebApplicationBuilder AddPortalSecurity(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<SecuritySettings>(builder.Configuration.GetSection(SecuritySettings.Section));
        services.Configure<RateLimitSettings>(builder.Configuration.GetSection(RateLimitSettings.Section));

        // No "Server: Kestrel": nothing to tell an attacker which server to aim at.
        builder.WebHost.ConfigureKestrel(o => o.AddServerHeader = false);

        var forwarded = builder.Configuration.GetSection(SecuritySettings.Section).Get<SecuritySettings>()?.ForwardedHeaders ?? new();
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            foreach (var proxy in forwarded.KnownProxies)
            {
                o.KnownProxies.Add(IPAddress.Parse(proxy));
            }

            foreach (var network in forwarded.KnownNetworks)
            {
                o.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });

        services.AddRateLimiter(_ => { });
        services.AddOptions<Microsoft.AspNetCore.RateLimiting.RateLimiterOptions>()
            .Configure<IOptions<RateLimitSettings>>((o, limits) => RateLimits.Configure(o, limits.Value));
        services.AddSingleton<SignInThrottle>();
        services.AddScoped<PortalSignIn>();
        services.AddHostedService<TokenUsageFlush>();

        services.AddOptions<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme)
            .PostConfigure<IOptions<SecuritySettings>>((o, settings) =>
            {
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                if (settings.Value.HostPrefixCookie)
                {
                    o.CookieManager = new HostPrefixCookieManager(o.CookieManager ?? new ChunkingCookieManager());
                }
            });

        // The form-token cookie is Secure over HTTPS. (It keeps its plain name: the framework names it once for every
        // request, so a __Host- name would lose it on plain http://localhost; its token is bound to the signed-in user
        // anyway, so a planted one does not pass.)
        services.AddAntiforgery(o => o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest);
        return builder;
    }

    /// <summary>
    /// Before routing: forwarded headers (when enabled), the response headers, 503 for a busy database and the
    /// cross-site check on the API.
    /// </summary>
    public static WebApplication UsePortalSecurity(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<IOptions<SecuritySettings>>().Value;
        if (settings.ForwardedHeaders.Enabled)
        {
            app.UseForwardedHeaders();
        }

        app.Use((context, next) =>
        {
            // Read now: a branch such as Hangfire's dashboard (app.Map) moves its prefix to PathBase before the answer starts.
            var path = context.Request.Path;
            context.Response.OnStarting(() =>
            {
                SecurityHeaders.Apply(context, path);
                return Task.CompletedTask;
            });
            return next(context);
        });
        app.Use((context, next) => BusyDatabase.InvokeAsync(context, next, settings.BusyRetryAfterSeconds));
        app.Use((context, next) =>
            context.Request.Path.StartsWithSegments("/api") && !CrossSiteRequests.IsAllowed(context.Request, settings.TrustedOrigins)
                ? CrossSiteRequests.RefuseAsync(context)
                : next(context));
        return app;
    }

    /// <summary>After authentication (the limits are per person and per token): rate limits and JSON content types.</summary>
    public static WebApplication UsePortalRequestLimits(this WebApplication app)
    {
        app.UseRateLimiter();
        app.Use((context, next) =>
            context.Request.Path.StartsWithSegments("/api") && JsonContentType.IsRefused(context, out var expected)
                ? JsonContentType.RefuseAsync(context, expected)
                : next(context));
        return app;
    }
}
