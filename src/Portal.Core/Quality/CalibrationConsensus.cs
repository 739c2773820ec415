using Portal.Core.Aggregation;

namespace Portal.Core.Quality;

/// <summary>One annotator's answer to a calibration item: a pairwise choice and/or Likert scores by attribute key.</summary>
public sealed record CalibrationVote(string Annotator, PreferenceChoice? Choice, IReadOnlyDictionary<string, int>? Scores);

/// <summary>How the group scored one attribute: the median, every score's count, and the mean distance from the median.</summary>
public sealed record ScoreConsensus(string Key, double Median, double MeanDistance, IReadOnlyDictionary<int, int> Counts);

/// <summary>
/// The group's answer to one item. <see cref="Choice"/> is the plurality choice, null when two choices tie for the most
/// votes (the group is split). <see cref="Differed"/> names, per annotator, what they answered away from the consensus:
/// "choice" and attribute keys.
/// </summary>
public sealed record ItemConsensus(
    int Answers,
    IReadOnlyDictionary<PreferenceChoice, int> ChoiceCounts,
    PreferenceChoice? Choice,
    double ChoiceAgreement,
    IReadOnlyList<ScoreConsensus> Scores,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Differed)
{
    /// <summary>True when the group named no single choice although choices were given.</summary>
    public bool Split => Choice is null && ChoiceCounts.Count > 0;

    /// <summary>The share of answers that differed from the consensus somewhere; NaN without answers.</summary>
    public double DifferedShare => Answers == 0 ? double.NaN : (double)Differed.Count(d => d.Value.Count > 0) / Answers;
}

/// <summary>
/// The consensus of a calibration round's item: what the group answered, and who answered away from it. A pairwise
/// choice differs when it is not the plurality choice; a Likert score differs when it is more than
/// <see cref="ScoreTolerance"/> points from the group's median (the same ± the gold answers use by default).
/// </summary>
public static class CalibrationConsensus
{
    public const double ScoreTolerance = 1;

    /// <exception cref="ArgumentException">The same annotator answers twice.</exception>
    public static ItemConsensus Of(IReadOnlyList<CalibrationVote> votes)
    {
        ArgumentNullException.ThrowIfNull(votes);
        if (votes.Select(v => v.Annotator).Distinct(StringComparer.Ordinal).Count() != votes.Count)
        {
            throw new ArgumentException("An annotator answers an item once.", nameof(votes));
        }

        var counts = votes.Where(v => v.Choice is not null).GroupBy(v => v.Choice!.Value).ToDictionary(g => g.Key, g => g.Count());
        var top = counts.Count == 0 ? 0 : counts.Values.Max();
        PreferenceChoice? choice = counts.Count(c => c.Value == top) == 1 ? counts.First(c => c.Value == top).Key : null;
        var chose = counts.Values.Sum();
        var agreement = chose == 0 ? double.NaN : (double)top / chose;

        var keys = votes.SelectMany(v => v.Scores?.Keys ?? Enumerable.Empty<string>()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var scores = new List<ScoreConsensus>();
        foreach (var key in keys)
        {
            var values = votes.Select(v => v.Scores is not null && v.Scores.TryGetValue(key, out var s) ? (int?)s : null)
                .Where(s => s is not null).Select(s => s!.Value).ToArray();
            var median = Median(values);
            scores.Add(new ScoreConsensus(key, median, values.Average(v => Math.Abs(v - median)),
                values.GroupBy(v => v).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Count())));
        }

        var medians = scores.ToDictionary(s => s.Key, s => s.Median, StringComparer.Ordinal);
        var differed = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var vote in votes)
        {
            var away = new List<string>();
            if (choice is { } c && vote.Choice is { } mine && mine != c)
            {
                away.Add("choice");
            }

            foreach (var (key, value) in (vote.Scores ?? new Dictionary<string, int>()).OrderBy(s => s.Key, StringComparer.Ordinal))
            {
                if (Math.Abs(value - medians[key]) > ScoreTolerance)
                {
                    away.Add(key);
                }
            }

            differed[vote.Annotator] = away;
        }

        return new ItemConsensus(votes.Count, counts, choice, agreement, scores, differed);
    }

    /// <summary>The median; the mean of the two middle values for an even count. NaN for no values.</summary>
    public static double Median(ReadOnlySpan<int> values)
    {
        if (values.IsEmpty)
        {
            return double.NaN;
        }

        var sorted = values.ToArray();
        Array.Sort(sorted);
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2.0;
    }
}
