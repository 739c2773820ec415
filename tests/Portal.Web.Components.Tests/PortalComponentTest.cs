using Bunit.TestDoubles;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using Portal.App;
using Portal.App.Jobs;
using Portal.TestSupport;

namespace Portal.Web.Components.Tests;

/// <summary>
/// Base of every component test: MudBlazor's services, JavaScript calls answered loosely (MudBlazor measures and
/// observes the page through JS), and the providers a page expects around it (popovers for menus and selects,
/// dialogs, snackbars) rendered by <see cref="RenderWithProviders{T}"/>.
/// </summary>
public abstract class PortalComponentTest : BunitContext, IAsyncLifetime
{
    /// <summary>
    /// Pages read a real database and MudBlazor's grids load their rows asynchronously; on a machine under load that
    /// takes far longer than bUnit's one-second default. A wait that holds returns at once, so a long limit costs a
    /// passing test nothing.
    /// </summary>
    static PortalComponentTest() => DefaultWaitTimeout = TimeSpan.FromSeconds(30);

    protected PortalComponentTest()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices(o => o.SnackbarConfiguration.ShowTransitionDuration = 0);
    }

    /// <summary>Signs a person in for components that read the authentication state.</summary>
    protected BunitAuthorizationContext SignIn(string name, Guid? userId = null, params string[] policies)
    {
        var auth = AddAuthorization();
        auth.SetAuthorized(name);
        auth.SetClaims(new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.NameIdentifier, (userId ?? Guid.NewGuid()).ToString()));
        auth.SetPolicies(policies);
        return auth;
    }

    /// <summary>
    /// Renders the MudBlazor providers MainLayout has (popovers, dialogs, snackbars). Render them before the component
    /// under test: menus, selects, dialogs and snackbars that the component opens appear in their markup.
    /// </summary>
    protected IRenderedComponent<MudProviders> RenderProviders() => Render<MudProviders>();

    private readonly List<IAsyncDisposable> _owned = [];

    /// <summary>
    /// A fresh, migrated SQLite file with the portal's services over it (features, Identity store, jobs switched off),
    /// for components that read or write the database. Call it before the first render; fill it with the builders of
    /// Portal.TestSupport through <see cref="TestDatabase.Factory"/>.
    /// </summary>
    protected async Task<TestDatabase> UseDatabaseAsync()
    {
        var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        _owned.Add(db);
        Services.AddLogging();
        Services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Uploads"] = Path.Combine(Path.GetTempPath(), "portal-tests", "uploads"),
        }).Build());
        Services.AddPortal(db.Options);
        Services.AddJobsSwitchedOff();
        return db;
    }

    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <remarks>
    /// xunit 2 disposes test classes synchronously, and some of MudBlazor's services can only be disposed
    /// asynchronously: dispose the context here first (the later synchronous call then finds nothing left).
    /// </remarks>
    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }
    }

    protected IDialogService Dialogs => Services.GetRequiredService<IDialogService>();
}
