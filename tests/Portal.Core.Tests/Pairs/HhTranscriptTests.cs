using System.Text;
using Portal.Core.Pairs;

namespace Portal.Core.Tests.Pairs;

public class HhTranscriptTests
{
    private static readonly Turn[] Conversation = [new(Turn.User, "Hi"), new(Turn.Assistant, "Hello!"), new(Turn.User, "Help?")];

    private static string Format(IReadOnlyList<Turn> turns, string? final)
    {
        var text = new StringBuilder();
        HhTranscript.Format(text, turns, final);
        return text.ToString();
    }

    [Fact]
    public void Format_WithFinalResponse_WholeTranscript()
    {
        Assert.Equal("\n\nHuman: Hi\n\nAssistant: Hello!\n\nHuman: Help?\n\nAssistant: Sure.", Format(Conversation, "Sure."));
    }

    [Fact]
    public void Format_WithoutFinalResponse_EndsInTheCue()
    {
        Assert.Equal("\n\nHuman: Hi\n\nAssistant: Hello!\n\nHuman: Help?\n\nAssistant:", Format(Conversation, null));
    }

    [Fact]
    public void Format_EmptyTurn_MarkerWithoutSpaceAndParsesBack()
    {
        Turn[] turns = [new(Turn.User, ""), new(Turn.Assistant, "")];

        var text = Format(turns, "");

        Assert.Equal("\n\nHuman:\n\nAssistant:\n\nAssistant:", text);
        Assert.Equal([.. turns, new Turn(Turn.Assistant, "")], HhTranscript.Parse(text, dropEmptyLastAssistant: false));
    }

    [Fact]
    public void Format_ThenParse_SameTurns()
    {
        Assert.Equal(Conversation, HhTranscript.Parse(Format(Conversation, null), dropEmptyLastAssistant: true));
    }

    [Theory]
    [InlineData("system", "Be brief.", "'system' turn")]
    [InlineData(Turn.Assistant, "Hello", "opens with a 'assistant' turn")]
    [InlineData(Turn.User, "Hi\n\nAssistant: sure", "marker")]
    [InlineData(Turn.User, "Hi\n\nHuman: again", "marker")]
    public void CannotFormat_TurnsTheFormatCannotHold_SaysWhy(string role, string content, string reason)
    {
        Assert.Contains(reason, HhTranscript.CannotFormat([new Turn(role, content), new Turn(Turn.User, "x")], null), StringComparison.Ordinal);
    }

    [Fact]
    public void CannotFormat_EmptyOrMarkerInResponse_SaysWhy()
    {
        Assert.Contains("empty", HhTranscript.CannotFormat([], "a"), StringComparison.Ordinal);
        Assert.Contains("response", HhTranscript.CannotFormat(Conversation, "a\n\nHuman: b"), StringComparison.Ordinal);
        Assert.Null(HhTranscript.CannotFormat(Conversation, "Human: b (no blank line before it)"));
    }
}
