using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.TestSupport;
using Portal.Web.Features.Platform;

namespace Portal.Web.Components.Tests.Features.Platform;

public class OrganisationsPageTests : PortalComponentTest
{
    [Fact]
    public async Task Create_NewOrganisation_ListsItAndShowsItsAdminLinkWithACopyButton()
    {
        var db = await UseDatabaseAsync();
        SignIn("platform@portal.local", policies: Portal.Web.Tenancy.Policies.PlatformAdmin);
        RenderProviders();
        var cut = Render<OrganisationsPage>();

        cut.Find("input[data-testid=org-name-input]").Input("Globex");
        cut.Find("[data-testid=create-org]").Click();

        cut.WaitForAssertion(() => Assert.Contains("Globex", cut.Find("[data-testid=organisations]").TextContent, StringComparison.Ordinal));
        Assert.Contains("Globex", cut.Find("[data-testid=admin-invite-org]").TextContent, StringComparison.Ordinal);
        Assert.Contains("/invite/", cut.Find("[data-testid=admin-invite-link]").TextContent, StringComparison.Ordinal);
        Assert.NotNull(cut.Find("[data-testid=copy-admin-invite-link]"));
        await using var ctx = db.Factory.CreateSystem();
        Assert.True(await ctx.Organisations.AnyAsync(o => o.Name == "Globex"));
    }

    [Fact]
    public async Task NewAdminInvite_AfterAFailedCreate_ClearsTheErrorAndNamesTheOrganisation()
    {
        var db = await UseDatabaseAsync();
        await db.CreateTestTenantAsync("Acme");
        SignIn("platform@portal.local", policies: Portal.Web.Tenancy.Policies.PlatformAdmin);
        RenderProviders();
        var cut = Render<OrganisationsPage>();

        cut.Find("[data-testid=create-org]").Click();
        cut.WaitForAssertion(() => Assert.Contains("mud-input-error", cut.Find(".mud-input-control:has([data-testid=org-name-input])").OuterHtml, StringComparison.Ordinal));

        cut.Find("[data-testid=new-admin-invite]").Click();

        cut.WaitForAssertion(() => Assert.Contains("Acme", cut.Find("[data-testid=admin-invite-org]").TextContent, StringComparison.Ordinal));
        Assert.DoesNotContain("mud-input-error", cut.Find(".mud-input-control:has([data-testid=org-name-input])").OuterHtml, StringComparison.Ordinal);
    }
}
