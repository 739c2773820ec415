using System.Text.Json;
using Portal.Core.Aggregation;
using Portal.Core.Pairs;

namespace Portal.Core.Export;

/// <summary>One Likert item of a release: a conversation, a response, its aggregated score on each attribute.</summary>
/// <param name="ExternalId">The item's id in the client's own data, written as <c>id</c>; null when it has none.</param>
/// <param name="Conversation">The turns before the response.</param>
/// <param name="Response">The rated response.</param>
/// <param name="Scores">One aggregate per attribute, each attribute once.</param>
public sealed record LikertRow(
    string? ExternalId,
    IReadOnlyList<Turn> Conversation,
    string Response,
    IReadOnlyList<LikertScore> Scores)
{
    /// <summary>The individual ratings, for the one-row-per-rating shapes; may be empty for the per-item shapes.</summary>
    public IReadOnlyList<LikertRating> Ratings { get; init; } = [];

    /// <summary>The annotators who rated the item; those of <see cref="Ratings"/> are added to them.</summary>
    public IReadOnlyList<Pseudonym> Annotators { get; init; } = [];

    /// <summary>The guideline version the ratings were given under.</summary>
    public int? GuidelineVersion { get; init; }

    /// <summary>The item's metadata object, written as it is.</summary>
    public JsonElement? Metadata { get; init; }
}

/// <summary>An item's scores on one attribute: centre, spread and count.</summary>
/// <param name="StandardDeviation">The population standard deviation, as <see cref="LikertSummary"/> gives it.</param>
public sealed record LikertScore(string Attribute, double Mean, double Median, double StandardDeviation, int Count)
{
    public static LikertScore From(string attribute, LikertSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return new LikertScore(attribute, summary.Mean, summary.Median, summary.StandardDeviation, summary.Count);
    }
}

/// <summary>One annotator's score on one attribute.</summary>
public sealed record LikertRating(Pseudonym Annotator, string Attribute, double Value);
