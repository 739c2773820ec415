using Portal.Core.Agreement;

namespace Portal.Core.Tests.Agreement;

public class PercentAgreementTests
{
    [Fact]
    public void PercentAgreement_SmallTable_AveragesPairwiseAgreementPerUnit()
    {
        // u1: 3 of 3 pairs agree; u2: 1 of 3 pairs (the two 2s); u3: one rating, drops out.
        var table = TestTables.FromRaterRows([[1, 2, 5], [1, 2, null], [1, 3, null]]);

        Assert.Equal((1 + (1.0 / 3)) / 2, AgreementMetrics.PercentAgreement(table), 1e-12);
    }

    [Fact]
    public void PercentAgreement_RandomData_MatchesReference()
    {
        for (var seed = 1; seed <= 20; seed++)
        {
            var table = TestTables.Random(seed, units: 30, raters: 2 + (seed % 5), [1, 2, 3]);

            Assert.Equal(ReferenceAgreement.PercentAgreement(table), AgreementMetrics.PercentAgreement(table), 1e-9);
        }
    }

    [Fact]
    public void PercentAgreement_NoUnitWithTwoRatings_ReturnsNaN()
    {
        var table = TestTables.FromRaterRows([[1, null], [null, 1]]);

        Assert.True(double.IsNaN(AgreementMetrics.PercentAgreement(table)));
    }
}
