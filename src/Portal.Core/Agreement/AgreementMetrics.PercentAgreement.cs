namespace Portal.Core.Agreement;

public static partial class AgreementMetrics
{
    /// <summary>
    /// The share of agreeing pairs of ratings within a unit, averaged over the units with two or more ratings.
    /// Not corrected for chance. O(n + q) for q distinct values.
    /// </summary>
    /// <returns>A share from 0 to 1. NaN when no unit has two ratings.</returns>
    public static double PercentAgreement(RatingTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var coding = ValueCoding.Create(table.Values);
        var (agreement, _) = PairwiseAgreement(table, coding.Codes, coding.Count);
        return agreement;
    }

    /// <summary>
    /// p_a = mean over units with m_u ≥ 2 of Σ_c n_uc (n_uc - 1) / (m_u (m_u - 1)), and how many units that is.
    /// </summary>
    private static (double Agreement, int Units) PairwiseAgreement(RatingTable table, int[] codes, int categoryCount)
    {
        var starts = table.UnitStarts;
        var inUnit = new int[categoryCount];
        double sum = 0;
        var units = 0;
        for (var u = 0; u < table.UnitCount; u++)
        {
            int start = starts[u], end = starts[u + 1], m = end - start;
            if (m < 2)
            {
                continue;
            }

            double agreeingPairs = 0;
            for (var p = start; p < end; p++)
            {
                agreeingPairs += 2 * inUnit[codes[p]];
                inUnit[codes[p]]++;
            }

            for (var p = start; p < end; p++)
            {
                inUnit[codes[p]] = 0;
            }

            sum += agreeingPairs / ((double)m * (m - 1));
            units++;
        }

        return (units == 0 ? double.NaN : sum / units, units);
    }
}
