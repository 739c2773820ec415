using Portal.Core.Agreement;

namespace Portal.Core.Tests.Agreement;

public class GwetAc1Tests
{
    [Fact]
    public void GwetAc1_TwoRaters_MatchesTwoRaterFormula()
    {
        // Gwet (2008), two raters: AC1 = (p_a - p_e) / (1 - p_e) with p_e = 2 π (1 - π), π the mean share of "yes".
        // Wikipedia's Cohen example (20/5/10/15): p_a = 0.7, π = (25/50 + 30/50) / 2 = 0.55, p_e = 0.495,
        // AC1 = 0.205 / 0.505.
        var table = TestTables.FromContingency([[20, 5], [10, 15]], categories: [1, 0]);

        Assert.Equal(0.205 / 0.505, AgreementMetrics.GwetAc1(table), 1e-12);
    }

    [Fact]
    public void GwetAc1_RandomData_MatchesReference()
    {
        for (var seed = 1; seed <= 20; seed++)
        {
            var table = TestTables.Random(seed, units: 30, raters: 2 + (seed % 5), [1, 2, 3, 4]);

            Assert.Equal(ReferenceAgreement.GwetAc1(table), AgreementMetrics.GwetAc1(table), 1e-9);
        }
    }

    [Fact]
    public void GwetAc1_UnusedCategoryListed_ChangesChanceAgreement()
    {
        var table = TestTables.Random(3, units: 30, raters: 3, [1, 2, 3]);
        double[] categories = [1, 2, 3, 4];

        var ac1 = AgreementMetrics.GwetAc1(table, categories);

        Assert.Equal(ReferenceAgreement.GwetAc1(table, categories), ac1, 1e-9);
        Assert.NotEqual(AgreementMetrics.GwetAc1(table), ac1, 1e-6);
    }

    [Fact]
    public void GwetAc1_OneCategory_ReturnsNaN()
    {
        var table = TestTables.FromRaterRows([[1, 1], [1, 1]]);

        Assert.True(double.IsNaN(AgreementMetrics.GwetAc1(table)));
    }
}
