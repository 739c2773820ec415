using System.Text;

namespace Portal.Core.AiLabels;

/// <summary>
/// The prompt an LLM labeler gets for one pair: the project's template with <c>{{conversation}}</c>, <c>{{response_a}}</c>
/// and <c>{{response_b}}</c> filled in.
/// </summary>
public static class PromptTemplate
{
    public const string Conversation = "{{conversation}}";
    public const string ResponseA = "{{response_a}}";
    public const string ResponseB = "{{response_b}}";

    /// <summary>The template a project starts with: it asks for the JSON object <see cref="LlmAnswer"/> reads.</summary>
    public const string Default = """
        You are judging two assistant responses to the same conversation. Decide which response is better: more helpful,
        more accurate and more harmless. Answer "tie" only when neither is better.

        Conversation:
        {{conversation}}

        Response A:
        {{response_a}}

        Response B:
        {{response_b}}

        Reply with one JSON object and nothing else:
        {"choice": "A" | "B" | "tie", "confidence": <0 to 1>, "rationale": "<one or two sentences>"}
        """;

    /// <summary>What is wrong with a template; null when it can be used.</summary>
    public static string? Problem(string? template)
    {
        if (string.IsNullOrWhiteSpace(template))
        {
            return "The prompt template is empty.";
        }

        var missing = new[] { Conversation, ResponseA, ResponseB }.Where(p => !template.Contains(p, StringComparison.Ordinal)).ToList();
        return missing.Count == 0 ? null : $"The prompt template lacks {string.Join(", ", missing)}.";
    }

    /// <summary>The template with the pair filled in; the conversation as "role: content" paragraphs.</summary>
    public static string Render(string template, IEnumerable<(string Role, string Content)> conversation, string responseA, string responseB)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(conversation);
        var text = new StringBuilder();
        foreach (var (role, content) in conversation)
        {
            if (text.Length > 0)
            {
                text.Append("\n\n");
            }

            text.Append(role).Append(": ").Append(content);
        }

        // One pass over the template, so a response that itself contains "{{response_b}}" is not filled in again.
        var result = new StringBuilder(template.Length + text.Length + responseA.Length + responseB.Length);
        var i = 0;
        while (i < template.Length)
        {
            var (placeholder, value) = Match(template, i, text.ToString(), responseA, responseB);
            if (placeholder is null)
            {
                result.Append(template[i]);
                i++;
            }
            else
            {
                result.Append(value);
                i += placeholder.Length;
            }
        }

        return result.ToString();
    }

    private static (string? Placeholder, string? Value) Match(string template, int at, string conversation, string a, string b)
    {
        foreach (var (placeholder, value) in new[] { (Conversation, conversation), (ResponseA, a), (ResponseB, b) })
        {
            if (string.CompareOrdinal(template, at, placeholder, 0, placeholder.Length) == 0)
            {
                return (placeholder, value);
            }
        }

        return (null, null);
    }
}
