namespace Portal.Core.Pairs;

/// <summary>Anthropic HH-RLHF transcripts: <c>"\n\nHuman: … \n\nAssistant: …"</c>, turns separated by those two markers.</summary>
internal static class HhTranscript
{
    private const string HumanMarker = "\n\nHuman:";
    private const string AssistantMarker = "\n\nAssistant:";

    /// <summary>True when the text, after leading white space, opens with <c>Human:</c>.</summary>
    public static bool Looks(string text) => text.AsSpan().TrimStart().StartsWith("Human:", StringComparison.Ordinal);

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
