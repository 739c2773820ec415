namespace Portal.Core.Agreement;

public static partial class AgreementMetrics
{
    /// <summary>Fleiss' kappa for units that each have the same number of ratings, from any raters.</summary>
    /// <remarks>
    /// Fleiss (1971). Raters need not be the same across units; categories are the distinct values. Unit indices without
    /// ratings are skipped. O(n + q) for q categories.
    /// </remarks>
    /// <returns>
    /// Kappa, at most 1. NaN when no unit has two ratings, and when chance agreement is 1 (every rating is in the same category).
    /// </returns>
    /// <exception cref="ArgumentException">Units differ in their number of ratings; the message names the first unit that differs.</exception>
    public static double FleissKappa(RatingTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var starts = table.UnitStarts;
        int m = 0, firstUnit = -1;
        for (var u = 0; u < table.UnitCount; u++)
        {
            var count = starts[u + 1] - starts[u];
            if (count == 0)
            {
                continue;
            }

            if (firstUnit < 0)
            {
                (m, firstUnit) = (count, u);
            }
            else if (count != m)
            {
                throw new ArgumentException(
                    $"Fleiss' kappa needs the same number of ratings for every unit, but unit '{table.UnitId(u)}' has {count} "
                    + $"and unit '{table.UnitId(firstUnit)}' has {m}.",
                    nameof(table));
            }
        }

        if (m < 2)
        {
            return double.NaN;
        }

        var coding = ValueCoding.Create(table.Values);
        var codes = coding.Codes;
        var inUnit = new int[coding.Count];
        var totals = new double[coding.Count];
        double agreement = 0, units = 0;
        for (var u = 0; u < table.UnitCount; u++)
        {
            int start = starts[u], end = starts[u + 1];
            if (start == end)
            {
                continue;
            }

            // P_i = Σ_j n_ij (n_ij - 1) / (m (m - 1)), the numerator grown one rating at a time.
            double agreeingPairs = 0;
            for (var p = start; p < end; p++)
            {
                agreeingPairs += 2 * inUnit[codes[p]];
                inUnit[codes[p]]++;
                totals[codes[p]]++;
            }

            for (var p = start; p < end; p++)
            {
                inUnit[codes[p]] = 0;
            }

            agreement += agreeingPairs / ((double)m * (m - 1));
            units++;
        }

        if (coding.Count == 1)
        {
            return double.NaN;
        }

        double chance = 0;
        foreach (var total in totals)
        {
            var share = total / (units * m);
            chance += share * share;
        }

        // κ = (P̄ - P̄_e) / (1 - P̄_e), P̄_e = Σ_j p_j²
        return ((agreement / units) - chance) / (1 - chance);
    }
}
