using Portal.Web.Features.Releases;

namespace Portal.Web.Components.Tests.Features.Releases;

public class DiffSampleTests : PortalComponentTest
{
    [Fact]
    public void Render_Ids_ListsThemWithTheirCount()
    {
        var cut = Render<DiffSample>(p => p.Add(x => x.Title, "Relabelled").Add(x => x.Ids, ["item-001", "item-007"]));

        Assert.Equal("Relabelled (first 2): item-001, item-007", cut.Find("[data-testid=diff-sample-relabelled]").TextContent.Trim());
    }

    [Fact]
    public void Render_NoIds_ShowsNothing()
    {
        var cut = Render<DiffSample>(p => p.Add(x => x.Title, "Removed").Add(x => x.Ids, []));

        Assert.Equal("", cut.Markup.Trim());
    }
}
