using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Portal.Core.Aggregation;

namespace Portal.Core.AiLabels;

/// <summary>What an LLM labeler answered, once read: its choice, and the confidence and rationale when it gave them.</summary>
public sealed record LlmVerdict(PreferenceChoice Choice, double? Confidence, string? Rationale);

/// <summary>
/// Reads a labeler's answer leniently: the prompt asks for a JSON object <c>{"choice", "confidence", "rationale"}</c>,
/// and models wrap it in prose or a Markdown fence, say "Response A" for "A", or give confidence as a percentage.
/// </summary>
/// <remarks>
/// Lenient, not credulous: an answer with no recognisable choice is not a label. <see cref="TryParse"/> then says why, so the
/// answer can be kept as an error for the admin to read instead of becoming a guess in the training data.
/// </remarks>
public static partial class LlmAnswer
{
    public static bool TryParse(string? content, out LlmVerdict? verdict, out string? error)
    {
        verdict = null;
        if (string.IsNullOrWhiteSpace(content))
        {
            error = "The answer is empty.";
            return false;
        }

        var start = content.IndexOf('{', StringComparison.Ordinal);
        var end = content.LastIndexOf('}');
        if (start >= 0 && end > start)
        {
            try
            {
                using var document = JsonDocument.Parse(content[start..(end + 1)], new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
                if (document.RootElement.ValueKind == JsonValueKind.Object)
                {
                    return FromJson(document.RootElement, out verdict, out error);
                }
            }
            catch (JsonException)
            {
                // Not JSON after all: try the plain-text forms below.
            }
        }

        var match = ChoiceLine().Match(content);
        if (match.Success && ParseChoice(match.Groups["choice"].Value) is { } choice)
        {
            var confidence = ConfidenceLine().Match(content) is { Success: true } c ? ParseConfidence(c.Groups["value"].Value) : null;
            verdict = new LlmVerdict(choice, confidence, Trim(content));
            error = null;
            return true;
        }

        error = "The answer has no JSON object with a choice, and no line like \"choice: A\".";
        return false;
    }

    private static bool FromJson(JsonElement root, out LlmVerdict? verdict, out string? error)
    {
        verdict = null;
        var choiceElement = Property(root, "choice", "preference", "winner", "answer", "label", "better");
        if (choiceElement is not { ValueKind: JsonValueKind.String } ce || ParseChoice(ce.GetString()) is not { } choice)
        {
            error = choiceElement is null
                ? "The answer's JSON has no \"choice\"."
                : $"The answer's choice {choiceElement.Value.GetRawText()} is not A, B or tie.";
            return false;
        }

        double? confidence = null;
        if (Property(root, "confidence", "probability", "certainty") is { } c)
        {
            confidence = c.ValueKind switch
            {
                JsonValueKind.Number => ParseConfidence(c.GetDouble().ToString("R", CultureInfo.InvariantCulture)),
                JsonValueKind.String => ParseConfidence(c.GetString()),
                _ => null,
            };
        }

        var rationale = Property(root, "rationale", "reason", "reasoning", "explanation") is { ValueKind: JsonValueKind.String } r ? Trim(r.GetString()) : null;
        verdict = new LlmVerdict(choice, confidence, rationale);
        error = null;
        return true;
    }

    private static JsonElement? Property(JsonElement root, params string[] names)
    {
        foreach (var p in root.EnumerateObject())
        {
            if (names.Any(n => string.Equals(n, p.Name, StringComparison.OrdinalIgnoreCase)) && p.Value.ValueKind != JsonValueKind.Null)
            {
                return p.Value;
            }
        }

        return null;
    }

    /// <summary>A, B or tie, also as "Response A", "a", "equal", "tie (both fine)"; null otherwise.</summary>
    public static PreferenceChoice? ParseChoice(string? text)
    {
        var t = (text ?? "").Trim().Trim('"', '\'', '.', '*').ToUpperInvariant();
        if (t.StartsWith("RESPONSE ", StringComparison.Ordinal))
        {
            t = t["RESPONSE ".Length..].Trim();
        }

        return t switch
        {
            "A" => PreferenceChoice.A,
            "B" => PreferenceChoice.B,
            "TIE" or "EQUAL" or "SAME" or "NEITHER" or "BOTH" => PreferenceChoice.Tie,
            _ when t.StartsWith("TIE", StringComparison.Ordinal) => PreferenceChoice.Tie,
            _ => null,
        };
    }

    /// <summary>A share 0…1; "83%" and 83 read as 0.83; anything else (negative, over 100, not a number) as unknown.</summary>
    private static double? ParseConfidence(string? text)
    {
        var t = (text ?? "").Trim();
        var percent = t.EndsWith('%');
        if (!double.TryParse(percent ? t[..^1] : t, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
        {
            return null;
        }

        if (percent || v is > 1 and <= 100)
        {
            v /= 100;
        }

        return v is >= 0 and <= 1 ? v : null;
    }

    private static string? Trim(string? text)
    {
        var t = text?.Trim();
        return string.IsNullOrEmpty(t) ? null : t.Length > AiLabelFileReader.MaxRationaleLength ? t[..AiLabelFileReader.MaxRationaleLength] : t;
    }

    [GeneratedRegex(@"(?im)^\W*(choice|preference|winner|answer|better)\W*[:=]\s*\W*(?<choice>response\s+[ab]|[ab]|tie)\b")]
    private static partial Regex ChoiceLine();

    [GeneratedRegex(@"(?im)confidence\W*[:=]\s*(?<value>[0-9.]+%?)")]
    private static partial Regex ConfidenceLine();
}
