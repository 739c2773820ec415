using Portal.App.Features.Annotations;
using Portal.Web.Features.Annotate;

namespace Portal.Web.Components.Tests.Features.Annotate;

public class GoldFeedbackPanelTests : PortalComponentTest
{
    [Fact]
    public void Matched_SaysSoAndShowsTheExplanationWithoutTheExpectedAnswer()
    {
        var cut = Render<GoldFeedbackPanel>(p => p.Add(x => x.Feedback, new GoldFeedback(true, "Paris is **the capital**.", "A is better")));

        Assert.Equal("true", cut.Find("[data-testid=gold-feedback]").GetAttribute("data-correct"));
        Assert.Contains("Your answer matched the expected one.", cut.Markup, StringComparison.Ordinal);
        Assert.Equal("the capital", cut.Find("[data-testid=gold-explanation] strong").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=gold-expected]"));
    }

    [Fact]
    public void Missed_SaysWhatWasExpected()
    {
        var cut = Render<GoldFeedbackPanel>(p => p.Add(x => x.Feedback, new GoldFeedback(false, "Lyon is not the capital.", "B is better")));

        Assert.Equal("false", cut.Find("[data-testid=gold-feedback]").GetAttribute("data-correct"));
        Assert.Contains("did not match", cut.Markup, StringComparison.Ordinal);
        Assert.Equal("Expected: B is better", cut.Find("[data-testid=gold-expected]").TextContent.Trim());
    }

    [Fact]
    public void NextButton_Clicked_GoesOn()
    {
        var next = 0;
        var cut = Render<GoldFeedbackPanel>(p => p.Add(x => x.Feedback, new GoldFeedback(true, "")).Add(x => x.OnNext, () => next++));

        cut.Find("[data-testid=feedback-next]").Click();

        Assert.Equal(1, next);
        Assert.Empty(cut.FindAll("[data-testid=gold-explanation]"));
    }
}
