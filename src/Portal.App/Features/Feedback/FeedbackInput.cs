using System.Text.Json;
using Portal.App.Features.Projects;

namespace Portal.App.Features.Feedback;

public sealed record FeedbackTurnInput(string? Role, string? Content);

/// <summary>One event as a deployed assistant posts it (docs/deployment-feedback.md has the schema).</summary>
public sealed record FeedbackEventInput(
    string? Id,
    string? Kind,
    IReadOnlyList<FeedbackTurnInput>? Conversation,
    string? ModelVersion,
    DateTimeOffset? Timestamp,
    string? Category = null,
    string? Response = null,
    string? Thumb = null,
    int? Rating = null,
    string? ResponseA = null,
    string? ResponseB = null,
    string? Choice = null,
    string? EditedResponse = null);

/// <summary>Reads the feedback endpoint's body: one event object, or <c>{"events": [...]}</c> with up to <see cref="MaxBatch"/> events.</summary>
public static class FeedbackInput
{
    public const int MaxBatch = 500;
    public const int MaxTextChars = 100_000;
    public const int MaxTurns = 200;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The events with the field prefix their problems are named by (<c>events[3].</c>, or nothing for a single event).</summary>
    /// <exception cref="ValidationProblemsException">The body is neither shape, too many events, or an event cannot be read.</exception>
    public static IReadOnlyList<(string Field, FeedbackEventInput Event)> Parse(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw new ValidationProblemsException([("body", "The body is one event object or {\"events\": [...]}.")]);
        }

        if (!body.TryGetProperty("events", out var events))
        {
            return [("", Read(body, ""))];
        }

        if (events.ValueKind != JsonValueKind.Array)
        {
            throw new ValidationProblemsException([("events", "events is an array of event objects.")]);
        }

        var count = events.GetArrayLength();
        if (count is 0 or > MaxBatch)
        {
            throw new ValidationProblemsException([("events", $"A batch holds 1 to {MaxBatch} events; this one has {count}. Nothing was stored.")]);
        }

        var parsed = new List<(string, FeedbackEventInput)>(count);
        var problems = new List<(string, string)>();
        var i = 0;
        foreach (var element in events.EnumerateArray())
        {
            var prefix = $"events[{i++}].";
            try
            {
                parsed.Add((prefix, Read(element, prefix)));
            }
            catch (ValidationProblemsException ex)
            {
                problems.AddRange(ex.Problems);
            }
        }

        return problems.Count > 0 ? throw new ValidationProblemsException(problems) : parsed;
    }

    private static FeedbackEventInput Read(JsonElement element, string prefix)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new ValidationProblemsException([(prefix.TrimEnd('.'), "An event is a JSON object.")]);
        }

        try
        {
            return element.Deserialize<FeedbackEventInput>(Json)!;
        }
        catch (JsonException ex)
        {
            // The path names the field ("$.rating"); the value itself is never echoed (it may hold personal data).
            var field = ex.Path is { Length: > 2 } path ? path[2..] : "event";
            throw new ValidationProblemsException([(prefix + field, $"{field} has the wrong type (see docs/deployment-feedback.md).")]);
        }
    }

    /// <summary>Every problem of one event, named by field; no value is repeated in a message.</summary>
    public static IEnumerable<(string Field, string Message)> Problems(string prefix, FeedbackEventInput e, DateTime now)
    {
        if (string.IsNullOrWhiteSpace(e.Id) || e.Id.Length > 180)
        {
            yield return (prefix + "id", "id is required: the sender's id of the event, 1 to 180 characters (a replay with the same id stores nothing new).");
        }

        var kind = ParseKind(e.Kind);
        if (kind is null)
        {
            yield return (prefix + "kind", "kind is one of thumbs, rating, pick, edit.");
        }

        if (string.IsNullOrWhiteSpace(e.ModelVersion) || e.ModelVersion.Length > 200)
        {
            yield return (prefix + "modelVersion", "modelVersion is required, 1 to 200 characters.");
        }

        if (e.Timestamp is not { } ts)
        {
            yield return (prefix + "timestamp", "timestamp is required (ISO 8601 with an offset, e.g. 2026-12-05T14:03:00Z).");
        }
        else if (ts.UtcDateTime > now.AddHours(1) || ts.Year < 2000)
        {
            yield return (prefix + "timestamp", "timestamp lies more than an hour in the future or before 2000.");
        }

        if (e.Category is { Length: > 100 })
        {
            yield return (prefix + "category", "category is at most 100 characters.");
        }

        if (e.Conversation is not { Count: > 0 and <= MaxTurns })
        {
            yield return (prefix + "conversation", $"conversation is required: 1 to {MaxTurns} turns of {{role, content}} before the answer.");
        }
        else
        {
            for (var t = 0; t < e.Conversation.Count; t++)
            {
                var turn = e.Conversation[t];
                if (turn is null || turn.Role is not ("user" or "assistant" or "system"))
                {
                    yield return ($"{prefix}conversation[{t}].role", "role is user, assistant or system.");
                }

                if (turn is null || string.IsNullOrWhiteSpace(turn.Content) || turn.Content.Length > MaxTextChars)
                {
                    yield return ($"{prefix}conversation[{t}].content", $"content is required, at most {MaxTextChars} characters.");
                }
            }
        }

        switch (kind)
        {
            case Data.FeedbackKind.Thumbs:
                foreach (var p in Text(prefix, "response", e.Response))
                {
                    yield return p;
                }

                if (e.Thumb is not ("up" or "down"))
                {
                    yield return (prefix + "thumb", "thumb is up or down.");
                }

                break;
            case Data.FeedbackKind.Rating:
                foreach (var p in Text(prefix, "response", e.Response))
                {
                    yield return p;
                }

                if (e.Rating is not (>= 1 and <= 7))
                {
                    yield return (prefix + "rating", "rating is a whole number from 1 to 7.");
                }

                break;
            case Data.FeedbackKind.Pick:
                foreach (var p in Text(prefix, "responseA", e.ResponseA).Concat(Text(prefix, "responseB", e.ResponseB)))
                {
                    yield return p;
                }

                if (e.Choice is not ("A" or "B"))
                {
                    yield return (prefix + "choice", "choice is A or B: the answer the user picked.");
                }

                break;
            case Data.FeedbackKind.Edit:
                foreach (var p in Text(prefix, "response", e.Response).Concat(Text(prefix, "editedResponse", e.EditedResponse)))
                {
                    yield return p;
                }

                if (e.Response is not null && e.Response == e.EditedResponse)
                {
                    yield return (prefix + "editedResponse", "editedResponse is the same as response: an edit changes the answer.");
                }

                break;
        }
    }

    public static Data.FeedbackKind? ParseKind(string? kind) => kind switch
    {
        "thumbs" => Data.FeedbackKind.Thumbs,
        "rating" => Data.FeedbackKind.Rating,
        "pick" => Data.FeedbackKind.Pick,
        "edit" => Data.FeedbackKind.Edit,
        _ => null,
    };

    private static IEnumerable<(string, string)> Text(string prefix, string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > MaxTextChars)
        {
            yield return (prefix + field, $"{field} is required for this kind, at most {MaxTextChars} characters.");
        }
    }
}
