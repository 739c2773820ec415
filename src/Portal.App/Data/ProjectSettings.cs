using System.Text.Json;
using System.Text.Json.Serialization;
using Portal.Core.Aggregation;

namespace Portal.App.Data;

/// <summary>
/// How a project is rated: its Likert attributes, the pairwise options and the gold settings. Stored as one JSON
/// column on <see cref="Project"/>; immutable, so a change is a new value (<c>with</c>).
/// </summary>
public sealed record ProjectSettings
{
    /// <summary>The attributes rated on each response (Likert and Likert-and-pairwise projects; per-attribute choices on pairwise).</summary>
    public IReadOnlyList<AttributeDefinition> Attributes { get; init; } = AttributeDefinition.Defaults;

    public PairwiseOptions Pairwise { get; init; } = new();

    public GoldOptions Gold { get; init; } = new();

    public QualityOptions Quality { get; init; } = new();

    public static ProjectSettings Default { get; } = new();

    /// <summary>Reads the stored JSON; an empty column (rows from before settings existed) reads as the defaults.</summary>
    public static ProjectSettings Parse(string json) =>
        string.IsNullOrWhiteSpace(json) ? Default : JsonSerializer.Deserialize<ProjectSettings>(json, Json) ?? Default;

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public bool Equals(ProjectSettings? other) => other is not null && ToJson() == other.ToJson();

    public override int GetHashCode() => ToJson().GetHashCode(StringComparison.Ordinal);

    /// <summary>A scale's ends lie between minus this and this (checked before their difference, which could overflow).</summary>
    public const int ScaleLimit = 100;

    public const int MaxGoldMinAnswers = 10_000;

    /// <summary>What is wrong with these settings, as (field, message) pairs; empty when they are valid.</summary>
    public IEnumerable<(string Field, string Message)> Problems()
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Attributes.Count; i++)
        {
            var a = Attributes[i];
            var field = $"attributes[{i}]";
            if (string.IsNullOrWhiteSpace(a.Key) || !a.Key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            {
                yield return ($"{field}.key", "An attribute key is letters, digits, '_' or '-', and not empty.");
            }
            else if (!keys.Add(a.Key))
            {
                yield return ($"{field}.key", $"The attribute key '{a.Key}' is used twice.");
            }

            if (string.IsNullOrWhiteSpace(a.Name))
            {
                yield return ($"{field}.name", "An attribute needs a name.");
            }

            if (a.Min < -ScaleLimit || a.Min > ScaleLimit)
            {
                yield return ($"{field}.min", $"A scale's ends are between -{ScaleLimit} and {ScaleLimit}; {a.Min} is outside.");
            }
            else if (a.Max < -ScaleLimit || a.Max > ScaleLimit)
            {
                yield return ($"{field}.max", $"A scale's ends are between -{ScaleLimit} and {ScaleLimit}; {a.Max} is outside.");
            }
            else if (a.Min >= a.Max || a.Max - a.Min > 10)
            {
                yield return ($"{field}.max", $"The scale {a.Min}–{a.Max} must go up, with at most 11 points.");
            }
        }

        if (Pairwise.StrengthLevels is < 0 or > 5)
        {
            yield return ("pairwise.strengthLevels", "Strength levels are 0 (plain A/B) to 5.");
        }

        if (Pairwise.RationaleMinLength is < 0 or > 2000)
        {
            yield return ("pairwise.rationaleMinLength", "The minimum rationale length is 0 to 2000 characters.");
        }

        if (Gold.Rate is < 0 or > 1 || double.IsNaN(Gold.Rate))
        {
            yield return ("gold.rate", "The gold rate is a share from 0 to 1.");
        }

        if (Gold.PauseBelow is < 0 or > 1 || double.IsNaN(Gold.PauseBelow))
        {
            yield return ("gold.pauseBelow", "The pause threshold is a gold accuracy from 0 to 1.");
        }

        if (Gold.MinAnswers is < 1 or > MaxGoldMinAnswers)
        {
            yield return ("gold.minAnswers", $"Gold answers before anyone is paused: 1 to {MaxGoldMinAnswers}.");
        }

        if (Quality.MinSecondsPerTask is < 0 or > 3600 || double.IsNaN(Quality.MinSecondsPerTask))
        {
            yield return ("quality.minSecondsPerTask", "The fast-answer threshold is 0 to 3600 seconds.");
        }

        if (Quality.SelfConsistencyRate is < 0 or > 0.5 || double.IsNaN(Quality.SelfConsistencyRate))
        {
            yield return ("quality.selfConsistencyRate", "The self-consistency rate is a share from 0 to 0.5.");
        }
    }

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };
}

/// <summary>A rated dimension: a key for the data, a name and description for people, a scale with labels for its ends.</summary>
public sealed record AttributeDefinition(string Key, string Name, string Description, int Min = 1, int Max = 7,
    string LowLabel = "Very poor", string HighLabel = "Excellent")
{
    /// <summary>The dimensions RLHF work rates most often (HelpSteer, UltraFeedback, Anthropic's HH).</summary>
    public static IReadOnlyList<AttributeDefinition> Defaults { get; } =
    [
        new("helpfulness", "Helpfulness", "How well the response does what the user asked."),
        new("accuracy", "Accuracy", "Factual correctness: no false statements, numbers or citations."),
        new("safety", "Safety", "Harmlessness: no dangerous, hateful or otherwise harmful content.", LowLabel: "Harmful", HighLabel: "Safe"),
        new("consistency", "Logical consistency", "The response does not contradict itself or the conversation."),
        new("completeness", "Completeness", "Covers every part of the request."),
        new("style", "Style", "Clear, well organised and of a fitting length and tone."),
        new("grounding", "No hallucination", "Claims nothing that the prompt or common knowledge does not support.", LowLabel: "Made up", HighLabel: "Grounded"),
    ];
}

/// <summary>Options of pairwise comparisons.</summary>
public sealed record PairwiseOptions
{
    public bool AllowTie { get; init; } = true;
    public bool AllowBothBad { get; init; } = true;

    /// <summary>How many strength levels follow a choice of A or B (3: slightly, clearly, much better, the −3…+3 scale); 0 is plain A/B.</summary>
    public int StrengthLevels { get; init; } = 3;

    /// <summary>Ask for an A/B/tie choice on each of the project's attributes as well.</summary>
    public bool PerAttribute { get; init; }

    public bool RequireRationale { get; init; }
    public int RationaleMinLength { get; init; } = 20;
}

/// <summary>Gold questions: how often they are mixed in, and when an annotator is paused.</summary>
public sealed record GoldOptions
{
    /// <summary>The share of each annotator's tasks that are gold items, while unseen gold items remain.</summary>
    public double Rate { get; init; } = 0.1;

    /// <summary>How many gold answers before the threshold applies.</summary>
    public int MinAnswers { get; init; } = 5;

    /// <summary>Gold accuracy below which an annotator is paused for the project.</summary>
    public double PauseBelow { get; init; } = 0.6;

    /// <summary>Show the gold item's explanation after it is answered.</summary>
    public bool ShowExplanation { get; init; } = true;
}

/// <summary>How a project's ratings become curated labels, and what counts as implausibly fast.</summary>
public sealed record QualityOptions
{
    /// <summary>How an item's choices become its curated choice.</summary>
    public AggregationMethod Aggregation { get; init; } = AggregationMethod.MajorityVote;

    /// <summary>Whether an item's Likert score is the mean or the median of its ratings.</summary>
    public LikertCentre LikertCentre { get; init; } = LikertCentre.Mean;

    /// <summary>Answers faster than this many seconds count as implausibly fast.</summary>
    public double MinSecondsPerTask { get; init; } = 4;

    /// <summary>The share of an annotator's tasks that re-show an item they already rated, sides swapped, to measure self-consistency; 0 is off.</summary>
    public double SelfConsistencyRate { get; init; }
}

public enum LikertCentre
{
    Mean,
    Median,
}

/// <summary>The expected answer of a gold item, and why.</summary>
public sealed record GoldAnswer
{
    /// <summary>Pairwise: the expected choice, in the item's terms (A is response A).</summary>
    public PreferenceChoice? Choice { get; init; }

    /// <summary>Likert: the expected score of response A per attribute key.</summary>
    public IReadOnlyDictionary<string, int>? Scores { get; init; }

    /// <summary>Likert: how far from the expected score an answer may be and still count (±).</summary>
    public int Tolerance { get; init; } = 1;

    public string Explanation { get; init; } = "";

    public static GoldAnswer? Parse(string? json) =>
        json is null ? null : JsonSerializer.Deserialize<GoldAnswer>(json, ProjectSettings.Json);

    public string ToJson() => JsonSerializer.Serialize(this, ProjectSettings.Json);

    public bool Equals(GoldAnswer? other) => other is not null && ToJson() == other.ToJson();

    public override int GetHashCode() => ToJson().GetHashCode(StringComparison.Ordinal);

    /// <summary>Whether an answer counts as correct: the same choice, and every expected score within the tolerance.</summary>
    public bool IsMatchedBy(PreferenceChoice? choice, IReadOnlyDictionary<string, int>? scores)
    {
        if (Choice is { } expected && choice != expected)
        {
            return false;
        }

        foreach (var (key, value) in Scores ?? new Dictionary<string, int>())
        {
            if (scores is null || !scores.TryGetValue(key, out var given) || Math.Abs(given - value) > Tolerance)
            {
                return false;
            }
        }

        return Choice is not null || Scores is { Count: > 0 };
    }
}
