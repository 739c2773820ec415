using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.Core.Aggregation;
using Portal.Web.Features.Calibration;

namespace Portal.Web.Components.Tests.Features.Calibration;

public class CalibrationRoundPageTests : CalibrationAreaTest
{
    private IRenderedComponent<CalibrationRoundPage> RenderRound(Guid projectId)
    {
        SignInAdmin();
        return Render<CalibrationRoundPage>(p => p.Add(x => x.OrgId, OrgId).Add(x => x.ProjectId, projectId).Add(x => x.Number, 1));
    }

    /// <summary>Item 1: two say A, one says B (consensus A); item 2: A, B and tie (split).</summary>
    private async Task<(Project Project, List<Item> Items, IReadOnlyList<Guid> People)> AnsweredAsync(bool close)
    {
        var round = await RoundAsync();
        var (project, items, people) = round;
        await AnswerAsync(project, people[0], items[0], PreferenceChoice.A);
        await AnswerAsync(project, people[1], items[0], PreferenceChoice.A);
        await AnswerAsync(project, people[2], items[0], PreferenceChoice.B, "B has more detail.");
        await AnswerAsync(project, people[0], items[1], PreferenceChoice.A);
        await AnswerAsync(project, people[1], items[1], PreferenceChoice.B);
        await AnswerAsync(project, people[2], items[1], PreferenceChoice.Tie);
        if (close)
        {
            await Calibration.CloseAsync(OrgId, project.Id, 1, AdminId);
        }

        return round;
    }

    [Fact]
    public async Task Render_Answered_ShowsTheConsensusAndWhoDiffered()
    {
        var (project, _, _) = await AnsweredAsync(close: false);

        var cut = RenderRound(project.Id);

        var first = cut.FindAll("[data-testid=calibration-item-report]")[0];
        Assert.Contains("Consensus A better (A better 2, B better 1)", first.QuerySelector("[data-testid=calibration-item-consensus]")!.TextContent, StringComparison.Ordinal);
        var differed = first.QuerySelectorAll("[data-testid=calibration-answer][data-differed=true]");
        Assert.Single(differed);
        Assert.Contains("B has more detail.", differed[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("6 of 6 answers in", cut.Find("[data-testid=calibration-summary]").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=calibration-promote]"));
    }

    [Fact]
    public async Task Render_Closed_PromoteEnabledWithAConsensusAndDisabledWithTheReasonWhenSplit()
    {
        var (project, _, _) = await AnsweredAsync(close: true);

        var cut = RenderRound(project.Id);

        var reports = cut.FindAll("[data-testid=calibration-item-report]");
        Assert.False(reports[0].QuerySelector("[data-testid=calibration-promote]")!.HasAttribute("disabled"));
        Assert.True(reports[1].QuerySelector("[data-testid=calibration-promote]")!.HasAttribute("disabled"));
        Assert.Contains("The group split", reports[1].QuerySelector("[data-testid=calibration-promote-why]")!.TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=calibration-close]"));
    }

    [Fact]
    public async Task Promote_ConsensusWithAnExplanation_MakesTheItemGoldWithTheConsensusChoiceAndTheExplanation()
    {
        var (project, items, _) = await AnsweredAsync(close: true);
        var providers = RenderProviders();
        var cut = RenderRound(project.Id);

        TextBox(cut.FindAll("[data-testid=calibration-item-report]")[0].QuerySelector("[data-testid=calibration-explanation]")!).Input("**Paris** is the capital.");
        cut.FindAll("[data-testid=calibration-item-report]")[0].QuerySelector("[data-testid=calibration-promote]")!.Click();

        cut.WaitForAssertion(() => Assert.Equal("Made gold from this round",
            cut.FindAll("[data-testid=calibration-item-report]")[0].QuerySelector("[data-testid=calibration-item-gold]")!.TextContent.Trim()));
        await using var ctx = Db.Factory.CreateForTenant(OrgId);
        var item = await ctx.Items.SingleAsync(i => i.Id == items[0].Id);
        Assert.True(item.IsGold);
        Assert.Equal(PreferenceChoice.A, item.Gold!.Choice);
        Assert.Equal("**Paris** is the capital.", item.Gold.Explanation);
        providers.WaitForAssertion(() => Assert.Contains("is a gold item now", providers.Markup, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Close_Cancelled_KeepsTheRoundOpen()
    {
        var (project, _, _) = await AnsweredAsync(close: false);
        var providers = RenderProviders();
        var cut = RenderRound(project.Id);

        cut.Find("[data-testid=calibration-close]").Click();
        providers.WaitForAssertion(() => Assert.Contains("Close the round?", providers.Markup, StringComparison.Ordinal));
        providers.FindAll("button").Single(b => b.TextContent.Trim() == "Keep it open").Click();

        await using var ctx = Db.Factory.CreateForTenant(OrgId);
        Assert.Equal(CalibrationStatus.Open, (await ctx.CalibrationRounds.SingleAsync(r => r.ProjectId == project.Id)).Status);
        Assert.Equal("open", cut.Find("[data-testid=calibration-round]").GetAttribute("data-status"));
    }

    [Fact]
    public async Task Close_Confirmed_ClosesTheRoundAndShowsThePromoteButtons()
    {
        var (project, _, _) = await AnsweredAsync(close: false);
        var providers = RenderProviders();
        var cut = RenderRound(project.Id);

        cut.Find("[data-testid=calibration-close]").Click();
        providers.WaitForAssertion(() => Assert.Contains("Close the round?", providers.Markup, StringComparison.Ordinal));
        providers.FindAll("button").Single(b => b.TextContent.Trim() == "Close the round").Click();

        cut.WaitForAssertion(() => Assert.Equal("closed", cut.Find("[data-testid=calibration-round]").GetAttribute("data-status")));
        Assert.Equal(2, cut.FindAll("[data-testid=calibration-promote]").Count);
        await using var ctx = Db.Factory.CreateForTenant(OrgId);
        Assert.Equal(CalibrationStatus.Closed, (await ctx.CalibrationRounds.SingleAsync(r => r.ProjectId == project.Id)).Status);
    }

    [Fact]
    public async Task Render_EveryAnswer_PagedFromTheDatabaseAndSearchable()
    {
        var (project, _, _) = await AnsweredAsync(close: false);
        var cut = RenderRound(project.Id);

        cut.WaitForAssertion(() => Assert.Equal(6, cut.FindAll("[data-testid=calibration-all-answers] tbody tr.mud-table-row").Count));
        TextBox(cut.Find("[data-testid=calibration-answer-search]")).Input("more detail");

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=calibration-all-answers] tbody tr.mud-table-row")));
    }
}
