using Portal.Core.Agreement;

namespace Portal.Core.Tests.Agreement;

public class CohenKappaTests
{
    private const double ReferenceTolerance = 1e-9;

    [Fact]
    public void CohenKappa_WikipediaExample_MatchesPublishedValue()
    {
        // Wikipedia, "Cohen's kappa", simple example: 50 applications, yes/yes 20, yes/no 5, no/yes 10, no/no 15;
        // p_o = 0.7, p_e = 0.5, κ = 0.4 exactly.
        var table = TestTables.FromContingency([[20, 5], [10, 15]], categories: [1, 0]);

        Assert.Equal(0.4, AgreementMetrics.CohenKappa(table), 1e-12);
    }

    /// <summary>
    /// By hand, for 10 units on categories 1, 2, 3 with this contingency table (first rater down, second across):
    /// <code>
    ///        1  2  3 | a
    ///   1    3  1  0 | 4
    ///   2    1  2  1 | 4
    ///   3    0  0  2 | 2
    ///   b    4  3  3 | 10
    /// </code>
    /// Linear weights |i - j|: observed Σ w o = 1 + 1 + 1 = 3 (the three cells one apart).
    /// Chance Σ w a_i b_j / n = (1·(4·3 + 4·4 + 4·3 + 2·3) + 2·(4·3 + 2·4)) / 10 = (46 + 40) / 10 = 8.6,
    /// so κ = 1 - 3 / 8.6 = 0.651163.
    /// Quadratic weights (i - j)²: observed 3, chance (46 + 4·20) / 10 = 12.6, so κ = 1 - 3 / 12.6 = 0.761905.
    /// Unweighted: p_o = 7/10, p_e = (16 + 12 + 6) / 100 = 0.34, κ = 0.36 / 0.66 = 0.545455.
    /// </summary>
    private static readonly int[][] HandExample = [[3, 1, 0], [1, 2, 1], [0, 0, 2]];

    [Theory]
    [InlineData(KappaWeights.None, 0.36 / 0.66)]
    [InlineData(KappaWeights.Linear, 1 - (3 / 8.6))]
    [InlineData(KappaWeights.Quadratic, 1 - (3 / 12.6))]
    public void CohenKappa_HandExample_MatchesHandComputation(KappaWeights weights, double expected)
    {
        var table = TestTables.FromContingency(HandExample, categories: [1, 2, 3]);

        Assert.Equal(expected, AgreementMetrics.CohenKappa(table, weights), 1e-12);
    }

    [Fact]
    public void CohenKappa_WeightsByRankNotValue_UnevenlySpacedValuesGiveSameKappa()
    {
        var evenly = TestTables.FromContingency(HandExample, categories: [1, 2, 3]);
        var unevenly = TestTables.FromContingency(HandExample, categories: [1, 5, 50]);

        Assert.Equal(
            AgreementMetrics.CohenKappa(evenly, KappaWeights.Quadratic),
            AgreementMetrics.CohenKappa(unevenly, KappaWeights.Quadratic),
            1e-12);
    }

    [Fact]
    public void CohenKappa_CategoriesGiven_RanksAmongThem()
    {
        // With an unused category 4 the ranks stay 0..2 but the unused rank widens the scale: weights are relative to
        // the listed categories. Checked against the reference, which takes the same list.
        var table = TestTables.FromContingency(HandExample, categories: [1, 2, 4]);
        double[] categories = [1, 2, 3, 4];

        var kappa = AgreementMetrics.CohenKappa(table, KappaWeights.Linear, categories);

        Assert.Equal(ReferenceAgreement.CohenKappa(table, KappaWeights.Linear, categories), kappa, ReferenceTolerance);
        Assert.NotEqual(AgreementMetrics.CohenKappa(table, KappaWeights.Linear), kappa, 1e-6);
    }

    [Fact]
    public void CohenKappa_ValueNotAmongCategories_Throws()
    {
        var table = TestTables.FromPairs([1, 2], [2, 5]);

        var ex = Assert.Throws<ArgumentException>(() => AgreementMetrics.CohenKappa(table, KappaWeights.None, [1, 2, 3]));
        Assert.Contains("Value 5 is not among the categories 1, 2, 3", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(KappaWeights.None)]
    [InlineData(KappaWeights.Linear)]
    [InlineData(KappaWeights.Quadratic)]
    public void CohenKappa_RandomData_MatchesReference(KappaWeights weights)
    {
        for (var seed = 1; seed <= 20; seed++)
        {
            var table = TestTables.Random(seed, units: 40, raters: 2, [1, 2, 3, 5, 8], missing: 0.2);

            Assert.Equal(ReferenceAgreement.CohenKappa(table, weights), AgreementMetrics.CohenKappa(table, weights), ReferenceTolerance);
        }
    }

    [Fact]
    public void CohenKappa_OnlyUnitsRatedByBoth_Count()
    {
        var builder = new RatingTableBuilder();
        builder.Add("u1", "a", 1);
        builder.Add("u1", "b", 1);
        builder.Add("u2", "a", 2);
        builder.Add("u2", "b", 2);
        builder.Add("u3", "a", 1);
        builder.Add("u4", "b", 2);

        Assert.Equal(1.0, AgreementMetrics.CohenKappa(builder.Build()));
    }

    [Fact]
    public void CohenKappa_ThreeRaters_ThrowsNamingThem()
    {
        var table = TestTables.FromRaterRows([[1, 2], [1, 2], [2, 2]]);

        var ex = Assert.Throws<ArgumentException>(() => AgreementMetrics.CohenKappa(table));
        Assert.Contains("exactly two raters, but 3 are present: 'r1', 'r2', 'r3'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CohenKappa_BothRatersUseOneCategory_ReturnsNaN()
    {
        var table = TestTables.FromPairs([1, 1, 1], [1, 1, 1]);

        Assert.True(double.IsNaN(AgreementMetrics.CohenKappa(table, KappaWeights.Quadratic)));
    }

    [Fact]
    public void CohenKappa_Spans_DifferentLengths_Throws()
    {
        Assert.Throws<ArgumentException>(() => AgreementMetrics.CohenKappa([1.0, 2.0], [1.0]));
    }
}
