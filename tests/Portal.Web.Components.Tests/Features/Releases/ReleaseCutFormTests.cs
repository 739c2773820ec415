using Portal.App.Features.Releases;
using Portal.Web.Features.Releases;

namespace Portal.Web.Components.Tests.Features.Releases;

public class ReleaseCutFormTests : PortalComponentTest
{
    private readonly List<ReleaseCutRequest> _sent = [];

    private IRenderedComponent<ReleaseCutForm> RenderForm(bool pairwise = true, string name = "v1") =>
        Render<ReleaseCutForm>(p => p
            .Add(x => x.Pairwise, pairwise)
            .Add(x => x.InitialName, name)
            .Add(x => x.OnCut, r => _sent.Add(r)));

    private static void Type(IRenderedComponent<ReleaseCutForm> cut, string testId, string value) =>
        cut.Find($"input[data-testid={testId}]").Input(value);

    [Fact]
    public void Cut_EmptyName_ShowsTheProblemUnderTheNameAndSendsNothing()
    {
        RenderProviders();
        var cut = RenderForm(name: "");

        cut.Find("[data-testid=release-cut]").Click();

        cut.WaitForAssertion(() => Assert.Contains("A release needs a name of 1 to 200 characters.", cut.Markup, StringComparison.Ordinal));
        Assert.Empty(_sent);
    }

    [Fact]
    public void Cut_AgreementOverHundredAndGuidelineZero_ShowsEachProblemUnderItsField()
    {
        RenderProviders();
        var cut = RenderForm();
        Type(cut, "release-min-agreement", "150");
        Type(cut, "release-guideline", "0");

        cut.Find("[data-testid=release-cut]").Click();

        cut.WaitForAssertion(() =>
        {
            Assert.Contains("The minimum agreement is a percentage from 0 to 100.", cut.Markup, StringComparison.Ordinal);
            Assert.Contains("Guideline versions start at 1.", cut.Markup, StringComparison.Ordinal);
        });
        Assert.DoesNotContain("A release needs a name", cut.Markup, StringComparison.Ordinal);
        Assert.Empty(_sent);
    }

    [Fact]
    public void Cut_ValidFields_AsksFirstAndOnConfirmSendsTheNameAndFiltersAsShares()
    {
        var providers = RenderProviders();
        var cut = RenderForm(name: "  Spring release  ");
        Type(cut, "release-min-ratings", "2");
        Type(cut, "release-min-agreement", "80");

        cut.Find("[data-testid=release-cut]").Click();

        providers.WaitForAssertion(() => Assert.Contains("cannot be changed or renamed afterwards", providers.Markup, StringComparison.Ordinal));
        Assert.Empty(_sent);
        providers.FindAll(".mud-dialog button").Single(b => b.TextContent.Contains("Cut now", StringComparison.Ordinal)).Click();

        cut.WaitForAssertion(() => Assert.Single(_sent));
        var sent = _sent[0];
        Assert.Equal("Spring release", sent.Name);
        Assert.Equal(2, sent.Filters.MinRatings);
        Assert.Equal(0.8, sent.Filters.MinAgreement!.Value, 6);
        Assert.Null(sent.Filters.MinGoldAccuracy);
        Assert.Equal(LabelMode.Human, sent.Filters.Labels);
    }

    [Fact]
    public void Cut_DialogCancelled_SendsNothing()
    {
        var providers = RenderProviders();
        var cut = RenderForm();

        cut.Find("[data-testid=release-cut]").Click();
        providers.WaitForElements(".mud-dialog button");
        providers.FindAll(".mud-dialog button").Single(b => b.TextContent.Contains("Cancel", StringComparison.Ordinal)).Click();

        providers.WaitForAssertion(() => Assert.Empty(providers.FindAll(".mud-dialog")));
        Assert.Empty(_sent);
    }

    [Fact]
    public void ServerProblem_NameTaken_ShowsTheServersMessageUnderTheName()
    {
        RenderProviders();
        var cut = Render<ReleaseCutForm>(p => p
            .Add(x => x.Pairwise, true)
            .Add(x => x.InitialName, "v1")
            .Add(x => x.ServerProblem, ("name", "The project already has a release named 'v1'; releases never change, so pick a new name.")));

        var name = cut.Find("[data-testid=release-name]").Closest(".mud-input-control")!;
        Assert.Contains("already has a release named 'v1'", name.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_LikertProject_OffersNoLabelMode()
    {
        RenderProviders();

        var likert = RenderForm(pairwise: false);
        Assert.Empty(likert.FindAll("[data-testid=release-labels]"));
    }
}
