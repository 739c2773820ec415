using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Organisations;
using Portal.Web.Components.Layout;

namespace Portal.Web.Components.Tests.Components.Layout;

public class NavMenuTests : PortalComponentTest
{
    private static readonly Guid OrgId = Guid.Parse("11111111-1111-1111-1111-111111111111");

    private static UserOrganisation Org(OrgRoles roles) => new(OrgId, "Demo", roles);

    [Fact]
    public void Render_Annotator_ShowsAnnotateAndTokensOnly()
    {
        SignIn("ann@demo.local");

        var cut = Render<NavMenu>(p => p.Add(x => x.Organisations, [Org(OrgRoles.Annotator)]).Add(x => x.CurrentOrgId, OrgId));

        var links = cut.FindAll("a.mud-nav-link").Select(a => (a.TextContent.Trim(), a.GetAttribute("href"))).ToList();
        Assert.Equal([("Annotate", $"/orgs/{OrgId}/annotate"), ("API tokens", "/account/tokens")], links);
    }

    [Fact]
    public void Render_OrgAdmin_ShowsMembersJobsAndProjects()
    {
        SignIn("admin@demo.local");

        var cut = Render<NavMenu>(p => p.Add(x => x.Organisations, [Org(OrgRoles.OrgAdmin)]).Add(x => x.CurrentOrgId, OrgId));

        var names = cut.FindAll("a.mud-nav-link").Select(a => a.TextContent.Trim()).ToList();
        Assert.Equal(["Members & invites", "Jobs", "Projects", "API tokens"], names);
    }

    [Fact]
    public void Render_PlatformAdmin_ShowsPlatformEntries()
    {
        SignIn("platform@portal.local", policies: Portal.Web.Tenancy.Policies.PlatformAdmin);

        var cut = Render<NavMenu>(p => p.Add(x => x.Organisations, []));

        var names = cut.FindAll("a.mud-nav-link").Select(a => a.TextContent.Trim()).ToList();
        Assert.Equal(["Organisations", "Platform jobs", "API tokens"], names);
    }

    [Fact]
    public void Render_OnJobsPage_HighlightsOnlyJobs()
    {
        SignIn("admin@demo.local");
        var nav = Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>();
        nav.NavigateTo($"/orgs/{OrgId}/admin/jobs");

        var cut = Render<NavMenu>(p => p.Add(x => x.Organisations, [Org(OrgRoles.OrgAdmin)]).Add(x => x.CurrentOrgId, OrgId));

        var active = cut.FindAll("a.mud-nav-link.active").Select(a => a.TextContent.Trim()).ToList();
        Assert.Equal(["Jobs"], active);
    }
}
