using Portal.App.Data;
using Portal.TestSupport;
using Portal.Web.Features.Projects;

namespace Portal.Web.Components.Tests.Features.Projects;

public class ProjectNavTests : PortalComponentTest
{
    private static readonly Guid OrgId = Guid.Parse("11111111-1111-1111-1111-111111111111");
    private static readonly Guid ProjectId = Guid.Parse("22222222-2222-2222-2222-222222222222");

    private IRenderedComponent<ProjectNav> RenderNav(string current) =>
        Render<ProjectNav>(p => p.Add(x => x.OrgId, OrgId).Add(x => x.ProjectId, ProjectId).Add(x => x.Current, current));

    [Fact]
    public void Render_Any_ShowsOverviewAndFiveGroupsOnOneRow()
    {
        var cut = RenderNav("overview");

        var buttons = cut.FindAll("[data-testid=project-nav] > *").Select(e => e.TextContent.Trim()).ToList();
        Assert.Equal(["Overview", "Setup", "Running", "AI", "Delivering", "Deployment"], buttons);
        Assert.Equal("page", cut.Find("[data-testid=project-nav-overview]").GetAttribute("aria-current"));
    }

    [Fact]
    public void Render_OnSettings_MarksSetupActiveAndNamesTheEntry()
    {
        var cut = RenderNav("settings");

        var setup = cut.Find("[data-testid=project-nav-group-setup]");
        Assert.Equal("true", setup.GetAttribute("data-active"));
        Assert.Equal("Setup: Settings", setup.TextContent.Trim());
        Assert.Equal("false", cut.Find("[data-testid=project-nav-group-running]").GetAttribute("data-active"));
        Assert.Null(cut.Find("[data-testid=project-nav-overview]").GetAttribute("aria-current"));
    }

    [Fact]
    public void OpenRunning_ListsItsEntriesWithTheirLinksAndMarksTheCurrentOne()
    {
        var providers = RenderProviders();
        var cut = RenderNav("quality");

        cut.Find("[data-testid=project-nav-group-running] button").Click();

        providers.WaitForAssertion(() => providers.Find("[data-testid=project-nav-progress]"));
        var root = $"/orgs/{OrgId}/projects/{ProjectId}";
        Assert.Equal($"{root}/progress", providers.Find("[data-testid=project-nav-progress]").GetAttribute("href"));
        Assert.Equal($"{root}/calibration", providers.Find("[data-testid=project-nav-calibration]").GetAttribute("href"));
        Assert.Equal("page", providers.Find("[data-testid=project-nav-quality]").GetAttribute("aria-current"));
        Assert.Null(providers.Find("[data-testid=project-nav-annotators]").GetAttribute("aria-current"));
        Assert.Empty(providers.FindAll("[data-testid=project-nav-settings]"));
    }

    [Theory]
    [InlineData("items", "setup")]
    [InlineData("qualification", "setup")]
    [InlineData("calibration", "running")]
    [InlineData("rlthf", "ai")]
    [InlineData("releases", "delivering")]
    public void GroupOf_Page_IsTheGroupTheAdminLooksIn(string page, string group) => Assert.Equal(group, ProjectNav.GroupOf(page));

    [Fact]
    public async Task Render_ProjectWithRatingsAndNoRelease_ShowsItsStateStrip()
    {
        var db = await UseDatabaseAsync();
        var tenant = await db.CreateTestTenantAsync("Acme");
        var project = await db.CreateTaskProjectAsync(tenant.Id, items: 4);
        Item first;
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            first = ctx.Items.First(i => i.ProjectId == project.Id && i.ExternalId == "item-001");
            ctx.CalibrationRounds.Add(new CalibrationRound { ProjectId = project.Id, Number = 2, Title = "Tone", OpenedByUserId = tenant.Member(OrgRoles.ProjectAdmin).Id, OpenedAt = DateTime.UtcNow });
            await ctx.SaveChangesAsync();
        }

        await db.AddTestAnnotationAsync(tenant.Id, first, tenant.Member(OrgRoles.Annotator).Id);

        var cut = Render<ProjectNav>(p => p.Add(x => x.OrgId, tenant.Id).Add(x => x.ProjectId, project.Id).Add(x => x.Current, "items"));

        cut.WaitForAssertion(() => Assert.Equal("1 of 4 items rated", cut.Find("[data-testid=project-state-rated]").TextContent.Trim()));
        Assert.Contains("Calibration round 2 open: Tone", cut.Find("[data-testid=project-state-calibration]").TextContent, StringComparison.Ordinal);
        Assert.Equal("No release yet", cut.Find("[data-testid=project-state-release]").TextContent.Trim());
    }
}
