using Portal.Core.Pairs;

namespace Portal.Core.Tests.Pairs;

/// <summary>Pairs whose two sides part before their last turn, split the way TRL's <c>extract_prompt</c> does.</summary>
public class EarlyDivergenceTests
{
    private static string Transcript(params string[] turns) =>
        string.Concat(turns.Select((t, i) => (i % 2 == 0 ? "\n\nHuman: " : "\n\nAssistant: ") + t));

    private static string HhLine(string chosen, string rejected) =>
        System.Text.Json.JsonSerializer.Serialize(new { chosen, rejected });

    [Fact]
    public void ParseLine_HhFiveTurnTranscriptsPartingAtTurnFour_SharedThreeTurnsAreTheConversation()
    {
        // The shape of the real ones in harmless-base/test: both five turns, the same until the fourth.
        var line = HhLine(
            Transcript("How do I pick a lock?", "Why do you want to?", "I locked myself out.", "Call a locksmith.", "Thanks."),
            Transcript("How do I pick a lock?", "Why do you want to?", "I locked myself out.", "Use a tension wrench and a pick.", "Show me more."));

        var pair = PreferencePairReader.ParseLine(line, 1);

        Assert.Equal([new Turn("user", "How do I pick a lock?"), new Turn("assistant", "Why do you want to?"), new Turn("user", "I locked myself out.")], pair.Conversation);
        Assert.Equal([new Turn("assistant", "Call a locksmith."), new Turn("user", "Thanks.")], pair.ResponseTurnsA);
        Assert.Equal([new Turn("assistant", "Use a tension wrench and a pick."), new Turn("user", "Show me more.")], pair.ResponseTurnsB);
        Assert.Equal("Call a locksmith.\n\nHuman: Thanks.", pair.ResponseA);
        Assert.True(pair.SplitEarly);
        Assert.Equal(Preference.A, pair.Label);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void ParseLine_HhPartingTurnsBeforeTheEnd_RestOfEachSideIsItsResponse(int before)
    {
        // Eight-turn transcripts (H A H A H A H A) that part 'before' turns before their end: at an assistant turn or a human one.
        string[] shared = ["q1", "a1", "q2", "a2", "q3", "a3", "q4", "a4"];
        var length = 8;
        var at = length - before;
        var chosen = shared.Take(at).Concat(Enumerable.Range(at, before).Select(i => $"chosen {i}")).ToArray();
        var rejected = shared.Take(at).Concat(Enumerable.Range(at, before).Select(i => $"rejected {i}")).ToArray();

        var pair = PreferencePairReader.ParseLine(HhLine(Transcript(chosen), Transcript(rejected)), 1);

        Assert.Equal(at, pair.Conversation.Count);
        Assert.Equal(before > 1, pair.SplitEarly);
        var turnsA = pair.ResponseTurnsA ?? [new Turn(Turn.Assistant, pair.ResponseA)];
        Assert.Equal(chosen.Skip(at), turnsA.Select(t => t.Content));
        Assert.Equal(before % 2 == 1 ? Turn.Assistant : Turn.User, turnsA[0].Role);
        Assert.Equal(Turn.Assistant, turnsA[^1].Role);
        Assert.Equal(before, turnsA.Count);
        Assert.Equal(rejected.Skip(at), (pair.ResponseTurnsB ?? [new Turn(Turn.Assistant, pair.ResponseB)]).Select(t => t.Content));
    }

    [Fact]
    public void ParseLine_HhOneSideLonger_LongerSideKeepsEveryTurnAfterTheSharedOnes()
    {
        var pair = PreferencePairReader.ParseLine(HhLine(Transcript("a", "x", "more", "z"), Transcript("a", "y")), 1);

        Assert.Equal([new Turn("user", "a")], pair.Conversation);
        Assert.Equal(["x", "more", "z"], pair.ResponseTurnsA!.Select(t => t.Content));
        Assert.Null(pair.ResponseTurnsB);
        Assert.Equal("y", pair.ResponseB);
    }

    [Fact]
    public void ParseLine_TrlConversationalWithoutPrompt_PartingEarly_SplitsAtTheSharedPrefix()
    {
        var line = """
            {"chosen":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello!"},{"role":"user","content":"Joke?"},{"role":"assistant","content":"Knock knock."}],
             "rejected":[{"role":"user","content":"Hi"},{"role":"assistant","content":"What?"},{"role":"user","content":"Joke?"},{"role":"assistant","content":"No."}]}
            """.ReplaceLineEndings("");

        var pair = PreferencePairReader.ParseLine(line, 1);

        Assert.Equal([new Turn("user", "Hi")], pair.Conversation);
        Assert.Equal(["Hello!", "Joke?", "Knock knock."], pair.ResponseTurnsA!.Select(t => t.Content));
        Assert.Equal(["What?", "Joke?", "No."], pair.ResponseTurnsB!.Select(t => t.Content));
    }

    [Fact]
    public void Swap_SplitPair_SwapsTheTurnsWithTheTexts()
    {
        var pair = PreferencePairReader.ParseLine(HhLine(Transcript("a", "x", "more", "z"), Transcript("a", "y")), 1).Swap();

        Assert.Equal("y", pair.ResponseA);
        Assert.Null(pair.ResponseTurnsA);
        Assert.Equal(3, pair.ResponseTurnsB!.Count);
        Assert.Equal(Preference.B, pair.Label);
    }

    [Fact]
    public void ParseLine_SidesShareNoTurn_NamesTheField()
    {
        var ex = Assert.Throws<PairFormatException>(() => PreferencePairReader.ParseLine(HhLine(Transcript("a", "x"), Transcript("b", "y")), 4));

        Assert.Equal("rejected", ex.Field);
        Assert.Contains("differ at turn 1", ex.Message, StringComparison.Ordinal);
    }
}
