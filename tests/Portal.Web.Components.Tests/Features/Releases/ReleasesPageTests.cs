using Portal.App.Data;
using Portal.TestSupport;
using Portal.Web.Features.Projects;
using Portal.Web.Features.Releases;

namespace Portal.Web.Components.Tests.Features.Releases;

public class ReleasesPageTests : PortalComponentTest
{
    public ReleasesPageTests()
    {
        ComponentFactories.AddStub<ProjectNav>();
    }

    [Fact]
    public async Task Render_NoRelease_SaysWhatAClientWillSeeAndHowToCutOne()
    {
        var db = await UseDatabaseAsync();
        var tenant = await db.CreateTestTenantAsync("Acme");
        SignIn("admin", tenant.Member(OrgRoles.ProjectAdmin).Id);
        RenderProviders();

        var cut = Render<ReleasesPage>(p => p.Add(x => x.OrgId, tenant.Id).Add(x => x.ProjectId, tenant.Project.Id));

        var empty = cut.WaitForElement("[data-testid=releases-empty]");
        Assert.Contains("Cut one with the form above", empty.TextContent, StringComparison.Ordinal);
        Assert.Contains("the client then sees its counts, dataset card", empty.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_Releases_ListsThemPagedFromTheDatabaseWithLinks()
    {
        var db = await UseDatabaseAsync();
        var f = await db.GrantedReleaseAsync("Autumn pairs");
        SignIn("admin", f.Admin.Id);
        RenderProviders();

        var cut = Render<ReleasesPage>(p => p.Add(x => x.OrgId, f.Tenant.Id).Add(x => x.ProjectId, f.Project.Id));

        var link = cut.WaitForElement("[data-testid=release-link]");
        Assert.Equal("Autumn pairs", link.TextContent.Trim());
        Assert.Equal($"/orgs/{f.Tenant.Id}/projects/{f.Project.Id}/releases/{f.Release.Id}", link.GetAttribute("href"));
        Assert.Equal("Ready", cut.Find("[data-testid=release-status]").TextContent);
    }

    [Fact]
    public async Task Cut_NameAlreadyTaken_ShowsTheServersProblemUnderTheName()
    {
        var db = await UseDatabaseAsync();
        var f = await db.GrantedReleaseAsync("v1");
        SignIn("admin", f.Admin.Id);
        var providers = RenderProviders();
        var cut = Render<ReleasesPage>(p => p.Add(x => x.OrgId, f.Tenant.Id).Add(x => x.ProjectId, f.Project.Id));
        cut.WaitForElement("[data-testid=release-link]");

        cut.Find("input[data-testid=release-name]").Input("v1");
        cut.Find("[data-testid=release-cut]").Click();
        providers.WaitForElements(".mud-dialog button");
        providers.FindAll(".mud-dialog button").Single(b => b.TextContent.Contains("Cut now", StringComparison.Ordinal)).Click();

        cut.WaitForAssertion(() => Assert.Contains("already has a release named 'v1'",
            cut.Find("[data-testid=release-name]").Closest(".mud-input-control")!.TextContent, StringComparison.Ordinal));
    }
}
