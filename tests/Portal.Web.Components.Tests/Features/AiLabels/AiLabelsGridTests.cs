using Portal.TestSupport;
using Portal.Web.Components.Tests.Features.Releases;
using Portal.Web.Features.AiLabels;

namespace Portal.Web.Components.Tests.Features.AiLabels;

public class AiLabelsGridTests : PortalComponentTest
{
    [Fact]
    public async Task Render_SixtyLabels_ShowsTheFirstPageAndTheTotalFromTheDatabase()
    {
        var db = await UseDatabaseAsync();
        var tenant = await db.CreateTestTenantAsync("Acme");
        var loop = await db.CreateLoopProjectAsync(tenant.Id, pairs: 60, aiError: 0.25);
        RenderProviders();

        var cut = Render<AiLabelsGrid>(p => p.Add(x => x.OrgId, tenant.Id).Add(x => x.ProjectId, loop.Project.Id));

        cut.WaitForAssertion(() => Assert.Equal(20, cut.FindAll("[data-testid=ai-label-model]").Count));
        Assert.All(cut.FindAll("[data-testid=ai-label-model]"), m => Assert.Equal("test-labeler", m.TextContent));
        Assert.Contains("1-20 of 60", cut.Find(".mud-table-pagination").TextContent, StringComparison.Ordinal);
        Assert.All(cut.FindAll("[data-testid=ai-label-human]"), h => Assert.Equal("not yet", h.TextContent));
    }

    [Fact]
    public async Task Search_AnItemsId_ShowsOnlyThatItemsLabel()
    {
        var db = await UseDatabaseAsync();
        var tenant = await db.CreateTestTenantAsync("Acme");
        var loop = await db.CreateLoopProjectAsync(tenant.Id, pairs: 30, aiError: 0.25);
        var wanted = loop.Items[17].ExternalId!;
        RenderProviders();
        var cut = Render<AiLabelsGrid>(p => p.Add(x => x.OrgId, tenant.Id).Add(x => x.ProjectId, loop.Project.Id));
        cut.WaitForAssertion(() => Assert.Equal(20, cut.FindAll("[data-testid=ai-label-item]").Count));

        cut.Find("input[data-testid=ai-labels-search]").Change(wanted);

        cut.WaitForAssertion(() =>
            Assert.All(cut.FindAll("[data-testid=ai-label-item]"), i => Assert.Contains(wanted, i.TextContent, StringComparison.Ordinal)));
        Assert.Contains(wanted, cut.Find("[data-testid=ai-label-item]").TextContent, StringComparison.Ordinal);
        Assert.True(cut.FindAll("[data-testid=ai-label-item]").Count < 20);
    }
}
