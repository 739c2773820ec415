namespace Portal.Core.Aggregation;

/// <summary>One item's scores on one Likert attribute, summarized: centre and spread.</summary>
/// <param name="Mean">The arithmetic mean.</param>
/// <param name="Median">The middle score; the mean of the two middle scores when the count is even.</param>
/// <param name="StandardDeviation">
/// The population standard deviation, √(Σ (x - mean)² / n): the spread of the scores given, 0 for a single score.
/// </param>
/// <param name="Min">The lowest score.</param>
/// <param name="Max">The highest score.</param>
/// <param name="Count">The number of scores.</param>
public sealed record LikertSummary(double Mean, double Median, double StandardDeviation, double Min, double Max, int Count)
{
    /// <summary>Summarizes one attribute's scores for one item. O(n log n) for the median.</summary>
    /// <exception cref="ArgumentException">There are no scores, or a score is NaN or infinite.</exception>
    public static LikertSummary Of(ReadOnlySpan<double> scores)
    {
        if (scores.IsEmpty)
        {
            throw new ArgumentException("There are no scores to summarize.", nameof(scores));
        }

        var sorted = scores.ToArray();
        foreach (var score in sorted)
        {
            if (!double.IsFinite(score))
            {
                throw new ArgumentException(FormattableString.Invariant($"Score {score} is not a finite number."), nameof(scores));
            }
        }

        Array.Sort(sorted);
        var n = sorted.Length;
        var mean = sorted.Average();
        var squares = sorted.Sum(x => (x - mean) * (x - mean));
        var median = n % 2 == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2;
        return new LikertSummary(mean, median, Math.Sqrt(squares / n), sorted[0], sorted[^1], n);
    }
}
