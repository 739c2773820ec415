using Portal.Core.Agreement;

namespace Portal.Core.Tests.Agreement;

/// <summary>
/// The coefficients written straight from their textbook definitions, pair by pair and matrix by matrix, with no
/// attention to speed: the fast implementations are checked against these.
/// </summary>
internal static class ReferenceAgreement
{
    public static double KrippendorffAlpha(RatingTable table, MeasurementLevel level)
    {
        // Krippendorff (2011), section C: the coincidence matrix over the values of units with two or more ratings.
        var units = ValuesByUnit(table).Where(unit => unit.Count >= 2).ToList();
        var values = units.SelectMany(unit => unit).Distinct().Order().ToList();
        var v = values.Count;
        var o = new double[v, v];
        foreach (var unit in units)
        {
            for (var i = 0; i < unit.Count; i++)
            {
                for (var j = 0; j < unit.Count; j++)
                {
                    if (i != j)
                    {
                        o[values.IndexOf(unit[i]), values.IndexOf(unit[j])] += 1.0 / (unit.Count - 1);
                    }
                }
            }
        }

        var marginal = new double[v];
        for (var c = 0; c < v; c++)
        {
            for (var k = 0; k < v; k++)
            {
                marginal[c] += o[c, k];
            }
        }

        var n = marginal.Sum();
        double observed = 0, expected = 0;
        for (var c = 0; c < v; c++)
        {
            for (var k = 0; k < v; k++)
            {
                var delta = Difference(level, values, marginal, c, k);
                observed += o[c, k] * delta;
                expected += marginal[c] * marginal[k] * delta;
            }
        }

        // α = 1 - D_o / D_e with D_o = Σ o δ² / n and D_e = Σ n_c n_k δ² / (n (n - 1)).
        return 1 - ((observed / n) / (expected / (n * (n - 1))));
    }

    private static double Difference(MeasurementLevel level, List<double> values, double[] marginal, int c, int k)
    {
        switch (level)
        {
            case MeasurementLevel.Nominal:
                return c == k ? 0 : 1;
            case MeasurementLevel.Ordinal:
                var (low, high) = (Math.Min(c, k), Math.Max(c, k));
                double between = 0;
                for (var g = low; g <= high; g++)
                {
                    between += marginal[g];
                }

                var d = between - ((marginal[c] + marginal[k]) / 2);
                return d * d;
            case MeasurementLevel.Interval:
                return (values[c] - values[k]) * (values[c] - values[k]);
            case MeasurementLevel.Ratio:
                var r = (values[c] - values[k]) / (values[c] + values[k]);
                return values[c] + values[k] == 0 ? 0 : r * r;
            default:
                throw new ArgumentOutOfRangeException(nameof(level));
        }
    }

    /// <summary>Fleiss (1971) as on Wikipedia: per-unit agreement P_i, category shares p_j, κ = (P̄ - P̄e) / (1 - P̄e).</summary>
    public static double FleissKappa(RatingTable table)
    {
        var units = ValuesByUnit(table).Where(unit => unit.Count > 0).ToList();
        var categories = units.SelectMany(unit => unit).Distinct().ToList();
        var m = units[0].Count;
        var perUnit = units.Select(unit => categories.Sum(c =>
        {
            var nij = unit.Count(x => x == c);
            return nij * (nij - 1.0);
        }) / (m * (m - 1.0))).ToList();
        var total = units.Count * m;
        var shares = categories.Select(c => units.Sum(unit => unit.Count(x => x == c)) / (double)total);
        var chance = shares.Sum(p => p * p);
        return (perUnit.Average() - chance) / (1 - chance);
    }

    /// <summary>Cohen's kappa from the full contingency and weight matrices: κ_w = 1 - Σ w_ij o_ij / Σ w_ij e_ij.</summary>
    public static double CohenKappa(RatingTable table, KappaWeights weights, IReadOnlyList<double>? categories = null)
    {
        var pairs = ValuesByUnit(table, keepRater: true)
            .Where(unit => unit.Count == 2)
            .Select(unit => (First: unit[0], Second: unit[1]))
            .ToList();
        var levels = categories?.Order().ToList()
            ?? pairs.SelectMany(p => new[] { p.First, p.Second }).Distinct().Order().ToList();
        var k = levels.Count;
        var observed = new double[k, k];
        foreach (var (first, second) in pairs)
        {
            observed[levels.IndexOf(first), levels.IndexOf(second)] += 1.0 / pairs.Count;
        }

        double disagreement = 0, chance = 0;
        for (var i = 0; i < k; i++)
        {
            for (var j = 0; j < k; j++)
            {
                double row = 0, column = 0;
                for (var x = 0; x < k; x++)
                {
                    row += observed[i, x];
                    column += observed[x, j];
                }

                var w = weights switch
                {
                    KappaWeights.None => i == j ? 0 : 1,
                    KappaWeights.Linear => Math.Abs(i - j) / (k - 1.0),
                    _ => (i - j) * (i - j) / ((k - 1.0) * (k - 1.0)),
                };
                disagreement += w * observed[i, j];
                chance += w * row * column;
            }
        }

        return 1 - (disagreement / chance);
    }

    /// <summary>The share of agreeing pairs of ratings within each unit, averaged over units with two or more ratings.</summary>
    public static double PercentAgreement(RatingTable table)
    {
        var shares = new List<double>();
        foreach (var unit in ValuesByUnit(table).Where(unit => unit.Count >= 2))
        {
            int agree = 0, pairs = 0;
            for (var i = 0; i < unit.Count; i++)
            {
                for (var j = 0; j < unit.Count; j++)
                {
                    if (i != j)
                    {
                        pairs++;
                        agree += unit[i] == unit[j] ? 1 : 0;
                    }
                }
            }

            shares.Add((double)agree / pairs);
        }

        return shares.Average();
    }

    /// <summary>
    /// Gwet (2008) AC1 for several raters with missing ratings, as irrCAC's gwet.ac1.raw computes it: p_a over units with
    /// two or more ratings, π_k averaged over all rated units, p_e = Σ π_k (1 - π_k) / (q - 1).
    /// </summary>
    public static double GwetAc1(RatingTable table, IReadOnlyList<double>? categories = null)
    {
        var units = ValuesByUnit(table).Where(unit => unit.Count > 0).ToList();
        var levels = categories ?? units.SelectMany(unit => unit).Distinct().ToList();
        var q = levels.Count;
        var pa = units.Where(unit => unit.Count >= 2)
            .Average(unit => levels.Sum(c =>
            {
                var r = unit.Count(x => x == c);
                return r * (r - 1.0);
            }) / (unit.Count * (unit.Count - 1.0)));
        var pe = levels.Sum(c =>
        {
            var pi = units.Average(unit => unit.Count(x => x == c) / (double)unit.Count);
            return pi * (1 - pi);
        }) / (q - 1);
        return (pa - pe) / (1 - pe);
    }

    /// <summary>Each unit's values; with <paramref name="keepRater"/>, ordered by rater index.</summary>
    public static List<List<double>> ValuesByUnit(RatingTable table, bool keepRater = false)
    {
        var units = Enumerable.Range(0, table.UnitCount).Select(_ => new List<(int Rater, double Value)>()).ToList();
        for (var i = 0; i < table.Count; i++)
        {
            units[table.Units[i]].Add((table.Raters[i], table.Values[i]));
        }

        return units
            .Select(unit => (keepRater ? unit.OrderBy(r => r.Rater) : (IEnumerable<(int Rater, double Value)>)unit)
                .Select(r => r.Value).ToList())
            .ToList();
    }
}
