using Portal.Core.Aggregation;
using Portal.Core.Agreement;
using Portal.Core.Common;

namespace Portal.Core.AiLabels;

/// <summary>
/// How far two labelers of the same items agree on A / B / tie: counts, percent agreement, Cohen's kappa and the confusion
/// table (rows: the first labeler's choice, columns: the second's, in the order A, B, tie).
/// </summary>
/// <param name="PercentAgreement">Agreements / units; null when there are no units.</param>
/// <param name="Kappa">Unweighted Cohen's kappa over the three categories; null when there are no units or expected agreement is 1 (both always gave the same single choice).</param>
public sealed record ChoiceComparison(int Units, int Agreements, double? PercentAgreement, double? Kappa, IReadOnlyList<IReadOnlyList<int>> Confusion)
{
    /// <summary>The categories compared, in the confusion table's order.</summary>
    public static IReadOnlyList<PreferenceChoice> Categories { get; } = [PreferenceChoice.A, PreferenceChoice.B, PreferenceChoice.Tie];

    /// <summary>Compares <paramref name="first"/>[i] with <paramref name="second"/>[i] over every i.</summary>
    /// <exception cref="ArgumentException">The spans differ in length, or a choice is not A, B or tie (both bad has no AI counterpart: leave such items out).</exception>
    public static ChoiceComparison Of(ReadOnlySpan<PreferenceChoice> first, ReadOnlySpan<PreferenceChoice> second)
    {
        Guard.SameLength(first.Length, second.Length, nameof(first), nameof(second));
        var confusion = new int[3][];
        for (var r = 0; r < 3; r++)
        {
            confusion[r] = new int[3];
        }

        var a = new double[first.Length];
        var b = new double[second.Length];
        var agreements = 0;
        for (var i = 0; i < first.Length; i++)
        {
            var (x, y) = (Code(first[i], nameof(first)), Code(second[i], nameof(second)));
            confusion[x][y]++;
            agreements += x == y ? 1 : 0;
            (a[i], b[i]) = (x, y);
        }

        if (first.Length == 0)
        {
            return new ChoiceComparison(0, 0, null, null, confusion);
        }

        // κ = (p_o − p_e) / (1 − p_e), over the categories A, B, tie whether used or not.
        var kappa = AgreementMetrics.CohenKappa(a, b, KappaWeights.None, [0, 1, 2]);
        return new ChoiceComparison(first.Length, agreements, (double)agreements / first.Length, double.IsFinite(kappa) ? kappa : null, confusion);
    }

    private static int Code(PreferenceChoice choice, string param) => choice switch
    {
        PreferenceChoice.A => 0,
        PreferenceChoice.B => 1,
        PreferenceChoice.Tie => 2,
        _ => throw new ArgumentException($"{choice} is not compared; only A, B and tie are.", param),
    };
}
