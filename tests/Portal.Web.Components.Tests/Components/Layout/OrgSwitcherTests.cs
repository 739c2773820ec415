using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Organisations;
using Portal.Web.Components.Layout;

namespace Portal.Web.Components.Tests.Components.Layout;

public class OrgSwitcherTests : PortalComponentTest
{
    private static readonly UserOrganisation Demo = new(Guid.NewGuid(), "Demo Organisation", OrgRoles.Annotator);
    private static readonly UserOrganisation Globex = new(Guid.NewGuid(), "Globex", OrgRoles.OrgAdmin);

    [Fact]
    public void Render_OneOrganisation_ShowsItsNameWithoutMenu()
    {
        var cut = Render<OrgSwitcher>(p => p.Add(x => x.Organisations, [Demo]));

        Assert.Equal("Demo Organisation", cut.Find("[data-testid=org-name]").TextContent.Trim());
        Assert.Empty(cut.FindAll("[data-testid=org-switcher]"));
    }

    [Fact]
    public void PickOrganisation_TwoOrganisations_NavigatesToItsHome()
    {
        var providers = RenderProviders();
        var cut = Render<OrgSwitcher>(p => p.Add(x => x.Organisations, [Demo, Globex]).Add(x => x.CurrentOrgId, Demo.Id));
        Assert.Contains("Demo Organisation", cut.Find("[data-testid=org-switcher]").TextContent);

        cut.Find("[data-testid=org-switcher] button").Click();
        providers.WaitForElements(".mud-menu-item");
        providers.FindAll(".mud-menu-item").Single(i => i.TextContent.Contains("Globex", StringComparison.Ordinal)).Click();

        var nav = (BunitNavigationManager)Services.GetRequiredService<NavigationManager>();
        cut.WaitForAssertion(() => Assert.EndsWith(Globex.HomePath, nav.Uri, StringComparison.Ordinal));
    }
}
