using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.Core.Aggregation;
using Portal.Web.Features.Calibration;

namespace Portal.Web.Components.Tests.Features.Calibration;

public class CalibrationTakePageTests : CalibrationAreaTest
{
    private IRenderedComponent<CalibrationTakePage> RenderSheet(Guid projectId, Guid annotator)
    {
        SignInAs("annotator@quality.test", annotator);
        return Render<CalibrationTakePage>(p => p.Add(x => x.OrgId, OrgId).Add(x => x.ProjectId, projectId).Add(x => x.Number, 1));
    }

    [Fact]
    public async Task Save_ChoiceAndReason_WritesTheAnswerAndSaysSaved()
    {
        var (project, items, _) = await RoundAsync();
        var cut = RenderSheet(project.Id, AnnotatorId);
        var first = cut.FindAll("[data-testid=calibration-sheet-item]")[0];

        first.QuerySelector("[data-testid=c-choose-b]")!.Click();
        cut.FindAll("[data-testid=calibration-sheet-item]")[0].QuerySelector("textarea")!.Input("B cites its source.");
        cut.FindAll("[data-testid=calibration-sheet-item]")[0].QuerySelector("[data-testid=c-save]")!.Click();

        cut.WaitForAssertion(() => Assert.NotNull(cut.FindAll("[data-testid=calibration-sheet-item]")[0].QuerySelector("[data-testid=c-saved]")));
        await using var ctx = Db.Factory.CreateForTenant(OrgId);
        var answer = await ctx.CalibrationAnswers.SingleAsync(a => a.AnnotatorId == AnnotatorId);
        Assert.Equal(items[0].Id, answer.ItemId);
        Assert.Equal(PreferenceChoice.B, answer.Choice);
        Assert.Equal("B cites its source.", answer.Rationale);
        Assert.Contains("You answered 1 of 2", cut.Find("[data-testid=calibration-progress]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Save_NoChoice_ShowsTheProblemUnderTheItem()
    {
        var (project, _, _) = await RoundAsync();
        var cut = RenderSheet(project.Id, AnnotatorId);

        cut.FindAll("[data-testid=c-save]")[0].Click();

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=calibration-sheet-item]")[0].QuerySelectorAll("[data-testid=c-error]")));
        await using var ctx = Db.Factory.CreateForTenant(OrgId);
        Assert.False(await ctx.CalibrationAnswers.AnyAsync());
    }

    [Fact]
    public async Task Render_Closed_SaysClosedAndWhereTheyLeftTheGroupWithTheOthersReasons()
    {
        var (project, items, people) = await RoundAsync();
        await AnswerAsync(project, people[0], items[0], PreferenceChoice.B, "B is longer.");
        await AnswerAsync(project, people[1], items[0], PreferenceChoice.A, "A is right.");
        await AnswerAsync(project, people[2], items[0], PreferenceChoice.A);
        foreach (var person in people)
        {
            await AnswerAsync(project, person, items[1], PreferenceChoice.A);
        }

        await Calibration.CloseAsync(OrgId, project.Id, 1, AdminId);

        var cut = RenderSheet(project.Id, people[0]);

        Assert.Equal("closed", cut.Find("[data-testid=calibration-take]").GetAttribute("data-status"));
        Assert.Contains("The round is closed", cut.Find("[data-testid=calibration-feedback-summary]").TextContent, StringComparison.Ordinal);
        Assert.Contains("left the group's consensus on 1", cut.Find("[data-testid=calibration-feedback-summary]").TextContent, StringComparison.Ordinal);
        var first = cut.FindAll("[data-testid=calibration-sheet-item]")[0];
        Assert.Equal("true", first.GetAttribute("data-differed"));
        Assert.Contains("the choice", first.QuerySelector("[data-testid=calibration-differed]")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("A is right.", first.QuerySelector("[data-testid=calibration-rationales]")!.TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=c-save]"));
    }
}
