using Portal.App.Data;
using Portal.Web.Features.Annotate;

namespace Portal.Web.Components.Tests.Features.Annotate;

public class TaskKeysOverlayTests : PortalComponentTest
{
    [Fact]
    public void Closed_ShowsNothing()
    {
        var cut = Render<TaskKeysOverlay>(p => p.Add(x => x.Open, false).Add(x => x.Hints, TaskKeys.For(ProjectKind.Pairwise, new PairwiseOptions(), null)));

        Assert.Empty(cut.FindAll("[data-testid=keys-overlay]"));
    }

    [Fact]
    public void Open_ListsEveryKeyOfTheProjectAsADialog()
    {
        var cut = Render<TaskKeysOverlay>(p => p.Add(x => x.Open, true)
            .Add(x => x.Hints, TaskKeys.For(ProjectKind.Pairwise, new PairwiseOptions { AllowTie = false }, null)));

        var dialog = cut.Find("[data-testid=keys-overlay]");
        Assert.Equal("dialog", dialog.GetAttribute("role"));
        var actions = dialog.QuerySelectorAll("dd").Select(d => d.TextContent).ToList();
        Assert.Contains("both bad", actions);
        Assert.Contains("show or hide this list of keys", actions);
        Assert.DoesNotContain("tie", actions);
    }

    [Fact]
    public void CloseButton_Clicked_AsksToClose()
    {
        var closed = 0;
        var cut = Render<TaskKeysOverlay>(p => p.Add(x => x.Open, true).Add(x => x.Hints, TaskKeys.For(null, null, null)).Add(x => x.OnClose, () => closed++));

        cut.Find("[data-testid=keys-overlay-close]").Click();

        Assert.Equal(1, closed);
    }
}
