using Portal.Core.Aggregation;
using Portal.Core.AiLabels;

namespace Portal.Core.Tests.AiLabels;

public class ChoiceComparisonTests
{
    private const PreferenceChoice A = PreferenceChoice.A;
    private const PreferenceChoice B = PreferenceChoice.B;
    private const PreferenceChoice T = PreferenceChoice.Tie;

    [Fact]
    public void Of_TenItems_MatchesAHandComputation()
    {
        // AI:    A A A A B B B T T A
        // Human: A A A B B B A T B A
        // Confusion (AI rows, human columns): A: 4 1 0 / B: 1 2 0 / tie: 0 1 1. Observed 7/10.
        // Marginals: AI (5, 3, 2), human (5, 4, 1); expected (25 + 12 + 2) / 100 = 0.39; κ = (0.7 − 0.39) / 0.61.
        PreferenceChoice[] ai = [A, A, A, A, B, B, B, T, T, A];
        PreferenceChoice[] human = [A, A, A, B, B, B, A, T, B, A];

        var c = ChoiceComparison.Of(ai, human);

        Assert.Equal(10, c.Units);
        Assert.Equal(7, c.Agreements);
        Assert.Equal(0.7, c.PercentAgreement!.Value, 12);
        Assert.Equal((0.7 - 0.39) / 0.61, c.Kappa!.Value, 12);
        Assert.Equal([4, 1, 0], c.Confusion[0]);
        Assert.Equal([1, 2, 0], c.Confusion[1]);
        Assert.Equal([0, 1, 1], c.Confusion[2]);
    }

    [Fact]
    public void Of_NoUnits_IsUndefined()
    {
        var c = ChoiceComparison.Of([], []);

        Assert.Equal((0, null, null), (c.Units, c.PercentAgreement, c.Kappa));
    }

    [Fact]
    public void Of_BothAlwaysTheSameSingleChoice_KappaUndefinedAgreementOne()
    {
        var c = ChoiceComparison.Of([A, A, A], [A, A, A]);

        Assert.Equal(1.0, c.PercentAgreement);
        Assert.Null(c.Kappa);
    }

    [Fact]
    public void Of_BothBad_IsRefused() =>
        Assert.Throws<ArgumentException>(() => ChoiceComparison.Of([A], [PreferenceChoice.BothBad]));
}
