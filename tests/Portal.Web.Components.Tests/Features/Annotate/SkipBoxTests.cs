using Microsoft.AspNetCore.Components.Web;
using Portal.Web.Features.Annotate;

namespace Portal.Web.Components.Tests.Features.Annotate;

public class SkipBoxTests : PortalComponentTest
{
    [Fact]
    public void EnterInTheReason_Skips()
    {
        var confirmed = 0;
        var cut = Render<SkipBox>(p => p.Add(x => x.Reason, "off topic").Add(x => x.OnConfirm, () => confirmed++));

        cut.Find("input[data-testid=skip-reason]").KeyDown(new KeyboardEventArgs { Key = "Enter" });

        Assert.Equal(1, confirmed);
    }

    [Fact]
    public void Typing_SendsTheReason_AndAnErrorShowsUnderTheBox()
    {
        string? reason = null;
        var cut = Render<SkipBox>(p => p.Add(x => x.Error, "Say why you skip this task.").Add(x => x.ReasonChanged, (string r) => reason = r));

        cut.Find("input[data-testid=skip-reason]").Input("cannot judge");

        Assert.Equal("cannot judge", reason);
        Assert.Contains("Say why you skip this task.", cut.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void Cancel_Clicked_GoesBackToTheTask()
    {
        var cancelled = 0;
        var cut = Render<SkipBox>(p => p.Add(x => x.OnCancel, () => cancelled++));

        cut.Find("[data-testid=cancel-skip]").Click();

        Assert.Equal(1, cancelled);
    }
}
