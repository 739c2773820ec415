using Portal.App.Data;
using Portal.Core.Aggregation;
using Portal.Core.AiLabels;

namespace Portal.App.Features.Quality;

/// <summary>
/// The AI labeler against the humans, on the items that have both an AI label and a human answer: overall and per labeler
/// model against the curated label, and per annotator against their own answers. Items whose curated label is "both bad"
/// are left out (an AI label is A, B or tie), and counted in <see cref="ExcludedBothBad"/>.
/// </summary>
/// <param name="AiLabels">AI labels in the project, gold items left out.</param>
public sealed record AiVsHumans(int AiLabels, int ExcludedBothBad, AiAgreement Overall, IReadOnlyList<AiAgreement> PerModel, IReadOnlyList<AiAnnotatorAgreement> PerAnnotator);

/// <summary>Agreement of AI labels (of one model, or all: <see cref="Model"/> null) with the human curated labels; confusion rows are the AI's choice, columns the humans', A / B / tie.</summary>
public sealed record AiAgreement(string? Model, int Items, double? PercentAgreement, double? Kappa, IReadOnlyList<IReadOnlyList<int>> Confusion);

/// <summary>Agreement of the AI labels with one annotator's own choices.</summary>
public sealed record AiAnnotatorAgreement(Guid AnnotatorId, string Name, int Items, double? PercentAgreement, double? Kappa);

/// <summary>An AI label as the calculator reads it.</summary>
public sealed record AiLabelFact(Guid ItemId, PreferenceChoice Choice, string Model);

public static class AiVsHumansCalculator
{
    /// <summary>Null when the project has no AI labels.</summary>
    public static AiVsHumans? Compute(IReadOnlyList<AiLabelFact> ai, IEnumerable<CuratedLabel> curated, IReadOnlyList<RatingRow> rows,
        IReadOnlyDictionary<Guid, AnnotatorInfo> annotators)
    {
        ArgumentNullException.ThrowIfNull(ai);
        ArgumentNullException.ThrowIfNull(curated);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(annotators);
        if (ai.Count == 0)
        {
            return null;
        }

        var human = curated.Where(c => c.Choice is not null).ToDictionary(c => c.ItemId, c => c.Choice!.Value);
        var paired = ai.Where(a => human.ContainsKey(a.ItemId)).ToList();
        var excluded = paired.Count(a => human[a.ItemId] == PreferenceChoice.BothBad);
        paired = [.. paired.Where(a => human[a.ItemId] != PreferenceChoice.BothBad)];

        var overall = Agreement(null, paired, human);
        var perModel = paired.GroupBy(a => a.Model, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => Agreement(g.Key, [.. g], human)).ToList();

        var byItem = ai.ToDictionary(a => a.ItemId, a => a.Choice);
        var perAnnotator = rows
            .Where(r => r.RepeatOf is null && r.Choice is (PreferenceChoice.A or PreferenceChoice.B or PreferenceChoice.Tie) && byItem.ContainsKey(r.ItemId))
            .GroupBy(r => r.AnnotatorId)
            .Select(g =>
            {
                var own = g.GroupBy(r => r.ItemId).Select(x => x.First()).ToList();
                var c = ChoiceComparison.Of([.. own.Select(r => byItem[r.ItemId])], [.. own.Select(r => r.Choice!.Value)]);
                var name = annotators.TryGetValue(g.Key, out var info) && info.Name.Length > 0 ? info.Name : "Annotator " + g.Key.ToString()[..8];
                return new AiAnnotatorAgreement(g.Key, name, c.Units, c.PercentAgreement, c.Kappa);
            })
            .OrderByDescending(a => a.Items).ThenBy(a => a.Name, StringComparer.Ordinal)
            .ToList();
        return new AiVsHumans(ai.Count, excluded, overall, perModel, perAnnotator);
    }

    private static AiAgreement Agreement(string? model, List<AiLabelFact> paired, Dictionary<Guid, PreferenceChoice> human)
    {
        var c = ChoiceComparison.Of([.. paired.Select(a => a.Choice)], [.. paired.Select(a => human[a.ItemId])]);
        return new AiAgreement(model, c.Units, c.PercentAgreement, c.Kappa, c.Confusion);
    }
}
