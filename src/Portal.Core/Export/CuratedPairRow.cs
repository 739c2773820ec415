using System.Text.Json;
using Portal.Core.Aggregation;
using Portal.Core.Pairs;

namespace Portal.Core.Export;

/// <summary>One curated pairwise item of a release: a conversation, two responses, the curated choice and how it was reached.</summary>
/// <param name="ExternalId">The item's id in the client's own data, written as <c>id</c>; null when it has none.</param>
/// <param name="Conversation">The turns before the responses.</param>
/// <param name="ResponseA">The first response, as stored (not as shown: see <see cref="ShownLeft"/>).</param>
/// <param name="ResponseB">The second response.</param>
/// <param name="Choice">The curated choice.</param>
/// <param name="LabelSource">Where the choice came from.</param>
public sealed record CuratedPairRow(
    string? ExternalId,
    IReadOnlyList<Turn> Conversation,
    string ResponseA,
    string ResponseB,
    PreferenceChoice Choice,
    CuratedLabelSource LabelSource)
{
    /// <summary>How strongly A is preferred over B, signed: positive favours A, negative B (e.g. the mean of the ratings' signed strengths).</summary>
    public double? Strength { get; init; }

    /// <summary>How many human ratings the item received.</summary>
    public int Ratings { get; init; }

    /// <summary>Agreement among the item's ratings (e.g. the share that agree with the curated choice); NaN is written as null.</summary>
    public double? Agreement { get; init; }

    /// <summary>How the ratings were aggregated, e.g. <c>majority_vote</c> (see <see cref="AggregationNames.ToExportName"/>).</summary>
    public string? Aggregation { get; init; }

    /// <summary>The guideline version the ratings were given under.</summary>
    public int? GuidelineVersion { get; init; }

    /// <summary>How many ratings saw A on the left and how many saw B there.</summary>
    public SideCounts? ShownLeft { get; init; }

    /// <summary>The pseudonyms of the annotators who rated the item, in any order (written sorted).</summary>
    public IReadOnlyList<Pseudonym> Annotators { get; init; } = [];

    /// <summary>The item's metadata object, written as it is.</summary>
    public JsonElement? Metadata { get; init; }

    /// <summary>
    /// Response A's turns when it has several (the pair's two sides parted before their last turn); null when it is one
    /// assistant turn. <see cref="ResponseA"/> is then the same turns as one text (<see cref="ResponseTurns.Flatten"/>).
    /// </summary>
    public IReadOnlyList<Turn>? ResponseTurnsA { get; init; }

    /// <summary>Response B's turns when it has several; null when it is one assistant turn.</summary>
    public IReadOnlyList<Turn>? ResponseTurnsB { get; init; }

    /// <summary>The model of the AI label behind the row's label source (ai, ai_confirmed_by_humans, ai_overturned_by_humans); null otherwise.</summary>
    public string? AiModel { get; init; }

    /// <summary>Response A as turns: its own turns, or one assistant turn.</summary>
    public IReadOnlyList<Turn> TurnsA => ResponseTurnsA ?? [new Turn(Turn.Assistant, ResponseA)];

    /// <summary>Response B as turns: its own turns, or one assistant turn.</summary>
    public IReadOnlyList<Turn> TurnsB => ResponseTurnsB ?? [new Turn(Turn.Assistant, ResponseB)];
}

/// <summary>How many ratings showed response A on the left, and how many showed B there.</summary>
public sealed record SideCounts(int ALeft, int BLeft);

/// <summary>The names an export writes for an <see cref="AggregationMethod"/>.</summary>
public static class AggregationNames
{
    /// <summary><c>majority_vote</c>, <c>trust_weighted_vote</c> or <c>dawid_skene</c>.</summary>
    public static string ToExportName(this AggregationMethod method) => method switch
    {
        AggregationMethod.MajorityVote => "majority_vote",
        AggregationMethod.TrustWeightedVote => "trust_weighted_vote",
        AggregationMethod.DawidSkene => "dawid_skene",
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown aggregation method."),
    };
}
