using System.Text.Json;
using Portal.Core.Agreement;

namespace Portal.Core.Tests.Agreement;

public class AgreementRunnerTests
{
    private static readonly RatingTable ThreeRaters = TestTables.FromRaterRows(
    [
        [1, 2, 3, 3, null],
        [1, 2, 3, 4, 2],
        [1, 3, 3, null, null],
    ]);

    [Fact]
    public void Compute_Krippendorff_DefaultsToNominalAndCountsPairableData()
    {
        var result = AgreementRunner.Compute(ThreeRaters, new AgreementRequest(AgreementMetric.Krippendorff));

        Assert.Equal("krippendorff", result.Metric);
        Assert.Equal(AgreementMetrics.KrippendorffAlpha(ThreeRaters, MeasurementLevel.Nominal), result.Value);
        Assert.Equal("nominal", result.Level);
        Assert.Null(result.Weights);
        Assert.Equal(4, result.Units);
        Assert.Equal(3, result.Raters);
        Assert.Equal(11, result.Ratings);
        Assert.Null(result.Reason);
    }

    [Fact]
    public void Compute_ParsedRequest_PassesOptionsThrough()
    {
        var table = TestTables.FromPairs([1, 2, 3, 3], [1, 3, 3, 2]);

        var result = AgreementRunner.Compute(table, AgreementRequest.Parse("Cohen", weights: "quadratic", categories: "1, 2, 3, 4"));

        Assert.Equal(AgreementMetrics.CohenKappa(table, KappaWeights.Quadratic, [1, 2, 3, 4]), result.Value);
        Assert.Equal("quadratic", result.Weights);
        Assert.Null(result.Level);
        Assert.Equal((4, 2, 8), (result.Units, result.Raters, result.Ratings));
    }

    [Fact]
    public void Compute_CohenWithThreeRaters_Throws()
    {
        var ex = Assert.Throws<AgreementInputException>(() =>
            AgreementRunner.Compute(ThreeRaters, new AgreementRequest(AgreementMetric.Cohen)));

        Assert.Equal("cohen requires exactly two raters but 3 are present.", ex.Message);
    }

    [Fact]
    public void Compute_NoPairableUnit_Throws()
    {
        var table = TestTables.FromRaterRows([[1, null], [null, 2]]);

        var ex = Assert.Throws<AgreementInputException>(() =>
            AgreementRunner.Compute(table, new AgreementRequest(AgreementMetric.Cohen)));

        Assert.Equal("no pairable unit: no unit is rated by both raters.", ex.Message);
    }

    [Fact]
    public void Compute_FleissWithUnevenUnits_ThrowsNamingTheUnit()
    {
        var ex = Assert.Throws<AgreementInputException>(() =>
            AgreementRunner.Compute(ThreeRaters, new AgreementRequest(AgreementMetric.Fleiss)));

        Assert.Equal("Fleiss' kappa needs the same number of ratings for every unit, but unit 'u4' has 2 and unit 'u1' has 3.", ex.Message);
    }

    [Fact]
    public void Compute_OptionForAnotherMetric_Throws()
    {
        Assert.Throws<AgreementInputException>(() => AgreementRunner.Compute(ThreeRaters, AgreementRequest.Parse("fleiss", level: "ordinal")));
        Assert.Throws<AgreementInputException>(() => AgreementRunner.Compute(ThreeRaters, AgreementRequest.Parse("percent", weights: "linear")));
        Assert.Throws<AgreementInputException>(() => AgreementRunner.Compute(ThreeRaters, AgreementRequest.Parse("krippendorff", categories: "1,2")));
    }

    [Fact]
    public void Compute_ValueOutsideCategories_Throws()
    {
        var ex = Assert.Throws<AgreementInputException>(() =>
            AgreementRunner.Compute(ThreeRaters, AgreementRequest.Parse("gwet", categories: "1,2,3")));

        Assert.Equal("Value 4 is not among the categories 1, 2, 3.", ex.Message);
    }

    [Theory]
    [InlineData("alpha", null, null, "Unknown metric 'alpha'; expected one of krippendorff, fleiss, cohen, percent, gwet.")]
    [InlineData("krippendorff", "nominal-ish", null, "Unknown level 'nominal-ish'; expected one of nominal, ordinal, interval, ratio.")]
    [InlineData("cohen", null, "cubic", "Unknown weights 'cubic'; expected one of none, linear, quadratic.")]
    public void Parse_UnknownName_ListsTheKnownOnes(string metric, string? level, string? weights, string message)
    {
        var ex = Assert.Throws<AgreementInputException>(() => AgreementRequest.Parse(metric, level, weights));

        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public void Parse_BadCategory_Throws()
    {
        var ex = Assert.Throws<AgreementInputException>(() => AgreementRequest.Parse("cohen", categories: "1,two"));

        Assert.Contains("Category 'two'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compute_Undefined_GivesNullValueAndReasonInJson()
    {
        var table = TestTables.FromRaterRows([[2, 2], [2, 2]]);

        var result = AgreementRunner.Compute(table, AgreementRequest.Parse("krippendorff", level: "interval"));
        var json = JsonSerializer.Serialize(result);

        Assert.Null(result.Value);
        Assert.Equal(
            """{"metric":"krippendorff","value":null,"units":2,"raters":2,"ratings":4,"level":"interval","weights":null,"reason":"expected disagreement is 0: every pairable rating has the same value, so alpha is undefined."}""",
            json);
    }

    [Theory]
    [InlineData("krippendorff")]
    [InlineData("fleiss")]
    [InlineData("cohen")]
    [InlineData("percent")]
    [InlineData("gwet")]
    public void Compute_EachMetric_MatchesTheMetricFunction(string metric)
    {
        var table = TestTables.Random(5, units: 40, raters: 2, [1, 2, 3], missing: 0);
        var request = AgreementRequest.Parse(metric);

        double expected = request.Metric switch
        {
            AgreementMetric.Krippendorff => AgreementMetrics.KrippendorffAlpha(table, MeasurementLevel.Nominal),
            AgreementMetric.Fleiss => AgreementMetrics.FleissKappa(table),
            AgreementMetric.Cohen => AgreementMetrics.CohenKappa(table),
            AgreementMetric.Percent => AgreementMetrics.PercentAgreement(table),
            _ => AgreementMetrics.GwetAc1(table),
        };

        Assert.Equal(expected, AgreementRunner.Compute(table, request).Value);
    }
}
