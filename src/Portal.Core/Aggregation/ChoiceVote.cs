using Portal.Core.Common;

namespace Portal.Core.Aggregation;

/// <summary>One item's labels turned into a curated choice by counting votes.</summary>
/// <remarks>
/// Only classes that received a label can win. Ties are broken by a fixed order of classes, ascending class index unless
/// the caller gives one, and reported in <see cref="CuratedChoice.TiedClasses"/>: a tied item is better sent for another
/// annotation than trusted. For pairwise items <see cref="PreferenceTieBreakOrder"/> lets the more neutral answer win.
/// </remarks>
public static class ChoiceVote
{
    /// <summary>Tie, both bad, A, B: among tied classes the first of these wins, so a tie/A split is a tie.</summary>
    public static ReadOnlySpan<int> PreferenceTieBreakOrder =>
        [(int)PreferenceChoice.Tie, (int)PreferenceChoice.BothBad, (int)PreferenceChoice.A, (int)PreferenceChoice.B];

    /// <summary>The class most labels chose.</summary>
    /// <param name="labels">One item's labels, each 0 .. <paramref name="classCount"/> - 1.</param>
    /// <param name="classCount">The number of classes.</param>
    /// <param name="tieBreakOrder">Every class once, most preferred first; empty for ascending class index.</param>
    /// <exception cref="ArgumentException">There are no labels, a label is out of range, or the tie-break order is not a permutation.</exception>
    public static CuratedChoice Majority(ReadOnlySpan<int> labels, int classCount, ReadOnlySpan<int> tieBreakOrder = default)
    {
        var votes = CountVotes(labels, classCount, tieBreakOrder);
        var candidates = votes.Select(v => v > 0).ToArray();
        return CuratedChoice.Decide(AggregationMethod.MajorityVote, votes, votes.Select(v => (double)v).ToArray(), candidates, tieBreakOrder);
    }

    /// <summary>The class whose annotators' weights sum highest, among the classes that received a label.</summary>
    /// <param name="labels">One item's labels, each 0 .. <paramref name="classCount"/> - 1.</param>
    /// <param name="weights">The weight of the annotator behind each label, finite and not negative (see <see cref="LogOddsWeight"/>).</param>
    /// <param name="classCount">The number of classes.</param>
    /// <param name="tieBreakOrder">Every class once, most preferred first; empty for ascending class index.</param>
    /// <returns>The choice; when every weight is 0 all labelled classes tie.</returns>
    /// <exception cref="ArgumentException">
    /// There are no labels, the spans differ in length, a label is out of range, a weight is negative or not finite,
    /// or the tie-break order is not a permutation.
    /// </exception>
    public static CuratedChoice TrustWeighted(ReadOnlySpan<int> labels, ReadOnlySpan<double> weights, int classCount,
        ReadOnlySpan<int> tieBreakOrder = default)
    {
        Guard.SameLength(labels.Length, weights.Length, nameof(labels), nameof(weights));
        var votes = CountVotes(labels, classCount, tieBreakOrder);
        var scores = new double[classCount];
        for (var i = 0; i < labels.Length; i++)
        {
            if (!double.IsFinite(weights[i]) || weights[i] < 0)
            {
                throw new ArgumentException(
                    FormattableString.Invariant($"Weight {weights[i]} of label {i} is not a finite, non-negative number."), nameof(weights));
            }

            scores[labels[i]] += weights[i];
        }

        var candidates = votes.Select(v => v > 0).ToArray();
        return CuratedChoice.Decide(AggregationMethod.TrustWeightedVote, votes, scores, candidates, tieBreakOrder);
    }

    /// <summary>
    /// The weight that makes a weighted vote optimal for independent annotators of known accuracy (Nitzan and Paroush, 1982):
    /// ln((q - 1) p / (1 - p)), and 0 for an annotator no better than chance.
    /// </summary>
    /// <param name="accuracy">The share of gold items the annotator got right; clamped to 0.001 .. 0.999.</param>
    /// <param name="classCount">The number of classes q.</param>
    public static double LogOddsWeight(double accuracy, int classCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 2);
        if (double.IsNaN(accuracy))
        {
            throw new ArgumentOutOfRangeException(nameof(accuracy), accuracy, "Accuracy is not a number.");
        }

        var p = Math.Clamp(accuracy, 0.001, 0.999);
        return Math.Max(0, Math.Log((classCount - 1) * p / (1 - p)));
    }

    private static int[] CountVotes(ReadOnlySpan<int> labels, int classCount, ReadOnlySpan<int> tieBreakOrder)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        if (labels.IsEmpty)
        {
            throw new ArgumentException("There are no labels to aggregate.", nameof(labels));
        }

        CuratedChoice.RequireTieBreakOrder(tieBreakOrder, classCount, nameof(tieBreakOrder));
        var votes = new int[classCount];
        foreach (var label in labels)
        {
            if (label < 0 || label >= classCount)
            {
                throw new ArgumentException($"Label {label} is not a class from 0 to {classCount - 1}.", nameof(labels));
            }

            votes[label]++;
        }

        return votes;
    }
}
