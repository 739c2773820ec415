using System.Text;
using System.Text.Json;
using Portal.Core.Aggregation;

namespace Portal.Core.AiLabels;

/// <summary>What a correctness check said of each response; null where it said nothing readable.</summary>
/// <param name="Reference">"item" when the item's reference answer was given, "self" when the model solved the problem itself first.</param>
public sealed record CheckVerdict(bool? ACorrect, bool? BCorrect, string Reference, string? Solution, string? Reason);

/// <summary>
/// The correctness check that comes before the preference on categories routed <c>ai-checked</c> (HRLAIF, Li et al. 2024):
/// the labeler is asked, for each response, whether it is correct, against the item's reference answer when there is one,
/// else after solving the problem itself. A response judged wrong loses to one judged right whatever the style; when both
/// are right or both wrong (or the check says nothing readable), the preference decides.
/// </summary>
public static class CorrectnessCheck
{
    /// <summary>The prompt when the item has a reference answer.</summary>
    public const string WithReference = """
        You are checking two assistant responses for correctness, not style. The reference answer is correct.

        Conversation:
        {{conversation}}

        Reference answer:
        {{reference}}

        Response A:
        {{response_a}}

        Response B:
        {{response_b}}

        For each response, decide whether its final answer agrees with the reference answer.
        Reply with one JSON object and nothing else:
        {"a_correct": true | false, "b_correct": true | false, "reason": "<one sentence>"}
        """;

    /// <summary>The prompt when it has none: solve first, then judge.</summary>
    public const string SolveFirst = """
        You are checking two assistant responses for correctness, not style. First solve the problem in the conversation
        yourself, step by step; then, for each response, decide whether its final answer agrees with your solution.

        Conversation:
        {{conversation}}

        Response A:
        {{response_a}}

        Response B:
        {{response_b}}

        Reply with one JSON object and nothing else:
        {"solution": "<your worked answer>", "a_correct": true | false, "b_correct": true | false, "reason": "<one sentence>"}
        """;

    /// <summary>The check prompt for one pair: with the reference answer when there is one, else the solve-first one.</summary>
    public static string Render(string conversation, string responseA, string responseB, string? reference)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        var template = string.IsNullOrWhiteSpace(reference) ? SolveFirst : WithReference;
        // Filled in one pass, so a response that itself contains a placeholder is not filled in again.
        var values = new (string Placeholder, string Value)[]
        {
            ("{{conversation}}", conversation), ("{{reference}}", reference ?? ""), ("{{response_a}}", responseA), ("{{response_b}}", responseB),
        };
        var result = new StringBuilder(template.Length + conversation.Length + responseA.Length + responseB.Length);
        var i = 0;
        while (i < template.Length)
        {
            var hit = Array.FindIndex(values, v => string.CompareOrdinal(template, i, v.Placeholder, 0, v.Placeholder.Length) == 0);
            if (hit < 0)
            {
                result.Append(template[i++]);
            }
            else
            {
                result.Append(values[hit].Value);
                i += values[hit].Placeholder.Length;
            }
        }

        return result.ToString();
    }

    /// <summary>Reads the check's answer: the first JSON object in it, with <c>a_correct</c> and <c>b_correct</c> as booleans (or "yes"/"no", "correct"/"wrong").</summary>
    public static CheckVerdict Parse(string? content, bool hasReference)
    {
        var reference = hasReference ? "item" : "self";
        if (string.IsNullOrWhiteSpace(content))
        {
            return new CheckVerdict(null, null, reference, null, null);
        }

        var start = content.IndexOf('{', StringComparison.Ordinal);
        var end = content.LastIndexOf('}');
        if (start < 0 || end <= start)
        {
            return new CheckVerdict(null, null, reference, null, null);
        }

        try
        {
            using var doc = JsonDocument.Parse(content[start..(end + 1)], new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return new CheckVerdict(null, null, reference, null, null);
            }

            return new CheckVerdict(Flag(root, "a_correct"), Flag(root, "b_correct"), reference, Text(root, "solution"), Text(root, "reason"));
        }
        catch (JsonException)
        {
            return new CheckVerdict(null, null, reference, null, null);
        }
    }

    /// <summary>
    /// The label after the check: the right response when exactly one was judged right, else the preference.
    /// </summary>
    /// <returns>The choice, and whether the check (not the preference) decided it.</returns>
    public static (PreferenceChoice Choice, bool DecidedByCheck) Decide(CheckVerdict check, PreferenceChoice preference)
    {
        ArgumentNullException.ThrowIfNull(check);
        return (check.ACorrect, check.BCorrect) switch
        {
            (true, false) => (PreferenceChoice.A, true),
            (false, true) => (PreferenceChoice.B, true),
            _ => (preference, false),
        };
    }

    private static bool? Flag(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var v))
        {
            return null;
        }

        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.String => v.GetString()!.Trim().ToLowerInvariant() switch
            {
                "true" or "yes" or "correct" or "right" => true,
                "false" or "no" or "incorrect" or "wrong" => false,
                _ => null,
            },
            _ => null,
        };
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? Cut(v.GetString()!) : null;

    private static string Cut(string s) => s.Length > 4000 ? s[..4000] : s;
}

/// <summary>The category prompt: asks the labeler which of the project's categories an item belongs to.</summary>
public static class CategoryPrompt
{
    public const string Conversation = "{{conversation}}";
    public const string Categories = "{{categories}}";

    public const string Default = """
        Which category does this conversation belong to? Choose exactly one of: {{categories}}.

        Conversation:
        {{conversation}}

        Reply with one JSON object and nothing else: {"category": "<one of the categories>"}
        """;

    /// <summary>What is wrong with a category prompt; null when it can be used.</summary>
    public static string? Problem(string? template) =>
        string.IsNullOrWhiteSpace(template) ? "The category prompt is empty."
        : !template.Contains(Conversation, StringComparison.Ordinal) ? $"The category prompt lacks {Conversation}."
        : template.Length > 20000 ? "The category prompt is at most 20,000 characters."
        : null;

    public static string Render(string template, string conversation, IEnumerable<string> categories)
    {
        ArgumentNullException.ThrowIfNull(template);
        var list = string.Join(", ", categories);
        var conversationAt = template.IndexOf(Conversation, StringComparison.Ordinal);
        // The conversation goes in last, so a conversation that contains "{{categories}}" is not filled in.
        var head = conversationAt < 0 ? template : template[..conversationAt];
        var tail = conversationAt < 0 ? "" : template[(conversationAt + Conversation.Length)..];
        return head.Replace(Categories, list, StringComparison.Ordinal) + (conversationAt < 0 ? "" : conversation)
            + tail.Replace(Categories, list, StringComparison.Ordinal);
    }

    /// <summary>
    /// The category the answer names: a JSON <c>category</c> field or the answer's first line, matched to one of
    /// <paramref name="known"/> ignoring case (quotes and a trailing full stop dropped); null when it names none of them.
    /// With no known categories, any name of 1 to 100 characters is taken.
    /// </summary>
    public static string? Parse(string? content, IReadOnlyCollection<string> known)
    {
        ArgumentNullException.ThrowIfNull(known);
        if (string.IsNullOrWhiteSpace(content))
        {
            return null;
        }

        string? named = null;
        var start = content.IndexOf('{', StringComparison.Ordinal);
        var end = content.LastIndexOf('}');
        if (start >= 0 && end > start)
        {
            try
            {
                using var doc = JsonDocument.Parse(content[start..(end + 1)]);
                if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("category", out var c) && c.ValueKind == JsonValueKind.String)
                {
                    named = c.GetString();
                }
            }
            catch (JsonException)
            {
                // Not JSON: read the first line below.
            }
        }

        named ??= content.Trim().Split('\n')[0];
        named = named.Trim().Trim('"', '\'', '`', '*').TrimEnd('.').Trim();
        if (known.Count == 0)
        {
            return named.Length is > 0 and <= 100 ? named : null;
        }

        return known.FirstOrDefault(k => string.Equals(k, named, StringComparison.OrdinalIgnoreCase));
    }
}
