using Portal.App.Data;
using Portal.TestSupport;
using Portal.Web.Features.Projects;

namespace Portal.Web.Components.Tests.Features.Projects;

public class ProjectProgressPanelTests : PortalComponentTest
{
    [Fact]
    public async Task Render_NoAnnotations_ShowsZeroesAndEmptyStatesInsteadOfBlankCharts()
    {
        var db = await UseDatabaseAsync();
        var tenant = await db.CreateTestTenantAsync("Acme");
        var project = await db.CreateTaskProjectAsync(tenant.Id, items: 6);

        var cut = Render<ProjectProgressPanel>(p => p.Add(x => x.OrgId, tenant.Id).Add(x => x.ProjectId, project.Id));

        cut.WaitForAssertion(() => Assert.Equal("6", cut.Find("[data-testid=progress-items]").TextContent.Trim()));
        Assert.Equal("0", cut.Find("[data-testid=progress-annotations]").TextContent.Trim());
        Assert.Equal("6", cut.Find("[data-testid=progress-untouched]").TextContent.Trim());
        Assert.NotNull(cut.Find("[data-testid=progress-daily-empty]"));
        Assert.NotNull(cut.Find("[data-testid=progress-median-empty]"));
        Assert.NotNull(cut.Find("[data-testid=progress-state-chart] svg"));
    }

    [Fact]
    public async Task Render_TwoAnnotations_CountsThemAndDrawsTheDailyAndMedianCharts()
    {
        var db = await UseDatabaseAsync();
        var tenant = await db.CreateTestTenantAsync("Acme");
        var project = await db.CreateTaskProjectAsync(tenant.Id, items: 3);
        List<Item> items;
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            items = [.. ctx.Items.Where(i => i.ProjectId == project.Id).OrderBy(i => i.ExternalId)];
        }

        var annotator = tenant.Member(OrgRoles.Annotator);
        await db.AddTestAnnotationAsync(tenant.Id, items[0], annotator.Id);
        await db.AddTestAnnotationAsync(tenant.Id, items[1], annotator.Id);

        var cut = Render<ProjectProgressPanel>(p => p.Add(x => x.OrgId, tenant.Id).Add(x => x.ProjectId, project.Id));

        cut.WaitForAssertion(() => Assert.Equal("2", cut.Find("[data-testid=progress-annotations]").TextContent.Trim()));
        Assert.Equal("1", cut.Find("[data-testid=progress-untouched]").TextContent.Trim());
        Assert.NotNull(cut.Find("[data-testid=progress-daily-chart] svg"));
        Assert.Contains(annotator.DisplayName, cut.Find("[data-testid=progress-annotators]").TextContent, StringComparison.Ordinal);
    }
}
