using Portal.Core.Agreement;

namespace Portal.Core.Tests.Agreement;

public class FleissKappaTests
{
    // The published κ is given to three decimals.
    private const double PublishedTolerance = 0.0005;

    /// <summary>
    /// The worked example on Wikipedia's "Fleiss' kappa" page: 14 raters put 10 subjects in 5 categories; κ = 0.210.
    /// </summary>
    private static readonly int[][] WikipediaExample =
    [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ];

    [Fact]
    public void FleissKappa_WikipediaExample_MatchesPublishedValue()
    {
        var table = TestTables.FromCategoryCounts(WikipediaExample);

        Assert.Equal(0.210, AgreementMetrics.FleissKappa(table), PublishedTolerance);
    }

    [Fact]
    public void FleissKappa_RandomData_MatchesReference()
    {
        for (var seed = 1; seed <= 20; seed++)
        {
            var table = TestTables.Random(seed, units: 25, raters: 2 + (seed % 6), [1, 2, 3, 4], missing: 0);

            Assert.Equal(ReferenceAgreement.FleissKappa(table), AgreementMetrics.FleissKappa(table), 1e-9);
        }
    }

    [Fact]
    public void FleissKappa_AllRatersAgree_ReturnsOne()
    {
        var table = TestTables.FromCategoryCounts([[3, 0], [0, 3], [3, 0]]);

        Assert.Equal(1.0, AgreementMetrics.FleissKappa(table), 1e-12);
    }

    [Fact]
    public void FleissKappa_EveryRatingInOneCategory_ReturnsNaN()
    {
        var table = TestTables.FromCategoryCounts([[3], [3]]);

        Assert.True(double.IsNaN(AgreementMetrics.FleissKappa(table)));
    }

    [Fact]
    public void FleissKappa_UnitWithDifferentCount_ThrowsNamingIt()
    {
        var table = TestTables.FromCategoryCounts([[2, 1], [1, 2], [1, 1], [3, 0]]);

        var ex = Assert.Throws<ArgumentException>(() => AgreementMetrics.FleissKappa(table));

        Assert.Contains("unit 'u3' has 2 and unit 'u1' has 3", ex.Message, StringComparison.Ordinal);
    }
}
