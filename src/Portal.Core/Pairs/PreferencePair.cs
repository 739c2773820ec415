using System.Text;
using System.Text.Json;

namespace Portal.Core.Pairs;

/// <summary>
/// A conversation and two candidate responses.
/// <see cref="Label"/> is the file's preference when it has one (<c>chosen</c>/<c>rejected</c> files put the chosen response in A).
/// </summary>
/// <remarks>
/// A response is usually one assistant turn. When the two sides of a file part before their last turn (TRL's
/// <c>extract_prompt</c> split), each side's response is every turn after the shared conversation: then
/// <see cref="ResponseTurnsA"/>/<see cref="ResponseTurnsB"/> hold those turns and <see cref="ResponseA"/>/<see cref="ResponseB"/>
/// the same turns as one text (see <see cref="ResponseTurns.Flatten"/>), for everything that reads a response as text.
/// </remarks>
public sealed record PreferencePair(
    string? ExternalId,
    IReadOnlyList<Turn> Conversation,
    string ResponseA,
    string ResponseB,
    Preference? Label,
    JsonElement? Metadata)
{
    /// <summary>Response A's turns when it has more than one (the sides parted early); null when it is one assistant turn.</summary>
    public IReadOnlyList<Turn>? ResponseTurnsA { get; init; }

    /// <summary>Response B's turns when it has more than one; null when it is one assistant turn.</summary>
    public IReadOnlyList<Turn>? ResponseTurnsB { get; init; }

    /// <summary>The file's own answer when it says more than A or B (a tie, both bad); null when it says nothing or only <see cref="Label"/>.</summary>
    public Aggregation.PreferenceChoice? FileChoice { get; init; }

    /// <summary>The file's answer for the pair: <see cref="FileChoice"/> when it says more than A or B, else <see cref="Label"/>; null when it says nothing.</summary>
    public Aggregation.PreferenceChoice? FileAnswer =>
        FileChoice ?? (Label is { } l ? (l == Preference.A ? Aggregation.PreferenceChoice.A : Aggregation.PreferenceChoice.B) : null);

    /// <summary>Who gave the file's label, when the file says (Chatbot Arena's <c>judge</c>); null otherwise.</summary>
    public string? FileRater { get; init; }

    /// <summary>True when the two sides parted before their last turn, so at least one response has several turns.</summary>
    public bool SplitEarly => ResponseTurnsA is not null || ResponseTurnsB is not null;

    /// <summary>The same pair with A and B exchanged (and the label with them).</summary>
    public PreferencePair Swap() => this with
    {
        ResponseA = ResponseB,
        ResponseB = ResponseA,
        ResponseTurnsA = ResponseTurnsB,
        ResponseTurnsB = ResponseTurnsA,
        Label = Label?.Flip(),
        FileChoice = FileChoice switch
        {
            Aggregation.PreferenceChoice.A => Aggregation.PreferenceChoice.B,
            Aggregation.PreferenceChoice.B => Aggregation.PreferenceChoice.A,
            var other => other,
        },
    };

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

/// <summary>Responses of several turns.</summary>
public static class ResponseTurns
{
    /// <summary>
    /// The turns as one text: the first turn's content, then <c>"\n\nHuman: …"</c> / <c>"\n\nAssistant: …"</c> for each later
    /// turn (another role by its own name). For an HH-RLHF pair that is the rest of the transcript after the shared part, as
    /// TRL's string <c>extract_prompt</c> leaves it.
    /// </summary>
    public static string Flatten(IReadOnlyList<Turn> turns)
    {
        ArgumentNullException.ThrowIfNull(turns);
        if (turns.Count == 1)
        {
            return turns[0].Content;
        }
        var text = new StringBuilder(turns[0].Content);
        for (var i = 1; i < turns.Count; i++)
        {
            var name = turns[i].Role switch
            {
                Turn.User => "Human",
                Turn.Assistant => "Assistant",
                var role => role,
            };
            text.Append("\n\n").Append(name).Append(':');
            if (turns[i].Content.Length > 0)
            {
                text.Append(' ').Append(turns[i].Content);
            }
        }
        return text.ToString();
    }

    /// <summary>The turns when there are several, or null when the response is one assistant turn (its content is the text).</summary>
    public static IReadOnlyList<Turn>? OrNull(IReadOnlyList<Turn> turns) =>
        turns.Count == 1 && turns[0].Role == Turn.Assistant ? null : turns;
}
