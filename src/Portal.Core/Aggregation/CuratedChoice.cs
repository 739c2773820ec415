namespace Portal.Core.Aggregation;

/// <summary>How a curated choice was reached.</summary>
public enum AggregationMethod
{
    /// <summary>The class with the most labels.</summary>
    MajorityVote,

    /// <summary>The class with the largest sum of its annotators' trust weights.</summary>
    TrustWeightedVote,

    /// <summary>The class with the largest posterior under a Dawid–Skene model of every annotator's confusions.</summary>
    DawidSkene,
}

/// <summary>One item's curated choice and how it was reached.</summary>
/// <param name="Label">The chosen class, 0 .. classes - 1 (a <see cref="PreferenceChoice"/> for pairwise items).</param>
/// <param name="Method">How it was chosen.</param>
/// <param name="Votes">How many labels each class received.</param>
/// <param name="Scores">
/// What the choice was made on, per class: the vote counts for a majority vote, the summed weights for a trust-weighted
/// vote, the posterior probabilities for Dawid–Skene.
/// </param>
/// <param name="TiedClasses">
/// The classes that shared the top score, in tie-break order, when more than one did; <see cref="Label"/> is the first.
/// Empty when one class won outright.
/// </param>
public sealed record CuratedChoice(
    int Label,
    AggregationMethod Method,
    IReadOnlyList<int> Votes,
    IReadOnlyList<double> Scores,
    IReadOnlyList<int> TiedClasses)
{
    /// <summary>Whether the top score was shared and the label came from the tie-break order.</summary>
    public bool IsTie => TiedClasses.Count > 1;

    /// <summary>Picks the top-scoring candidate, ties broken by <paramref name="tieBreakOrder"/> (ascending class when empty).</summary>
    /// <param name="candidates">Which classes may win; scores of other classes are ignored.</param>
    internal static CuratedChoice Decide(AggregationMethod method, int[] votes, double[] scores, bool[] candidates, ReadOnlySpan<int> tieBreakOrder)
    {
        var best = double.NegativeInfinity;
        for (var c = 0; c < scores.Length; c++)
        {
            if (candidates[c])
            {
                best = Math.Max(best, scores[c]);
            }
        }

        // Sums of weights that are equal in exact arithmetic can differ in the last bits.
        var tolerance = 1e-12 * Math.Max(1, Math.Abs(best));
        var tied = new List<int>();
        for (var i = 0; i < scores.Length; i++)
        {
            var c = tieBreakOrder.IsEmpty ? i : tieBreakOrder[i];
            if (candidates[c] && scores[c] >= best - tolerance)
            {
                tied.Add(c);
            }
        }

        return new CuratedChoice(tied[0], method, votes, scores, tied.Count > 1 ? tied : []);
    }

    /// <exception cref="ArgumentException">The order is given and is not a permutation of the classes.</exception>
    internal static void RequireTieBreakOrder(ReadOnlySpan<int> tieBreakOrder, int classCount, string name)
    {
        if (tieBreakOrder.IsEmpty)
        {
            return;
        }

        var seen = new bool[classCount];
        var valid = tieBreakOrder.Length == classCount;
        foreach (var c in tieBreakOrder)
        {
            valid &= c >= 0 && c < classCount && !seen[c];
            if (valid)
            {
                seen[c] = true;
            }
        }

        if (!valid)
        {
            throw new ArgumentException($"The tie-break order must list each of the {classCount} classes once.", name);
        }
    }
}
