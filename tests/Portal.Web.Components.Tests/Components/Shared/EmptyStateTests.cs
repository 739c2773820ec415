using Portal.Web.Components.Shared;

namespace Portal.Web.Components.Tests.Components.Shared;

public class EmptyStateTests : PortalComponentTest
{
    [Fact]
    public void Render_WithAction_ShowsTitleTextAndAction()
    {
        var cut = Render<EmptyState>(p => p
            .Add(x => x.Title, "No items yet")
            .Add(x => x.Text, "Import a JSONL or CSV file.")
            .AddChildContent("<a href=\"/import\">Import</a>"));

        Assert.Equal("No items yet", cut.Find("p.mud-typography-h6").TextContent.Trim());
        Assert.Contains("Import a JSONL or CSV file.", cut.Markup, StringComparison.Ordinal);
        Assert.Equal("/import", cut.Find("a").GetAttribute("href"));
    }
}
