using Portal.Core.Common;

namespace Portal.Core.Agreement;

public static partial class AgreementMetrics
{
    /// <summary>Cohen's kappa between the two raters of a table, over the units both of them rated.</summary>
    /// <inheritdoc cref="CohenKappa(ReadOnlySpan{double}, ReadOnlySpan{double}, KappaWeights, ReadOnlySpan{double})" path="/remarks"/>
    /// <param name="table">Ratings by exactly two raters; units rated by only one of them drop out.</param>
    /// <param name="weights">How disagreements count.</param>
    /// <param name="categories">The categories to rank; empty to rank those either rater used.</param>
    /// <returns>
    /// Kappa, at most 1, the same whichever rater is first. NaN when no unit is rated by both, and when expected
    /// disagreement is 0 (both raters gave every unit the same single category).
    /// </returns>
    /// <exception cref="ArgumentException">
    /// The table does not have exactly two raters, or a value is not among <paramref name="categories"/>.
    /// </exception>
    public static double CohenKappa(RatingTable table, KappaWeights weights = KappaWeights.None, ReadOnlySpan<double> categories = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        var (first, second) = PairedRatings(table);
        return CohenKappa(first, second, weights, categories);
    }

    /// <summary>Cohen's kappa between two raters' values for the same units: <c>first[i]</c> and <c>second[i]</c> rate unit i.</summary>
    /// <remarks>
    /// Categories are ordered by value and weighted by rank: among the categories either rater used, or among
    /// <c>categories</c> when given, which may include categories no one used and so changes the linear and quadratic
    /// weights. The weights need no scaling, as it cancels. O(n + q log q) for q categories.
    /// </remarks>
    /// <param name="first">The first rater's values.</param>
    /// <param name="second">The second rater's values, for the same units in the same order.</param>
    /// <param name="weights">How disagreements count.</param>
    /// <param name="categories">The categories to rank; empty to rank those either rater used.</param>
    /// <returns>
    /// Kappa, at most 1, the same whichever rater is first. NaN when the spans are empty, and when expected
    /// disagreement is 0 (both raters gave every unit the same single category).
    /// </returns>
    /// <exception cref="ArgumentException">
    /// The spans differ in length, a value is NaN or infinite, or a value is not among <paramref name="categories"/>.
    /// </exception>
    public static double CohenKappa(ReadOnlySpan<double> first, ReadOnlySpan<double> second,
        KappaWeights weights = KappaWeights.None, ReadOnlySpan<double> categories = default)
    {
        Guard.SameLength(first.Length, second.Length, nameof(first), nameof(second));
        RequireFinite(first, nameof(first));
        RequireFinite(second, nameof(second));
        if (weights is not (KappaWeights.None or KappaWeights.Linear or KappaWeights.Quadratic))
        {
            throw new ArgumentOutOfRangeException(nameof(weights), weights, "Unknown kappa weights.");
        }

        var n = first.Length;
        var both = new double[2 * n];
        first.CopyTo(both);
        second.CopyTo(both.AsSpan(n));
        var coding = ValueCoding.Create(both, categories, nameof(categories));
        var ranks = coding.Codes;

        var firstCounts = new double[coding.Count];
        var secondCounts = new double[coding.Count];
        double observed = 0;
        for (var i = 0; i < n; i++)
        {
            firstCounts[ranks[i]]++;
            secondCounts[ranks[n + i]]++;
            observed += Weight(weights, ranks[i], ranks[n + i]);
        }

        var expected = weights switch
        {
            KappaWeights.None => UnweightedChanceDisagreement(firstCounts, secondCounts, n),
            KappaWeights.Linear => LinearChanceDisagreement(firstCounts, secondCounts),
            _ => QuadraticChanceDisagreement(firstCounts, secondCounts, n),
        };

        // κ_w = 1 - Σ w_ij o_ij / Σ w_ij e_ij, with counts o_ij and chance counts e_ij = a_i b_j / n.
        return n == 0 || expected == 0 ? double.NaN : 1 - (observed * n / expected);
    }

    private static double Weight(KappaWeights weights, int i, int j) => weights switch
    {
        KappaWeights.None => i == j ? 0 : 1,
        KappaWeights.Linear => Math.Abs(i - j),
        _ => (double)(i - j) * (i - j),
    };

    // Σ_ij a_i b_j [i != j] = n² - Σ_i a_i b_i
    private static double UnweightedChanceDisagreement(double[] a, double[] b, double n)
    {
        var agree = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            agree += a[i] * b[i];
        }

        return (n * n) - agree;
    }

    // Σ_ij a_i b_j |i - j| = Σ_j b_j (Σ_{i<j} a_i (j - i) + Σ_{i>j} a_i (i - j)), with running sums of a_i and i a_i.
    private static double LinearChanceDisagreement(double[] a, double[] b)
    {
        double totalCount = 0, totalRank = 0;
        for (var i = 0; i < a.Length; i++)
        {
            totalCount += a[i];
            totalRank += a[i] * i;
        }

        double belowCount = 0, belowRank = 0, sum = 0;
        for (var j = 0; j < b.Length; j++)
        {
            var aboveCount = totalCount - belowCount - a[j];
            var aboveRank = totalRank - belowRank - (a[j] * j);
            sum += b[j] * ((j * belowCount) - belowRank + aboveRank - (j * aboveCount));
            belowCount += a[j];
            belowRank += a[j] * j;
        }

        return sum;
    }

    // Σ_ij a_i b_j (i - j)² = n Σ a_i x_i² + n Σ b_j x_j² - 2 Σ a_i x_i Σ b_j x_j with x = rank - mean rank.
    private static double QuadraticChanceDisagreement(double[] a, double[] b, double n)
    {
        double rankSum = 0;
        for (var i = 0; i < a.Length; i++)
        {
            rankSum += (a[i] + b[i]) * i;
        }

        var mean = n == 0 ? 0 : rankSum / (2 * n);
        double aSquares = 0, bSquares = 0, aSum = 0, bSum = 0;
        for (var i = 0; i < a.Length; i++)
        {
            var x = i - mean;
            aSum += a[i] * x;
            bSum += b[i] * x;
            aSquares += a[i] * x * x;
            bSquares += b[i] * x * x;
        }

        return (n * aSquares) + (n * bSquares) - (2 * aSum * bSum);
    }

    /// <summary>The values of the units both raters rated, the lower rater index first.</summary>
    private static (double[] First, double[] Second) PairedRatings(RatingTable table)
    {
        var (firstRater, _) = TheTwoRaters(table);
        var first = new List<double>();
        var second = new List<double>();
        var starts = table.UnitStarts;
        var raters = table.Raters;
        var values = table.Values;
        for (var u = 0; u < table.UnitCount; u++)
        {
            if (starts[u + 1] - starts[u] == 2)
            {
                var p = starts[u];
                var firstIsFirst = raters[p] == firstRater;
                first.Add(firstIsFirst ? values[p] : values[p + 1]);
                second.Add(firstIsFirst ? values[p + 1] : values[p]);
            }
        }

        return ([.. first], [.. second]);
    }

    /// <exception cref="ArgumentException">The table's ratings are not from exactly two raters.</exception>
    internal static (int First, int Second) TheTwoRaters(RatingTable table)
    {
        var rated = new bool[table.RaterCount];
        foreach (var rater in table.Raters)
        {
            rated[rater] = true;
        }

        var present = new List<int>();
        for (var r = 0; r < rated.Length; r++)
        {
            if (rated[r])
            {
                present.Add(r);
            }
        }

        if (present.Count != 2)
        {
            var listed = string.Join(", ", present.Take(5).Select(r => $"'{table.RaterId(r)}'")) + (present.Count > 5 ? ", …" : "");
            throw new ArgumentException(
                $"Cohen's kappa requires exactly two raters, but {present.Count} are present{(present.Count == 0 ? "" : ": " + listed)}.",
                nameof(table));
        }

        return (present[0], present[1]);
    }

    private static void RequireFinite(ReadOnlySpan<double> values, string name)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i]))
            {
                throw new ArgumentException(FormattableString.Invariant($"Value {values[i]} at {i} is not a finite number."), name);
            }
        }
    }
}
