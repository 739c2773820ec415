using Portal.Core.Agreement;

namespace Portal.Core.Tests.Agreement;

/// <summary>Small builders for reliability data in the shapes papers print it.</summary>
internal static class TestTables
{
    /// <summary>One row per rater, one column per unit, null for a missing rating (Krippendorff's layout).</summary>
    public static RatingTable FromRaterRows(double?[][] rows)
    {
        var builder = new RatingTableBuilder();
        var unitCount = rows.Max(row => row.Length);
        for (var unit = 0; unit < unitCount; unit++)
        {
            for (var rater = 0; rater < rows.Length; rater++)
            {
                if (unit < rows[rater].Length && rows[rater][unit] is { } value)
                {
                    builder.Add($"u{unit + 1}", $"r{rater + 1}", value);
                }
            }
        }

        return builder.Build();
    }

    /// <summary>
    /// One row per unit giving how many raters chose each category (Fleiss' layout); category j has value j + 1 and
    /// the raters of each unit are numbered afresh, as Fleiss' kappa does not follow raters across units.
    /// </summary>
    public static RatingTable FromCategoryCounts(int[][] counts)
    {
        var builder = new RatingTableBuilder();
        for (var unit = 0; unit < counts.Length; unit++)
        {
            var rater = 0;
            for (var category = 0; category < counts[unit].Length; category++)
            {
                for (var i = 0; i < counts[unit][category]; i++)
                {
                    builder.Add($"u{unit + 1}", $"r{++rater}", category + 1);
                }
            }
        }

        return builder.Build();
    }

    /// <summary>Two raters' values for the same units, in order.</summary>
    public static RatingTable FromPairs(IReadOnlyList<double> first, IReadOnlyList<double> second)
    {
        var builder = new RatingTableBuilder();
        for (var unit = 0; unit < first.Count; unit++)
        {
            builder.Add($"u{unit + 1}", "first", first[unit]);
            builder.Add($"u{unit + 1}", "second", second[unit]);
        }

        return builder.Build();
    }

    /// <summary>
    /// Two raters' values expanded from a contingency table: <paramref name="counts"/>[i][j] units got category i from the
    /// first rater and category j from the second; category i has value <paramref name="categories"/>[i].
    /// </summary>
    public static RatingTable FromContingency(int[][] counts, double[] categories)
    {
        var first = new List<double>();
        var second = new List<double>();
        for (var i = 0; i < counts.Length; i++)
        {
            for (var j = 0; j < counts[i].Length; j++)
            {
                for (var c = 0; c < counts[i][j]; c++)
                {
                    first.Add(categories[i]);
                    second.Add(categories[j]);
                }
            }
        }

        return FromPairs(first, second);
    }

    /// <summary>
    /// Random reliability data: each unit gets a "true" value on a scale and each rater a noisy copy of it,
    /// with some ratings missing so units have between zero and <paramref name="raters"/> ratings.
    /// </summary>
    public static RatingTable Random(int seed, int units, int raters, double[] scale, double missing = 0.3, double noise = 0.3)
    {
        var random = new Random(seed);
        var unitIndex = new List<int>();
        var raterIndex = new List<int>();
        var values = new List<double>();
        for (var unit = 0; unit < units; unit++)
        {
            var truth = random.Next(scale.Length);
            for (var rater = 0; rater < raters; rater++)
            {
                if (random.NextDouble() < missing)
                {
                    continue;
                }

                var value = random.NextDouble() < noise ? random.Next(scale.Length) : truth;
                unitIndex.Add(unit);
                raterIndex.Add(rater);
                values.Add(scale[value]);
            }
        }

        return RatingTable.FromIndices([.. unitIndex], [.. raterIndex], [.. values]);
    }
}
