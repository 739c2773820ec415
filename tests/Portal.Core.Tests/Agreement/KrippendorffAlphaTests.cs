using Portal.Core.Agreement;

namespace Portal.Core.Tests.Agreement;

public class KrippendorffAlphaTests
{
    // Published values are given to three decimals, so they are matched to half a unit in the third.
    private const double PublishedTolerance = 0.0005;
    private const double ReferenceTolerance = 1e-9;

    /// <summary>
    /// Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: four coders, twelve units,
    /// missing values; unit 12 has a single value and drops out.
    /// </summary>
    private static readonly double?[][] WorkedExample =
    [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, null, null, null],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, null, 3],
        [null, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, null],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, null],
    ];

    [Theory]
    [InlineData(MeasurementLevel.Nominal, 0.743)]
    [InlineData(MeasurementLevel.Ordinal, 0.815)]
    [InlineData(MeasurementLevel.Interval, 0.849)]
    [InlineData(MeasurementLevel.Ratio, 0.797)]
    public void KrippendorffAlpha_WorkedExample_MatchesPublishedValue(MeasurementLevel level, double published)
    {
        var table = TestTables.FromRaterRows(WorkedExample);

        var alpha = AgreementMetrics.KrippendorffAlpha(table, level);

        Assert.Equal(published, alpha, PublishedTolerance);
    }

    [Theory]
    [InlineData(MeasurementLevel.Nominal)]
    [InlineData(MeasurementLevel.Ordinal)]
    [InlineData(MeasurementLevel.Interval)]
    [InlineData(MeasurementLevel.Ratio)]
    public void KrippendorffAlpha_RandomData_MatchesReference(MeasurementLevel level)
    {
        double[] scale = [1, 2, 3, 4, 5, 7, 10];
        for (var seed = 1; seed <= 20; seed++)
        {
            var table = TestTables.Random(seed, units: 30 + seed, raters: 2 + (seed % 5), scale);

            var alpha = AgreementMetrics.KrippendorffAlpha(table, level);

            Assert.Equal(ReferenceAgreement.KrippendorffAlpha(table, level), alpha, ReferenceTolerance);
        }
    }

    [Theory]
    [InlineData(MeasurementLevel.Ordinal)]
    [InlineData(MeasurementLevel.Interval)]
    [InlineData(MeasurementLevel.Ratio)]
    public void KrippendorffAlpha_FractionalValuesFarFromZero_MatchesReference(MeasurementLevel level)
    {
        double[] scale = [1000.25, 1000.5, 1001, 1003.125, 1010];
        var table = TestTables.Random(seed: 7, units: 40, raters: 4, scale);

        var alpha = AgreementMetrics.KrippendorffAlpha(table, level);

        Assert.Equal(ReferenceAgreement.KrippendorffAlpha(table, level), alpha, ReferenceTolerance);
    }

    [Theory]
    [InlineData(MeasurementLevel.Nominal)]
    [InlineData(MeasurementLevel.Ordinal)]
    [InlineData(MeasurementLevel.Interval)]
    [InlineData(MeasurementLevel.Ratio)]
    public void KrippendorffAlpha_AllRatersAgree_ReturnsOne(MeasurementLevel level)
    {
        var table = TestTables.FromRaterRows([[0.1, 2, 3, null], [0.1, 2, 3, 3], [0.1, null, 3, 3]]);

        Assert.Equal(1.0, AgreementMetrics.KrippendorffAlpha(table, level));
    }

    [Theory]
    [InlineData(MeasurementLevel.Nominal)]
    [InlineData(MeasurementLevel.Interval)]
    [InlineData(MeasurementLevel.Ratio)]
    public void KrippendorffAlpha_OneValueThroughout_ReturnsNaN(MeasurementLevel level)
    {
        var table = TestTables.FromRaterRows([[0.1, 0.1, 0.1], [0.1, 0.1, 0.1]]);

        Assert.True(double.IsNaN(AgreementMetrics.KrippendorffAlpha(table, level)));
    }

    [Fact]
    public void KrippendorffAlpha_NoUnitWithTwoRatings_ReturnsNaN()
    {
        var table = TestTables.FromRaterRows([[1, null], [null, 2]]);

        Assert.True(double.IsNaN(AgreementMetrics.KrippendorffAlpha(table, MeasurementLevel.Nominal)));
    }

    [Fact]
    public void KrippendorffAlpha_SystematicDisagreement_IsNegative()
    {
        var table = TestTables.FromRaterRows([[1, 2, 1, 2], [2, 1, 2, 1]]);

        Assert.True(AgreementMetrics.KrippendorffAlpha(table, MeasurementLevel.Nominal) < 0);
    }

    [Fact]
    public void KrippendorffAlpha_RatioWithNegativeValue_Throws()
    {
        var table = TestTables.FromRaterRows([[-1, 2], [1, 2]]);

        var ex = Assert.Throws<ArgumentException>(() => AgreementMetrics.KrippendorffAlpha(table, MeasurementLevel.Ratio));
        Assert.Contains("non-negative", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KrippendorffAlpha_ManyDistinctIntervalValues_MatchesReference()
    {
        var random = new Random(11);
        var builder = new RatingTableBuilder();
        for (var unit = 0; unit < 60; unit++)
        {
            var truth = random.NextDouble() * 100;
            for (var rater = 0; rater < 3; rater++)
            {
                builder.Add($"u{unit}", $"r{rater}", truth + (random.NextDouble() * 10));
            }
        }

        var table = builder.Build();

        Assert.Equal(
            ReferenceAgreement.KrippendorffAlpha(table, MeasurementLevel.Interval),
            AgreementMetrics.KrippendorffAlpha(table, MeasurementLevel.Interval),
            ReferenceTolerance);
    }
}
