using System.Globalization;
using System.Text.Json;
using Portal.Core.Aggregation;

namespace Portal.Core.AiLabels;

/// <summary>One AI label read from a file: the item it is for (an external id or the item's id), and the labeler's answer.</summary>
public sealed record AiLabelLine(long LineNumber, string Item, PreferenceChoice Choice, double? Confidence, string Model, string? Rationale);

/// <summary>An AI label file's line that is not a label; the message names the line and the field.</summary>
public sealed class AiLabelFormatException(long lineNumber, string? field, string problem)
    : FormatException($"line {lineNumber}: {(field is null ? "" : $"field '{field}' ")}{problem}")
{
    public long LineNumber { get; } = lineNumber;
    public string? Field { get; } = field;
    public string Problem { get; } = problem;
}

/// <summary>
/// Reads AI labels from JSON Lines, one object a line:
/// <c>{"item": "&lt;external id or item id&gt;", "choice": "A"|"B"|"tie", "confidence": 0.83, "model": "gpt-x", "rationale": "…"}</c>.
/// </summary>
/// <remarks>
/// <c>confidence</c> and <c>rationale</c> may be left out; <c>model</c> may not (an AI label without its labeler cannot be
/// compared or audited). An item named twice in one file is an error at the second line: which of the two would win is
/// not something to guess. Blank lines are skipped. Whether the items exist is for the caller, who knows the project.
/// </remarks>
public static class AiLabelFileReader
{
    public const int MaxModelLength = 200;
    public const int MaxRationaleLength = 20000;

    /// <summary>The file's labels in order; a line that is not a label throws <see cref="AiLabelFormatException"/> when reached.</summary>
    public static async IAsyncEnumerable<AiLabelLine> ReadAsync(TextReader reader, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var seen = new Dictionary<string, long>(StringComparer.Ordinal);
        long lineNumber = 0;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var label = ParseLine(line, lineNumber);
            if (seen.TryGetValue(label.Item, out var first))
            {
                throw new AiLabelFormatException(lineNumber, "item", $"'{label.Item}' is labelled twice in the file (first on line {first}).");
            }

            seen[label.Item] = lineNumber;
            yield return label;
        }
    }

    public static AiLabelLine ParseLine(string line, long lineNumber)
    {
        ArgumentNullException.ThrowIfNull(line);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException ex)
        {
            throw new AiLabelFormatException(lineNumber, null, $"is not valid JSON: {ex.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new AiLabelFormatException(lineNumber, null, "is not a JSON object.");
            }

            var item = RequiredString(root, "item", lineNumber);
            var choiceText = RequiredString(root, "choice", lineNumber);
            var choice = ParseChoice(choiceText)
                ?? throw new AiLabelFormatException(lineNumber, "choice", $"'{choiceText}' is not a choice; use \"A\", \"B\" or \"tie\".");
            var model = RequiredString(root, "model", lineNumber);
            if (model.Length > MaxModelLength)
            {
                throw new AiLabelFormatException(lineNumber, "model", $"is {model.Length} characters; at most {MaxModelLength}.");
            }

            double? confidence = null;
            if (root.TryGetProperty("confidence", out var c) && c.ValueKind != JsonValueKind.Null)
            {
                if (c.ValueKind != JsonValueKind.Number || !c.TryGetDouble(out var value))
                {
                    throw new AiLabelFormatException(lineNumber, "confidence", "must be a number from 0 to 1.");
                }

                if (value is < 0 or > 1 || !double.IsFinite(value))
                {
                    throw new AiLabelFormatException(lineNumber, "confidence", $"{value.ToString(CultureInfo.InvariantCulture)} is out of range; it must be from 0 to 1.");
                }

                confidence = value;
            }

            string? rationale = null;
            if (root.TryGetProperty("rationale", out var r) && r.ValueKind != JsonValueKind.Null)
            {
                if (r.ValueKind != JsonValueKind.String)
                {
                    throw new AiLabelFormatException(lineNumber, "rationale", "must be a string.");
                }

                rationale = r.GetString();
                if (rationale!.Length > MaxRationaleLength)
                {
                    throw new AiLabelFormatException(lineNumber, "rationale", $"is {rationale.Length} characters; at most {MaxRationaleLength}.");
                }
            }

            return new AiLabelLine(lineNumber, item, choice, confidence, model, string.IsNullOrWhiteSpace(rationale) ? null : rationale);
        }
    }

    /// <summary>A, B or tie, in any case (also "a"/"b" and "Tie"); null for anything else, both bad included.</summary>
    public static PreferenceChoice? ParseChoice(string? text) => text?.Trim().ToUpperInvariant() switch
    {
        "A" => PreferenceChoice.A,
        "B" => PreferenceChoice.B,
        "TIE" => PreferenceChoice.Tie,
        _ => null,
    };

    /// <summary>The file's spelling of a choice: A, B or tie.</summary>
    public static string Format(PreferenceChoice choice) => choice switch
    {
        PreferenceChoice.A => "A",
        PreferenceChoice.B => "B",
        PreferenceChoice.Tie => "tie",
        _ => "both bad",
    };

    private static string RequiredString(JsonElement root, string name, long lineNumber)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            throw new AiLabelFormatException(lineNumber, name, "is missing.");
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw new AiLabelFormatException(lineNumber, name, "must be a string.");
        }

        var text = value.GetString()!.Trim();
        return text.Length == 0 ? throw new AiLabelFormatException(lineNumber, name, "is empty.") : text;
    }
}
