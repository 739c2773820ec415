using System.Text.Json;
using System.Text.Json.Serialization;
using Portal.App.Data;
using Portal.App.Features.Annotations;

namespace Portal.Web.Features.Annotate;

/// <summary>
/// The annotator's unsaved answer to one task, as the task page keeps it with the lease
/// (<see cref="TaskService.SaveDraftAsync"/>, read back as <see cref="TaskView.DraftJson"/>), so that a reload or a
/// dropped connection within the lease resumes the same answer, the same time on task and the same idempotency key.
/// </summary>
/// <remarks>
/// Stored as camel-case JSON with enums as strings, e.g.
/// <c>{"version":1,"shownAt":"2026-05-01T09:00:00Z","idempotencyKey":"…","scores":{"helpfulness":6},"scoresRight":{},
/// "choice":"left","strength":2,"attributeChoices":{},"rationale":"","comment":"","flags":"none","currentRow":"Score:accuracy"}</c>.
/// Only this page reads it; an unknown version or unreadable text starts a fresh answer.
/// </remarks>
public sealed record TaskDraft
{
    public const int CurrentVersion = 1;

    public int Version { get; init; } = CurrentVersion;

    /// <summary>When the task was first shown (UTC); time on task runs from here, across reloads.</summary>
    public DateTime ShownAt { get; init; }

    /// <summary>Generated once per task, so that a double or retried submit stores one annotation.</summary>
    public string IdempotencyKey { get; init; } = "";

    /// <summary>Likert scores per attribute key: of the single response, or of the left one.</summary>
    public IReadOnlyDictionary<string, int> Scores { get; init; } = Empty<int>();

    /// <summary>Likert scores of the right response (Likert-and-pairwise projects).</summary>
    public IReadOnlyDictionary<string, int> ScoresRight { get; init; } = Empty<int>();

    /// <summary>The pairwise choice in display terms (left is A on screen).</summary>
    public ShownChoice? Choice { get; init; }

    /// <summary>How much better the chosen response is, 1 to the project's strength levels.</summary>
    public int? Strength { get; init; }

    public IReadOnlyDictionary<string, ShownChoice> AttributeChoices { get; init; } = Empty<ShownChoice>();

    public string Rationale { get; init; } = "";

    public string Comment { get; init; } = "";

    public ContentFlags Flags { get; init; }

    /// <summary>The row the number keys rate (<see cref="TaskRow.Id"/>); null once every row is answered.</summary>
    public string? CurrentRow { get; init; }

    public static TaskDraft Start(DateTime now) => new() { ShownAt = now, IdempotencyKey = Guid.NewGuid().ToString("N") };

    /// <summary>
    /// A stored answer brought back to be changed: its choices and texts, a new idempotency key for the revision, and the
    /// time on task counting afresh from <paramref name="now"/> (the revision adds to the answer's time).
    /// </summary>
    public static TaskDraft FromAnswer(AnnotationInput answer, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(answer);
        return Start(now) with
        {
            Scores = answer.Scores is { } s ? new Dictionary<string, int>(s, StringComparer.Ordinal) : Empty<int>(),
            ScoresRight = answer.ScoresRight is { } r ? new Dictionary<string, int>(r, StringComparer.Ordinal) : Empty<int>(),
            Choice = answer.Choice,
            Strength = answer.Strength,
            AttributeChoices = answer.AttributeChoices is { } c ? new Dictionary<string, ShownChoice>(c, StringComparer.Ordinal) : Empty<ShownChoice>(),
            Rationale = answer.Rationale ?? "",
            Comment = answer.Comment ?? "",
            Flags = answer.Flags,
        };
    }

    /// <summary>The stored draft, or null when there is none or it cannot be read.</summary>
    public static TaskDraft? Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }

        try
        {
            var draft = JsonSerializer.Deserialize<TaskDraft>(json, Json);
            return draft is { Version: CurrentVersion } && !string.IsNullOrEmpty(draft.IdempotencyKey) ? draft : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public bool Equals(TaskDraft? other) => other is not null && ToJson() == other.ToJson();

    public override int GetHashCode() => ToJson().GetHashCode(StringComparison.Ordinal);

    internal static IReadOnlyDictionary<string, T> Empty<T>() => new Dictionary<string, T>(StringComparer.Ordinal);

    internal static IReadOnlyDictionary<string, T> With<T>(IReadOnlyDictionary<string, T> source, string key, T value) =>
        new Dictionary<string, T>(source, StringComparer.Ordinal) { [key] = value };

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };
}
