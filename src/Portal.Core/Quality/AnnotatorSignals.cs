namespace Portal.Core.Quality;

/// <summary>Signs that an annotator's answers say more about the annotator than about the items.</summary>
public static class AnnotatorSignals
{
    /// <summary>
    /// Straight-lining: the share of answers that repeat the answer just before them, in the order given.
    /// An annotator who answers at random over k values scores about 1/k; one who always answers the same scores 1.
    /// </summary>
    /// <returns>A share from 0 to 1; NaN for fewer than two answers.</returns>
    public static double RepeatShare(ReadOnlySpan<double> answersInOrder)
    {
        if (answersInOrder.Length < 2)
        {
            return double.NaN;
        }

        var repeats = 0;
        for (var i = 1; i < answersInOrder.Length; i++)
        {
            if (answersInOrder[i] == answersInOrder[i - 1])
            {
                repeats++;
            }
        }

        return (double)repeats / (answersInOrder.Length - 1);
    }

    /// <summary>
    /// Position bias on pairwise tasks: how often the annotator chose the response shown on the left, among the
    /// choices of one side, and the exact two-sided binomial p-value of that count under no preference for a side
    /// (p = 1/2). Sides are randomised per assignment, so an annotator with no bias chooses left about half the time.
    /// </summary>
    /// <returns>The left share (NaN without side choices) and the p-value (1 without side choices).</returns>
    public static (double LeftShare, double PValue) PositionBias(int leftChoices, int rightChoices)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(leftChoices);
        ArgumentOutOfRangeException.ThrowIfNegative(rightChoices);
        var n = leftChoices + rightChoices;
        return n == 0 ? (double.NaN, 1) : ((double)leftChoices / n, BinomialTwoSided(leftChoices, n));
    }

    /// <summary>Exact two-sided binomial test at p = 1/2: the probability of a count at least as far from n/2 as k.</summary>
    public static double BinomialTwoSided(int k, int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, n);

        // P(X = i) = C(n, i) / 2^n, in logs so large n does not overflow; the distribution is symmetric at p = 1/2.
        var far = Math.Min(k, n - k);
        var logHalfN = n * Math.Log(2);
        var logChoose = 0.0;
        var tail = 0.0;
        var last = 0.0;
        for (var i = 0; i <= far; i++)
        {
            last = Math.Exp(logChoose - logHalfN);
            tail += last;
            logChoose += Math.Log(n - i) - Math.Log(i + 1);
        }

        // Both tails; when k is the middle count the two tails share its term.
        return Math.Min(1, (2 * tail) - (2 * far == n ? last : 0));
    }
}
