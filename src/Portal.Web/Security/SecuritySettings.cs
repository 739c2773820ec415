namespace Portal.Web.Security;

/// <summary>The <c>Security</c> section of the configuration: cookies, cross-site requests, proxies, a busy database.</summary>
public sealed class SecuritySettings
{
    public const string Section = "Security";

    /// <summary>
    /// Names the sign-in cookie <c>__Host-portal.auth</c> on HTTPS requests, so that no other host or path (a
    /// sibling subdomain, a plain-HTTP page) can set or overwrite it. Plain http://localhost keeps <c>portal.auth</c>.
    /// </summary>
    public bool HostPrefixCookie { get; set; } = true;

    /// <summary>
    /// Origins (<c>https://tools.example.org</c>) besides the portal's own whose pages may change data through the API
    /// with the sign-in cookie. Empty by default: only the portal's own pages may.
    /// </summary>
    public List<string> TrustedOrigins { get; set; } = [];

    /// <summary>Seconds a client is told to wait (<c>Retry-After</c>) when the database is busy.</summary>
    public int BusyRetryAfterSeconds { get; set; } = 5;

    public ForwardedHeadersSettings ForwardedHeaders { get; set; } = new();
}

/// <summary>
/// <c>Security:ForwardedHeaders</c>: behind a TLS-terminating proxy, take the client's scheme and address from
/// <c>X-Forwarded-Proto</c> and <c>X-Forwarded-For</c>, so cookies are Secure and rate limits see the real client.
/// </summary>
public sealed class ForwardedHeadersSettings
{
    public bool Enabled { get; set; }

    /// <summary>Addresses of the proxies whose forwarded headers are believed; loopback is always believed.</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Networks (CIDR, <c>10.0.0.0/8</c>) of such proxies.</summary>
    public List<string> KnownNetworks { get; set; } = [];
}

/// <summary>
/// The <c>RateLimits</c> section: requests allowed per window (one minute unless <see cref="WindowSeconds"/> says
/// otherwise). A request over a limit gets 429 with <c>Retry-After</c>.
/// </summary>
public sealed class RateLimitSettings
{
    public const string Section = "RateLimits";

    public int WindowSeconds { get; set; } = 60;

    /// <summary>Sign-in form posts from one IP address.</summary>
    public int SignInPerIp { get; set; } = 30;

    /// <summary>Sign-in attempts for one e-mail address (typed, so unknown addresses count the same as real ones).</summary>
    public int SignInPerAccount { get; set; } = 10;

    /// <summary>API requests of one signed-in person (browser) or one API token.</summary>
    public int ApiPerUserOrToken { get; set; } = 600;

    /// <summary>API requests from one IP address, signed in or not.</summary>
    public int ApiPerIp { get; set; } = 1200;

    public TimeSpan Window => TimeSpan.FromSeconds(Math.Max(1, WindowSeconds));
}
