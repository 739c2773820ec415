using Portal.Core.Aggregation;

namespace Portal.Core.Agreement;

/// <summary>Agreement on pairwise preference annotations: on the choice, and on the signed strength of the preference.</summary>
/// <remarks>
/// Choices are the <see cref="PreferenceChoice"/> codes 0..3 as values. The signed strength scale runs from -3
/// (A much better) through 0 (tie) to +3 (B much better); <see cref="SignedStrength"/> converts a choice and strength.
/// </remarks>
public static class PreferenceAgreement
{
    /// <summary>The maximum strength of a preference on either side.</summary>
    public const int MaxStrength = 3;

    /// <summary>
    /// How often annotators of the same comparison give the same choice (A, B, tie, both bad): <see cref="AgreementMetrics.PercentAgreement"/>
    /// over the choices. Not corrected for chance; see <see cref="ChoiceAlpha"/>.
    /// </summary>
    /// <returns>A share from 0 to 1. NaN when no comparison has two annotations.</returns>
    /// <exception cref="ArgumentException">A value is not a <see cref="PreferenceChoice"/> code.</exception>
    public static double ChoiceAgreement(RatingTable choices)
    {
        RequireChoices(choices);
        return AgreementMetrics.PercentAgreement(choices);
    }

    /// <summary>Chance-corrected agreement on the choice: nominal Krippendorff's alpha over the choice codes.</summary>
    /// <returns>Alpha, at most 1. NaN when no comparison has two annotations or every annotation gives the same choice.</returns>
    /// <exception cref="ArgumentException">A value is not a <see cref="PreferenceChoice"/> code.</exception>
    public static double ChoiceAlpha(RatingTable choices)
    {
        RequireChoices(choices);
        return AgreementMetrics.KrippendorffAlpha(choices, MeasurementLevel.Nominal);
    }

    /// <summary>Agreement on direction and strength together: ordinal Krippendorff's alpha on the signed scale -3..+3.</summary>
    /// <returns>Alpha, at most 1. NaN when no comparison has two annotations or every annotation has the same signed strength.</returns>
    /// <exception cref="ArgumentException">A value is not a whole number from -3 to +3.</exception>
    public static double StrengthAlpha(RatingTable signedStrengths)
    {
        ArgumentNullException.ThrowIfNull(signedStrengths);
        foreach (var value in signedStrengths.Values)
        {
            if (value != Math.Floor(value) || Math.Abs(value) > MaxStrength)
            {
                throw new ArgumentException(
                    FormattableString.Invariant($"Signed strength {value} is not a whole number from -{MaxStrength} to +{MaxStrength}."),
                    nameof(signedStrengths));
            }
        }

        return AgreementMetrics.KrippendorffAlpha(signedStrengths, MeasurementLevel.Ordinal);
    }

    /// <summary>
    /// A choice and its strength as one value on the signed scale: A at strength s is -s, B is +s, a tie is 0.
    /// </summary>
    /// <param name="choice">A, B or tie; "both bad" has no place on the scale.</param>
    /// <param name="strength">1 to 3 for A and B; ignored for a tie.</param>
    /// <exception cref="ArgumentOutOfRangeException">The choice is "both bad", or the strength of A or B is outside 1..3.</exception>
    public static int SignedStrength(PreferenceChoice choice, int strength)
    {
        if (choice == PreferenceChoice.Tie)
        {
            return 0;
        }

        if (choice is not (PreferenceChoice.A or PreferenceChoice.B))
        {
            throw new ArgumentOutOfRangeException(nameof(choice), choice, "Only A, B and tie lie on the signed strength scale.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(strength, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(strength, MaxStrength);
        return choice == PreferenceChoice.A ? -strength : strength;
    }

    private static void RequireChoices(RatingTable choices)
    {
        ArgumentNullException.ThrowIfNull(choices);
        foreach (var value in choices.Values)
        {
            if (value is not (0 or 1 or 2 or 3))
            {
                throw new ArgumentException(
                    FormattableString.Invariant($"Value {value} is not a choice code (0 = A, 1 = B, 2 = tie, 3 = both bad)."),
                    nameof(choices));
            }
        }
    }
}
