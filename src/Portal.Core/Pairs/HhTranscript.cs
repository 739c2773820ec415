using System.Text;

namespace Portal.Core.Pairs;

/// <summary>Anthropic HH-RLHF transcripts: <c>"\n\nHuman: … \n\nAssistant: …"</c>, turns separated by those two markers.</summary>
internal static class HhTranscript
{
    private const string HumanMarker = "\n\nHuman:";
    private const string AssistantMarker = "\n\nAssistant:";

    /// <summary>True when the text, after leading white space, opens with <c>Human:</c>.</summary>
    public static bool Looks(string text) => text.AsSpan().TrimStart().StartsWith("Human:", StringComparison.Ordinal);

    /// <summary>
    /// Why <paramref name="turns"/> (then <paramref name="finalAssistant"/>, when given) cannot be written as a transcript that
    /// <see cref="Parse"/> reads back to the same turns, or null when it can.
    /// </summary>
    /// <remarks>The format has only Human and Assistant turns, must open with a Human one, and has no way to escape a marker.</remarks>
    public static string? CannotFormat(IReadOnlyList<Turn> turns, string? finalAssistant)
    {
        if (CannotFormatSide(turns, []) is { } problem)
        {
            return problem;
        }
        return finalAssistant is not null && HasMarker(finalAssistant)
            ? "the response contains a \"\\n\\nHuman:\" or \"\\n\\nAssistant:\" marker and would read back as several turns"
            : null;
    }

    /// <summary>
    /// Why <paramref name="turns"/> then <paramref name="response"/> (a response of one or several turns) cannot be written as
    /// one transcript that <see cref="Parse"/> reads back to the same turns, or null when it can.
    /// </summary>
    public static string? CannotFormatSide(IReadOnlyList<Turn> turns, IReadOnlyList<Turn> response)
    {
        var count = turns.Count + response.Count;
        if (turns.Count == 0)
        {
            return "the conversation is empty; a transcript opens with a user turn";
        }
        if (turns[0].Role != Turn.User)
        {
            return $"the conversation opens with a '{turns[0].Role}' turn; a transcript opens with a user turn";
        }
        for (var i = 0; i < count; i++)
        {
            var (turn, where) = i < turns.Count ? (turns[i], $"turn {i + 1}") : (response[i - turns.Count], $"turn {i - turns.Count + 1} of the response");
            if (turn.Role is not (Turn.User or Turn.Assistant))
            {
                return $"{where} is a '{turn.Role}' turn; a transcript has only user (Human) and assistant turns";
            }
            if (HasMarker(turn.Content))
            {
                return i < turns.Count || response.Count > 1
                    ? $"{where} contains a \"\\n\\nHuman:\" or \"\\n\\nAssistant:\" marker and would read back as several turns"
                    : "the response contains a \"\\n\\nHuman:\" or \"\\n\\nAssistant:\" marker and would read back as several turns";
            }
        }
        return null;
    }

    /// <summary>
    /// Appends <c>"\n\nHuman: …"</c> / <c>"\n\nAssistant: …"</c> for each turn, then the final assistant turn, or, when
    /// <paramref name="finalAssistant"/> is null, the bare <c>"\n\nAssistant:"</c> cue that ends a prompt.
    /// Check <see cref="CannotFormat"/> first: this writes whatever it is given.
    /// </summary>
    public static void Format(StringBuilder destination, IReadOnlyList<Turn> turns, string? finalAssistant)
    {
        foreach (var turn in turns)
        {
            AppendTurn(destination, turn.Role == Turn.User ? HumanMarker : AssistantMarker, turn.Content);
        }
        if (finalAssistant is null)
        {
            destination.Append(AssistantMarker);
        }
        else
        {
            AppendTurn(destination, AssistantMarker, finalAssistant);
        }
    }

    /// <summary>
    /// Appends every turn of <paramref name="turns"/>, then every turn of <paramref name="response"/>, each after its marker: the
    /// whole transcript of one side of a pair. Check <see cref="CannotFormatSide"/> first.
    /// </summary>
    public static void FormatSide(StringBuilder destination, IReadOnlyList<Turn> turns, IReadOnlyList<Turn> response)
    {
        foreach (var turn in turns)
        {
            AppendTurn(destination, turn.Role == Turn.User ? HumanMarker : AssistantMarker, turn.Content);
        }
        foreach (var turn in response)
        {
            AppendTurn(destination, turn.Role == Turn.User ? HumanMarker : AssistantMarker, turn.Content);
        }
    }

    private static void AppendTurn(StringBuilder destination, string marker, string content)
    {
        destination.Append(marker);
        if (content.Length > 0)
        {
            destination.Append(' ').Append(content);
        }
    }

    private static bool HasMarker(string content) =>
        content.Contains(HumanMarker, StringComparison.Ordinal) || content.Contains(AssistantMarker, StringComparison.Ordinal);

    /// <summary>Splits a transcript into turns with trimmed content.</summary>
    /// <param name="dropEmptyLastAssistant">A prompt ends in an empty <c>"\n\nAssistant:"</c> that only cues the response; drop it.</param>
    public static List<Turn> Parse(string text, bool dropEmptyLastAssistant)
    {
        var span = string.Concat("\n\n", text.AsSpan().TrimStart()).AsSpan();
        var turns = new List<Turn>();
        string? role = null;
        var start = 0;
        while (true)
        {
            var rest = span[start..];
            var human = rest.IndexOf(HumanMarker, StringComparison.Ordinal);
            var assistant = rest.IndexOf(AssistantMarker, StringComparison.Ordinal);
            var isHuman = human >= 0 && (assistant < 0 || human < assistant);
            var at = isHuman ? human : assistant;
            if (role is not null)
            {
                turns.Add(new Turn(role, (at < 0 ? rest : rest[..at]).Trim().ToString()));
            }
            if (at < 0)
            {
                break;
            }
            role = isHuman ? Turn.User : Turn.Assistant;
            start += at + (isHuman ? HumanMarker.Length : AssistantMarker.Length);
        }
        if (dropEmptyLastAssistant && turns.Count > 0 && turns[^1] is { Role: Turn.Assistant, Content: "" })
        {
            turns.RemoveAt(turns.Count - 1);
        }
        return turns;
    }
}
