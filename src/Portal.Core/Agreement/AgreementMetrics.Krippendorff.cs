namespace Portal.Core.Agreement;

/// <summary>
/// Inter-rater agreement coefficients over a <see cref="RatingTable"/>, each in time linear in the number of ratings.
/// </summary>
/// <remarks>
/// A unit enters a coefficient only when it has two or more ratings (for Cohen's kappa: a rating from each rater);
/// a coefficient over no such unit is NaN. Values are compared exactly: 2 and 2.0 are the same category, 2 and 2.0001 are not.
/// </remarks>
public static partial class AgreementMetrics
{
    /// <summary>Krippendorff's alpha for any number of raters with missing ratings.</summary>
    /// <remarks>
    /// <para>
    /// Follows Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": units with fewer than two ratings drop out,
    /// each unit with m ratings adds 1/(m - 1) to the coincidence matrix for each ordered pair of its ratings, and the
    /// n pairable values give the marginals n_c. The difference functions are nominal: [c != k]; ordinal: the number of
    /// pairable values from c to k minus half of n_c and n_k, squared; interval: (c - k)²; ratio: ((c - k) / (c + k))².
    /// </para>
    /// <para>
    /// The sums over the coincidence matrix are taken per unit without building it: nominal in O(n + V),
    /// ordinal and interval in O(n + V log V) (ordinal is interval on the values' mid-ranks among the marginals),
    /// ratio in O(n + Σ_u d_u² + V²), where V is the number of distinct values and d_u the number in unit u:
    /// linear for rating scales, quadratic in V for ratio data with many distinct values.
    /// </para>
    /// </remarks>
    /// <returns>
    /// Alpha, at most 1. NaN when no unit has two ratings, and when expected disagreement is 0
    /// (every pairable value is the same).
    /// </returns>
    /// <exception cref="ArgumentException">The level is ratio and a value is negative.</exception>
    public static double KrippendorffAlpha(RatingTable table, MeasurementLevel level)
    {
        ArgumentNullException.ThrowIfNull(table);
        return level switch
        {
            MeasurementLevel.Nominal => NominalAlpha(table),
            MeasurementLevel.Ordinal => OrdinalAlpha(table),
            MeasurementLevel.Interval => IntervalAlpha(table.UnitStarts, table.Values),
            MeasurementLevel.Ratio => RatioAlpha(table),
            _ => throw new ArgumentOutOfRangeException(nameof(level), level, "Unknown measurement level."),
        };
    }

    // α = 1 - (n - 1) Σ_ck o_ck δ²_ck / Σ_ck n_c n_k δ²_ck
    private static double Alpha(double n, double observed, double expected) =>
        n < 2 || expected == 0 ? double.NaN : 1 - ((n - 1) * observed / expected);

    private static double NominalAlpha(RatingTable table)
    {
        var coding = ValueCoding.Create(table.Values);
        var codes = coding.Codes;
        var starts = table.UnitStarts;
        var inUnit = new int[coding.Count];
        var marginals = new double[coding.Count];
        double n = 0, observed = 0;
        for (var u = 0; u < table.UnitCount; u++)
        {
            int start = starts[u], end = starts[u + 1], m = end - start;
            if (m < 2)
            {
                continue;
            }

            // Σ_c n_uc², grown one rating at a time: (k + 1)² - k² = 2k + 1.
            double sumOfSquares = 0;
            for (var p = start; p < end; p++)
            {
                sumOfSquares += (2 * inUnit[codes[p]]) + 1;
                inUnit[codes[p]]++;
                marginals[codes[p]]++;
            }

            for (var p = start; p < end; p++)
            {
                inUnit[codes[p]] = 0;
            }

            // The unit's pairs of different values, each weighted 1 / (m - 1).
            observed += (((double)m * m) - sumOfSquares) / (m - 1);
            n += m;
        }

        var expected = n * n;
        foreach (var marginal in marginals)
        {
            expected -= marginal * marginal;
        }

        return Alpha(n, observed, expected);
    }

    private static double OrdinalAlpha(RatingTable table)
    {
        var coding = ValueCoding.Create(table.Values);
        var codes = coding.Codes;
        var starts = table.UnitStarts;
        var marginals = new double[coding.Count];
        for (var u = 0; u < table.UnitCount; u++)
        {
            if (starts[u + 1] - starts[u] >= 2)
            {
                for (var p = starts[u]; p < starts[u + 1]; p++)
                {
                    marginals[codes[p]]++;
                }
            }
        }

        // δ_ck = Σ_{g=c..k} n_g - (n_c + n_k) / 2 = midRank_k - midRank_c, so ordinal alpha is interval alpha on mid-ranks.
        var midRank = new double[coding.Count];
        double below = 0;
        for (var c = 0; c < coding.Count; c++)
        {
            midRank[c] = below + (marginals[c] / 2);
            below += marginals[c];
        }

        var ranks = new double[codes.Length];
        for (var p = 0; p < codes.Length; p++)
        {
            ranks[p] = midRank[codes[p]];
        }

        return IntervalAlpha(starts, ranks);
    }

    private static double IntervalAlpha(ReadOnlySpan<int> starts, ReadOnlySpan<double> values)
    {
        // Σ over a unit's ordered pairs of (v_i - v_j)² = 2 m Σ (v_i - mean)², so the unit adds 2 m SS_u / (m - 1);
        // likewise Σ_ck n_c n_k (c - k)² = 2 n SS over all pairable values. Deviations from means keep this exact enough
        // for values far from zero.
        double n = 0, observed = 0, sum = 0;
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        for (var u = 0; u + 1 < starts.Length; u++)
        {
            var unit = values[starts[u]..starts[u + 1]];
            if (unit.Length < 2)
            {
                continue;
            }

            var (unitSum, unitMin, unitMax) = SumMinMax(unit);
            sum += unitSum;
            min = Math.Min(min, unitMin);
            max = Math.Max(max, unitMax);
            n += unit.Length;
            if (unitMin != unitMax)
            {
                observed += 2 * unit.Length * SumOfSquaredDeviations(unit, unitSum / unit.Length) / (unit.Length - 1);
            }
        }

        if (n == 0 || min == max)
        {
            return double.NaN;
        }

        var mean = sum / n;
        double totalSquares = 0;
        for (var u = 0; u + 1 < starts.Length; u++)
        {
            var unit = values[starts[u]..starts[u + 1]];
            if (unit.Length >= 2)
            {
                totalSquares += SumOfSquaredDeviations(unit, mean);
            }
        }

        return Alpha(n, observed, 2 * n * totalSquares);
    }

    private static double RatioAlpha(RatingTable table)
    {
        var coding = ValueCoding.Create(table.Values);
        if (coding.Count > 0 && coding.Distinct[0] < 0)
        {
            throw new ArgumentException(
                FormattableString.Invariant($"The ratio level needs non-negative values, but the ratings include {coding.Distinct[0]}."),
                nameof(table));
        }

        var codes = coding.Codes;
        var distinct = coding.Distinct;
        var starts = table.UnitStarts;
        var inUnit = new int[coding.Count];
        var present = new List<int>();
        var marginals = new double[coding.Count];
        double n = 0, observed = 0;
        for (var u = 0; u < table.UnitCount; u++)
        {
            int start = starts[u], end = starts[u + 1], m = end - start;
            if (m < 2)
            {
                continue;
            }

            present.Clear();
            for (var p = start; p < end; p++)
            {
                if (inUnit[codes[p]]++ == 0)
                {
                    present.Add(codes[p]);
                }

                marginals[codes[p]]++;
            }

            double unitDisagreement = 0;
            for (var a = 0; a < present.Count; a++)
            {
                for (var b = a + 1; b < present.Count; b++)
                {
                    unitDisagreement += 2.0 * inUnit[present[a]] * inUnit[present[b]]
                        * RatioDifference(distinct[present[a]], distinct[present[b]]);
                }
            }

            foreach (var code in present)
            {
                inUnit[code] = 0;
            }

            observed += unitDisagreement / (m - 1);
            n += m;
        }

        double expected = 0;
        for (var c = 0; c < distinct.Length; c++)
        {
            if (marginals[c] == 0)
            {
                continue;
            }

            for (var k = c + 1; k < distinct.Length; k++)
            {
                expected += 2.0 * marginals[c] * marginals[k] * RatioDifference(distinct[c], distinct[k]);
            }
        }

        return Alpha(n, observed, expected);
    }

    // δ²_ratio(c, k) = ((c - k) / (c + k))², and 0 for two zeros.
    private static double RatioDifference(double c, double k)
    {
        var sum = c + k;
        return sum == 0 ? 0 : (c - k) * (c - k) / (sum * sum);
    }

    private static (double Sum, double Min, double Max) SumMinMax(ReadOnlySpan<double> values)
    {
        double sum = 0, min = values[0], max = values[0];
        foreach (var value in values)
        {
            sum += value;
            min = Math.Min(min, value);
            max = Math.Max(max, value);
        }

        return (sum, min, max);
    }

    private static double SumOfSquaredDeviations(ReadOnlySpan<double> values, double mean)
    {
        double squares = 0;
        foreach (var value in values)
        {
            squares += (value - mean) * (value - mean);
        }

        return squares;
    }
}
