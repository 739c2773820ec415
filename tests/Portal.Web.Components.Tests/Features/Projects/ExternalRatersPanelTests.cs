using Portal.App.Features.Gold;
using Portal.Web.Features.Projects;

namespace Portal.Web.Components.Tests.Features.Projects;

public class ExternalRatersPanelTests : PortalComponentTest
{
    [Fact]
    public void Render_NoExternalRaters_ShowsNothing()
    {
        var cut = Render<ExternalRatersPanel>();

        Assert.Empty(cut.FindAll("[data-testid=external-raters]"));
    }

    [Fact]
    public void Render_Raters_ListsEachMarkedExternalWithItsDatasetAndLabels()
    {
        var cut = Render<ExternalRatersPanel>(p => p.Add(x => x.Raters,
            [new ExternalRaterRow(Guid.NewGuid(), "External 1 · lmsys/arena", "lmsys/arena", 12, DateTime.UtcNow),
             new ExternalRaterRow(Guid.NewGuid(), "External 2 · lmsys/arena", "lmsys/arena", 3, DateTime.UtcNow)]));

        var rows = cut.FindAll("[data-testid=external-rater-row]");
        Assert.Equal(2, rows.Count);
        Assert.Contains("External 1 · lmsys/arena", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("external", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Equal("12", rows[0].Children[^1].TextContent.Trim());
        Assert.Contains("never get tasks", cut.Markup, StringComparison.Ordinal);
    }
}
