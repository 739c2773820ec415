using Portal.Web.Features.Annotate;

namespace Portal.Web.Components.Tests.Features.Annotate;

public class TaskProgressTests : PortalComponentTest
{
    [Fact]
    public void Counts_ShowNOfMItemsRatedByYou()
    {
        var cut = Render<TaskProgress>(p => p.Add(x => x.Done, 12).Add(x => x.Left, 28));

        var progress = cut.Find("[data-testid=done-by-me]");
        Assert.Equal("12", progress.GetAttribute("data-count"));
        Assert.Contains("12 of 40 items of this project rated by you", progress.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownCounts_ShowNothing()
    {
        var cut = Render<TaskProgress>();

        Assert.Empty(cut.FindAll("[data-testid=done-by-me]"));
    }
}
