using Portal.App.Data;
using Portal.Web.Features.Annotate;

namespace Portal.Web.Components.Tests.Features.Annotate;

public class LikertRowsTests : PortalComponentTest
{
    [Fact]
    public void Rows_OnePerAttribute_WithTheScaleAndItsEnds()
    {
        var cut = Render<LikertRows>(p => p.Add(x => x.Form, TaskSamples.Form(ProjectKind.Likert)));

        var rows = cut.FindAll("[data-testid=rating-row]");
        Assert.Equal(["helpfulness", "accuracy"], rows.Select(r => r.GetAttribute("data-attribute")));
        Assert.Equal(["1", "2", "3", "4", "5"], rows[0].QuerySelectorAll("button").Select(b => b.TextContent.Trim()));
        Assert.Contains("Useless", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("Very useful", rows[0].TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void ScoreClicked_SendsTheRowAndTheValue()
    {
        var ratings = new List<RowRating>();
        var cut = Render<LikertRows>(p => p.Add(x => x.Form, TaskSamples.Form(ProjectKind.Likert)).Add(x => x.OnRate, (RowRating r) => ratings.Add(r)));

        cut.FindAll("[data-testid=rating-row]")[1].QuerySelector("[data-testid=rate-4]")!.Click();

        Assert.Equal([new RowRating(new TaskRow(TaskRowKind.Score, "accuracy"), 4)], ratings);
    }

    [Fact]
    public void RatedAndCurrentRows_ShowTheirValueAndTheKeyboardsPlace()
    {
        var form = TaskSamples.Form(ProjectKind.Likert);
        form.Rate(new TaskRow(TaskRowKind.Score, "helpfulness"), 3);
        var cut = Render<LikertRows>(p => p.Add(x => x.Form, form));

        var rows = cut.FindAll("[data-testid=rating-row]");
        Assert.Equal("3", rows[0].GetAttribute("data-value"));
        Assert.Equal("true", rows[0].QuerySelector("[data-testid=rate-3]")!.GetAttribute("aria-pressed"));
        Assert.DoesNotContain("is-current", rows[0].ClassName, StringComparison.Ordinal);
        Assert.Contains("is-current", rows[1].ClassName, StringComparison.Ordinal);
    }

    [Fact]
    public void Problems_OfTheScores_ShowUnderTheRows()
    {
        var form = TaskSamples.Form(ProjectKind.Likert);
        var cut = Render<LikertRows>(p => p.Add(x => x.Form, form).Add(x => x.Problems, form.Problems()));

        Assert.Equal("Rate Helpfulness, Accuracy.", cut.Find("[data-testid=error-scores]").TextContent);
    }

    [Fact]
    public void Rows_AreOneComponentEachWithPlainScoreButtons()
    {
        // A score is a plain button with MudButton's classes, not three components (MudButton, its element, its ripple).
        var cut = Render<LikertRows>(p => p.Add(x => x.Form, TaskSamples.Form(ProjectKind.Likert)));

        Assert.Equal(cut.FindAll("[data-testid=rating-row]").Count, cut.FindComponents<RatingRow>().Count);
        Assert.Empty(cut.FindComponents<MudBlazor.MudButton>());
        var score = cut.Find("[data-testid=rating-row] [data-testid=rate-1]");
        Assert.Equal("BUTTON", score.TagName);
        Assert.Contains("mud-button-outlined-size-small", score.ClassList);
    }
}
