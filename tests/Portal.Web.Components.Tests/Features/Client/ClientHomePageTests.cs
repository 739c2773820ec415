using Portal.App.Data;
using Portal.TestSupport;
using Portal.Web.Components.Tests.Features.Releases;
using Portal.Web.Features.Client;

namespace Portal.Web.Components.Tests.Features.Client;

public class ClientHomePageTests : PortalComponentTest
{
    [Fact]
    public async Task Render_NoReleaseGranted_SaysWhatWillAppearHere()
    {
        var db = await UseDatabaseAsync();
        var tenant = await db.CreateTestTenantAsync("Acme");
        SignIn("client", tenant.Member(OrgRoles.Client).Id);

        var cut = Render<ClientHomePage>(p => p.Add(x => x.OrgId, tenant.Id));

        var empty = cut.WaitForElement("[data-testid=client-releases-empty]");
        Assert.Contains("No dataset release has been granted to you in Acme yet", empty.TextContent, StringComparison.Ordinal);
        Assert.Contains("a preview of the first rows", empty.TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=client-release]"));
    }

    [Fact]
    public async Task Render_GrantedRelease_ShowsItsCardWithALinkAndADownloadPerFormat()
    {
        var db = await UseDatabaseAsync();
        var f = await db.GrantedReleaseAsync("Spring pairs");
        SignIn("client", f.Client.Id);

        var cut = Render<ClientHomePage>(p => p.Add(x => x.OrgId, f.Tenant.Id));

        var card = cut.WaitForElement("[data-testid=client-release]");
        Assert.Equal($"/orgs/{f.Tenant.Id}/client/releases/{f.Release.Id}", cut.Find("[data-testid=client-release-link]").GetAttribute("href"));
        Assert.Contains("Spring pairs", card.TextContent, StringComparison.Ordinal);
        Assert.Contains("6 items", card.TextContent, StringComparison.Ordinal);
        Assert.Equal($"/api/v1/orgs/{f.Tenant.Id}/releases/{f.Release.Id}/download?format=hh-rlhf",
            cut.Find("a[data-testid=client-download-hh-rlhf]").GetAttribute("href"));
        Assert.Empty(cut.FindAll("[data-testid=client-releases-empty]"));
    }

    [Fact]
    public async Task Render_ReleaseNotGrantedToThisClient_IsNotListed()
    {
        var db = await UseDatabaseAsync();
        var f = await db.GrantedReleaseAsync(grant: false);
        SignIn("client", f.Client.Id);

        var cut = Render<ClientHomePage>(p => p.Add(x => x.OrgId, f.Tenant.Id));

        cut.WaitForElement("[data-testid=client-releases-empty]");
        Assert.Empty(cut.FindAll("[data-testid=client-release]"));
    }
}
