using System.Text.Json;

namespace Portal.Core.Pairs;

/// <summary>
/// A conversation and two candidate final assistant responses.
/// <see cref="Label"/> is the file's preference when it has one (<c>chosen</c>/<c>rejected</c> files put the chosen response in A).
/// </summary>
public sealed record PreferencePair(
    string? ExternalId,
    IReadOnlyList<Turn> Conversation,
    string ResponseA,
    string ResponseB,
    Preference? Label,
    JsonElement? Metadata)
{
    /// <summary>The same pair with A and B exchanged (and the label with them).</summary>
    public PreferencePair Swap() => this with { ResponseA = ResponseB, ResponseB = ResponseA, Label = Label?.Flip() };

    /// <summary>The content of the last user turn, or "" when there is none: what the responses answer.</summary>
    public string LastUserMessage()
    {
        for (var i = Conversation.Count - 1; i >= 0; i--)
        {
            if (Conversation[i].Role == Turn.User)
            {
                return Conversation[i].Content;
            }
        }
        return "";
    }
}
