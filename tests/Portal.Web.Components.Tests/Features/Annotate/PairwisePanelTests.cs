using Portal.App.Data;
using Portal.App.Features.Annotations;
using Portal.Web.Features.Annotate;

namespace Portal.Web.Components.Tests.Features.Annotate;

public class PairwisePanelTests : PortalComponentTest
{
    [Fact]
    public void ChoiceButtons_Clicked_SendTheChoiceInScreenTerms()
    {
        var chosen = new List<ShownChoice>();
        var cut = Render<PairwisePanel>(p => p
            .Add(x => x.Form, TaskSamples.Form(ProjectKind.Pairwise))
            .Add(x => x.OnChoose, (ShownChoice c) => chosen.Add(c)));

        cut.Find("[data-testid=choose-right]").Click();
        cut.Find("[data-testid=choose-both-bad]").Click();

        Assert.Equal([ShownChoice.Right, ShownChoice.BothBad], chosen);
    }

    [Fact]
    public void Options_WithoutTieAndBothBad_OfferOnlyAAndB()
    {
        var cut = Render<PairwisePanel>(p => p.Add(x => x.Form,
            TaskSamples.Form(ProjectKind.Pairwise, new PairwiseOptions { AllowTie = false, AllowBothBad = false })));

        Assert.Equal(["A is better", "B is better"], cut.FindAll("[data-testid=choice-row] button").Select(b => b.TextContent.Trim()));
    }

    [Fact]
    public void Strength_BeforeAChoice_KeepsItsPlaceButShowsNoButtons()
    {
        var cut = Render<PairwisePanel>(p => p.Add(x => x.Form, TaskSamples.Form(ProjectKind.Pairwise)));

        Assert.Empty(cut.FindAll("[data-testid=strength-row]"));
        Assert.Contains("Choose A or B, then say how much better", cut.Find(".strength-placeholder").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Strength_AfterChoosingB_AsksHowMuchBetterInWordsAndSendsTheLevel()
    {
        var form = TaskSamples.Form(ProjectKind.Pairwise);
        form.Choose(ShownChoice.Right);
        var levels = new List<int>();
        var cut = Render<PairwisePanel>(p => p.Add(x => x.Form, form).Add(x => x.OnStrength, (int l) => levels.Add(l)));

        var row = cut.Find("[data-testid=strength-row]");
        Assert.Contains("How much better is B?", row.TextContent, StringComparison.Ordinal);
        Assert.Equal(["1 slightly", "2 clearly", "3 much"], row.QuerySelectorAll("button").Select(b => b.TextContent.Trim()));
        cut.Find("[data-testid=strength-2]").Click();
        Assert.Equal([2], levels);
    }

    [Fact]
    public void AttributeChoices_PerAttributeProject_SendTheAttributeAndItsChoice()
    {
        var choices = new List<AttributeChoice>();
        var cut = Render<PairwisePanel>(p => p
            .Add(x => x.Form, TaskSamples.Form(ProjectKind.Pairwise, new PairwiseOptions { PerAttribute = true }))
            .Add(x => x.OnAttributeChoice, (AttributeChoice c) => choices.Add(c)));

        var rows = cut.FindAll("[data-testid=attribute-choice-row]");
        Assert.Equal(["helpfulness", "accuracy"], rows.Select(r => r.GetAttribute("data-attribute")));
        rows[1].QuerySelector("[data-testid=attribute-tie]")!.Click();

        Assert.Equal([new AttributeChoice("accuracy", ShownChoice.Tie)], choices);
    }

    [Fact]
    public void Problems_OfTheChoice_ShowUnderTheChoiceRow()
    {
        var form = TaskSamples.Form(ProjectKind.Pairwise);
        var cut = Render<PairwisePanel>(p => p.Add(x => x.Form, form).Add(x => x.Problems, form.Problems()));

        Assert.Equal("Choose A, B, tie or both bad.", cut.Find("[data-testid=error-choice]").TextContent);
    }

    [Fact]
    public void ChosenButton_IsMarkedPressed()
    {
        var form = TaskSamples.Form(ProjectKind.Pairwise);
        form.Choose(ShownChoice.Left);
        var cut = Render<PairwisePanel>(p => p.Add(x => x.Form, form));

        Assert.Equal("true", cut.Find("[data-testid=choose-left]").GetAttribute("aria-pressed"));
        Assert.Equal("false", cut.Find("[data-testid=choose-right]").GetAttribute("aria-pressed"));
        Assert.Equal("Left", cut.Find("[data-testid=choice-row]").GetAttribute("data-value"));
    }
}
