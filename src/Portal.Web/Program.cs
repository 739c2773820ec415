using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using MudBlazor.Services;
using Portal.App;
using Portal.App.Data;
using Portal.App.Jobs;
using Portal.Web;
using Portal.Web.Api;
using Portal.Web.Components;
using Portal.Web.Components.Layout;
using Portal.Web.Features.Account;
using Portal.Web.Features.Feedback;
using Portal.Web.Features.Platform;
using Portal.Web.Security;
using Portal.Web.Tenancy;

var builder = WebApplication.CreateBuilder(args);

// The shared defaults at the top of the repository, copied beside the binary; later sources override them.
builder.Configuration.AddPortalDefaults();
builder.WebHost.UseStaticWebAssets();

var database = DatabaseOptions.FromConfiguration(builder.Configuration);
builder.Services.AddPortal(database)
    .AddSignInManager()
    .AddClaimsPrincipalFactory<PortalClaimsFactory>()
    .AddDefaultTokenProviders();
builder.AddPortalJobs(database);

builder.Services.AddSingleton<DatabaseXmlRepository>();
builder.Services.AddDataProtection().SetApplicationName("Portal");
builder.Services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp =>
    new ConfigureOptions<KeyManagementOptions>(o => o.XmlRepository = sp.GetRequiredService<DatabaseXmlRepository>()));

builder.Services.AddCascadingAuthenticationState();
builder.Services.AddScoped<AuthenticationStateProvider, IdentityRevalidatingAuthenticationStateProvider>();
builder.Services.AddAuthentication(o =>
    {
        o.DefaultScheme = ApiTokenAuthenticationHandler.CookieOrToken;
        o.DefaultSignInScheme = IdentityConstants.ExternalScheme;
    })
    .AddPolicyScheme(ApiTokenAuthenticationHandler.CookieOrToken, "Cookie or API token", o => o.ForwardDefaultSelector =
        c => ApiTokenAuthenticationHandler.TryGetBearer(c.Request, out _) ? ApiTokenAuthenticationHandler.SchemeName : IdentityConstants.ApplicationScheme)
    .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null)
    .AddIdentityCookies();
builder.Services.ConfigureApplicationCookie(AccountEndpoints.ConfigureCookie);
builder.Services.AddPortalAuthorization();

builder.Services.AddRazorComponents().AddInteractiveServerComponents();
builder.Services.AddMudServices();
builder.Services.AddThemeStylesheet();
builder.Services.AddMemoryDiagnostics(builder.Configuration);
builder.Services.AddProblemDetails();
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));
builder.Services.AddHttpContextAccessor();
builder.AddPortalSecurity();

var app = builder.Build();

await app.Services.PrepareDatabaseAsync(app.Configuration, app.Logger);

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/error", createScopeForErrors: true);
}

app.UseApiProblemDetails();

app.UseWhen(c => c.Request.Path.StartsWithSegments("/api"), api => api.UseStatusCodePages());
app.UseWhen(c => !c.Request.Path.StartsWithSegments("/api"),
    pages => pages.UseStatusCodePagesWithReExecute("/status/{0}", createScopeForStatusCodePages: true));

app.UsePortalSecurity();

// Explicit order: status code pages must wrap authorization so that its 404s render the not-found page.
app.UseRouting();
app.UseAuthentication();
app.UseFeedbackTokenScope();
app.UsePortalRequestLimits();
app.UseAuthorization();
if (app.Configuration.GetValue("Jobs:Enabled", true))
{
    app.UsePortalHangfireDashboard();
}

// A worker-only node runs the job server for its queues (Jobs:Queues) and serves no pages or API.
if (app.Configuration.GetValue("Jobs:WorkerOnly", false))
{
    await app.RunAsync();
    return;
}

app.UseAntiforgery();
app.MapStaticAssets();
app.MapThemeStylesheet();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
app.MapAccountEndpoints();
app.MapGroup("/api/v1").MapPortalApi();

app.Run();

/// <summary>Entry point; public so WebApplicationFactory can start it in tests.</summary>
public partial class Program;
