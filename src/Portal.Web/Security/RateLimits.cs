using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Portal.Web.Features.Account;

namespace Portal.Web.Security;

/// <summary>
/// ASP.NET Core's rate limiter over the sign-in form (per IP address) and the API (per person or token, and per IP
/// address). The per-account sign-in limit is <see cref="SignInThrottle"/>, since the account is in the form's body.
/// </summary>
/// <remarks>
/// Guards against password spraying and against one script or one address starving everyone else. Fixed windows, no
/// queue: a request over the limit is refused at once with 429 and the seconds until the window ends.
/// </remarks>
internal static class RateLimits
{
    public static bool IsSignInPost(HttpRequest request) =>
        HttpMethods.IsPost(request.Method) && request.Path.Equals("/account/login", StringComparison.OrdinalIgnoreCase);

    public static void Configure(RateLimiterOptions options, RateLimitSettings limits)
    {
        var byAddress = PartitionedRateLimiter.Create<HttpContext, string>(context =>
        {
            var ip = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
            if (IsSignInPost(context.Request))
            {
                return Window("sign-in ip " + ip, limits.SignInPerIp, limits.Window);
            }

            return context.Request.Path.StartsWithSegments("/api")
                ? Window("api ip " + ip, limits.ApiPerIp, limits.Window)
                : RateLimitPartition.GetNoLimiter("");
        });
        var byCaller = PartitionedRateLimiter.Create<HttpContext, string>(context =>
        {
            if (!context.Request.Path.StartsWithSegments("/api") || context.User.Identity?.IsAuthenticated != true)
            {
                return RateLimitPartition.GetNoLimiter("");
            }

            // A token has its own budget apart from its owner's browser; the key is a hash, so no secret is kept.
            var key = ApiTokenAuthenticationHandler.TryGetBearer(context.Request, out var token)
                ? "token " + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)), 0, 12)
                : "user " + context.User.FindFirstValue(ClaimTypes.NameIdentifier);
            return Window(key, limits.ApiPerUserOrToken, limits.Window);
        });
        options.GlobalLimiter = PartitionedRateLimiter.CreateChained(byAddress, byCaller);
        options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        options.OnRejected = (rejected, ct) =>
        {
            var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : limits.Window;
            return new ValueTask(RefuseAsync(rejected.HttpContext, retryAfter));
        };
    }

    private static RateLimitPartition<string> Window(string key, int permits, TimeSpan window) =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = Math.Max(1, permits),
            Window = window,
            QueueLimit = 0,
        });

    public static async Task RefuseAsync(HttpContext context, TimeSpan retryAfter)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        if (IsSignInPost(context.Request))
        {
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync($"Too many sign-ins from your address. Try again in {seconds} s.", context.RequestAborted);
            return;
        }

        await Results.Problem(
            statusCode: StatusCodes.Status429TooManyRequests,
            title: "Too many requests",
            detail: $"The rate limit was reached; try again in {seconds} s.").ExecuteAsync(context);
    }
}

/// <summary>
/// Sign-in attempts per e-mail address as typed (trimmed, any case): unknown addresses are limited exactly like real
/// ones, so the limit tells nothing about which accounts exist.
/// </summary>
internal sealed class SignInThrottle(Microsoft.Extensions.Options.IOptions<RateLimitSettings> settings) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(email =>
        RateLimitPartition.GetFixedWindowLimiter(email, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = Math.Max(1, settings.Value.SignInPerAccount),
            Window = settings.Value.Window,
            QueueLimit = 0,
        }));

    /// <summary>True when another attempt for this address is allowed now; otherwise how long to wait.</summary>
    public bool TryAcquire(string email, out TimeSpan retryAfter)
    {
        using var lease = _limiter.AttemptAcquire(email.Trim().ToUpperInvariant());
        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : settings.Value.Window;
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter.Dispose();
}
