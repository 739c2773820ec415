using Portal.Core.Aggregation;
using Portal.Core.Agreement;

namespace Portal.Core.Tests.Agreement;

public class PreferenceAgreementTests
{
    private static readonly double?[][] Choices =
    [
        [0, 1, 2, 0, 3],
        [0, 1, 0, 0, 3],
        [0, 0, 2, null, 3],
    ];

    [Fact]
    public void ChoiceAgreement_Choices_IsPercentAgreementOverCodes()
    {
        var table = TestTables.FromRaterRows(Choices);

        Assert.Equal(AgreementMetrics.PercentAgreement(table), PreferenceAgreement.ChoiceAgreement(table));
        Assert.Equal(AgreementMetrics.KrippendorffAlpha(table, MeasurementLevel.Nominal), PreferenceAgreement.ChoiceAlpha(table));
    }

    [Fact]
    public void ChoiceAgreement_ValueNotAChoice_Throws()
    {
        var table = TestTables.FromRaterRows([[0, 4], [0, 1]]);

        var ex = Assert.Throws<ArgumentException>(() => PreferenceAgreement.ChoiceAgreement(table));
        Assert.Contains("Value 4 is not a choice code", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StrengthAlpha_SignedStrengths_IsOrdinalAlpha()
    {
        var table = TestTables.FromRaterRows([[-3, -1, 0, 2, 3], [-2, -1, 1, 2, 3], [-3, null, 0, 3, 2]]);

        Assert.Equal(AgreementMetrics.KrippendorffAlpha(table, MeasurementLevel.Ordinal), PreferenceAgreement.StrengthAlpha(table));
    }

    [Fact]
    public void StrengthAlpha_ValueOffScale_Throws()
    {
        var table = TestTables.FromRaterRows([[-4, 1], [0, 1]]);

        Assert.Throws<ArgumentException>(() => PreferenceAgreement.StrengthAlpha(table));
    }

    [Theory]
    [InlineData(PreferenceChoice.A, 3, -3)]
    [InlineData(PreferenceChoice.B, 1, 1)]
    [InlineData(PreferenceChoice.Tie, 2, 0)]
    public void SignedStrength_ChoiceAndStrength_MapsToSignedScale(PreferenceChoice choice, int strength, int expected)
    {
        Assert.Equal(expected, PreferenceAgreement.SignedStrength(choice, strength));
    }

    [Fact]
    public void SignedStrength_BothBad_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PreferenceAgreement.SignedStrength(PreferenceChoice.BothBad, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => PreferenceAgreement.SignedStrength(PreferenceChoice.A, 4));
    }
}
