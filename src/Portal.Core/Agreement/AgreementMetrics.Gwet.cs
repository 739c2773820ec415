namespace Portal.Core.Agreement;

public static partial class AgreementMetrics
{
    /// <summary>Gwet's AC1 for any number of raters with missing ratings.</summary>
    /// <remarks>
    /// Gwet (2008), as irrCAC's <c>gwet.ac1.raw</c> computes it: observed agreement p_a is <see cref="PercentAgreement"/>
    /// over units with two or more ratings; the category shares π_k average each rated unit's share n_uk / m_u over all
    /// units with a rating, including units with one; p_e = Σ_k π_k (1 - π_k) / (q - 1). The q categories are the distinct
    /// values, or <paramref name="categories"/> when given (unused categories change q and so p_e). O(n + q).
    /// </remarks>
    /// <returns>AC1, at most 1. NaN when no unit has two ratings, and when there are fewer than two categories.</returns>
    /// <exception cref="ArgumentException">A value is not among <paramref name="categories"/>.</exception>
    public static double GwetAc1(RatingTable table, ReadOnlySpan<double> categories = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        var coding = ValueCoding.Create(table.Values, categories, nameof(categories));
        var q = coding.Count;
        var (observed, pairableUnits) = PairwiseAgreement(table, coding.Codes, q);
        if (pairableUnits == 0 || q < 2)
        {
            return double.NaN;
        }

        var codes = coding.Codes;
        var starts = table.UnitStarts;
        var shares = new double[q];
        var ratedUnits = 0;
        for (var u = 0; u < table.UnitCount; u++)
        {
            int start = starts[u], end = starts[u + 1];
            if (start == end)
            {
                continue;
            }

            for (var p = start; p < end; p++)
            {
                shares[codes[p]] += 1.0 / (end - start);
            }

            ratedUnits++;
        }

        double chance = 0;
        foreach (var share in shares)
        {
            var pi = share / ratedUnits;
            chance += pi * (1 - pi);
        }

        chance /= q - 1;

        // AC1 = (p_a - p_e) / (1 - p_e)
        return (observed - chance) / (1 - chance);
    }
}
