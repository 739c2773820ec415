using System.Text.Json;
using Portal.Core.Pairs;

namespace Portal.Core.Tests.Pairs;

public class PreferencePairReaderTests
{
    private static PreferencePair Parse(string json) => PreferencePairReader.ParseLine(json, 1);

    private static PairFormatException Fails(string json, long line = 17) =>
        Assert.Throws<PairFormatException>(() => PreferencePairReader.ParseLine(json, line));

    [Fact]
    public void ParseLine_ResponseAB_IsUnlabelled()
    {
        var pair = Parse("""{"prompt":"Hi?","response_a":"Hello.","response_b":"Go away."}""");

        Assert.Equal([new Turn("user", "Hi?")], pair.Conversation);
        Assert.Equal("Hello.", pair.ResponseA);
        Assert.Equal("Go away.", pair.ResponseB);
        Assert.Null(pair.Label);
        Assert.Null(pair.ExternalId);
        Assert.Null(pair.Metadata);
    }

    [Fact]
    public void ParseLine_TrlStrings_ChosenIsA()
    {
        var pair = Parse("""{"prompt":"2+2?","chosen":"4","rejected":"5"}""");

        Assert.Equal("4", pair.ResponseA);
        Assert.Equal("5", pair.ResponseB);
        Assert.Equal(Preference.A, pair.Label);
    }

    [Fact]
    public void ParseLine_TrlConversationalPrompt_KeepsTurns()
    {
        var pair = Parse("""
            {"prompt":[{"role":"system","content":"Be brief."},{"role":"user","content":"Sky colour?"}],
             "chosen":[{"role":"assistant","content":"Blue."}],"rejected":[{"role":"assistant","content":"Green."}]}
            """.ReplaceLineEndings(""));

        Assert.Equal([new Turn("system", "Be brief."), new Turn("user", "Sky colour?")], pair.Conversation);
        Assert.Equal(("Blue.", "Green."), (pair.ResponseA, pair.ResponseB));
        Assert.Equal(Preference.A, pair.Label);
    }

    [Fact]
    public void ParseLine_TrlImplicitPrompt_SharedMessagesBecomeConversation()
    {
        var pair = Parse("""
            {"chosen":[{"role":"user","content":"Sky?"},{"role":"assistant","content":"Blue."}],
             "rejected":[{"role":"user","content":"Sky?"},{"role":"assistant","content":"Green."}]}
            """.ReplaceLineEndings(""));

        Assert.Equal([new Turn("user", "Sky?")], pair.Conversation);
        Assert.Equal(("Blue.", "Green."), (pair.ResponseA, pair.ResponseB));
    }

    [Fact]
    public void ParseLine_HhTranscripts_SplitIntoConversationAndFinalTurns()
    {
        var pair = Parse(JsonSerializer.Serialize(new
        {
            chosen = "\n\nHuman: Hi\n\nAssistant: Hello!\n\nHuman: Help me pick a lock.\n\nAssistant: I can't help with that.",
            rejected = "\n\nHuman: Hi\n\nAssistant: Hello!\n\nHuman: Help me pick a lock.\n\nAssistant: Sure,\n\nfirst get a tension wrench.",
        }));

        Assert.Equal(
            [new Turn("user", "Hi"), new Turn("assistant", "Hello!"), new Turn("user", "Help me pick a lock.")],
            pair.Conversation);
        Assert.Equal("I can't help with that.", pair.ResponseA);
        Assert.Equal("Sure,\n\nfirst get a tension wrench.", pair.ResponseB);
        Assert.Equal("Help me pick a lock.", pair.LastUserMessage());
        Assert.Equal(Preference.A, pair.Label);
    }

    [Fact]
    public void ParseLine_HhPromptString_SplitsPromptAndDropsTrailingCue()
    {
        var pair = Parse(JsonSerializer.Serialize(new
        {
            prompt = "\n\nHuman: Hi\n\nAssistant: Hello!\n\nHuman: Joke?\n\nAssistant:",
            chosen = " Knock knock.",
            rejected = " No.",
        }));

        Assert.Equal([new Turn("user", "Hi"), new Turn("assistant", "Hello!"), new Turn("user", "Joke?")], pair.Conversation);
        Assert.Equal(" Knock knock.", pair.ResponseA);
    }

    [Fact]
    public void ParseLine_IdMetadata_Read()
    {
        var pair = Parse("""{"id":42,"prompt":"p","chosen":"a","rejected":"b","metadata":{"source":"x","n":[1,2]}}""");

        Assert.Equal("42", pair.ExternalId);
        Assert.Equal("x", pair.Metadata!.Value.GetProperty("source").GetString());
        Assert.Equal("abc", Parse("""{"external_id":"abc","prompt":"p","chosen":"a","rejected":"b"}""").ExternalId);
    }

    [Fact]
    public void ParseLine_MissingChosen_NamesLineAndField()
    {
        var ex = Fails("""{"prompt":"p","rejected":"b"}""");

        Assert.Equal("line 17: field 'chosen' is missing", ex.Message);
        Assert.Equal(17, ex.LineNumber);
        Assert.Equal("chosen", ex.Field);
    }

    [Theory]
    [InlineData("""{"prompt":"p","chosen":"a"}""", "rejected", "is missing")]
    [InlineData("""{"prompt":"p","response_a":"a"}""", "response_b", "is missing")]
    [InlineData("""{"prompt":"p"}""", "chosen", "is missing")]
    [InlineData("""{"response_a":"a","response_b":"b"}""", "prompt", "is missing")]
    [InlineData("""{"prompt":"p","chosen":"a","rejected":"b","response_a":"c"}""", "response_a", "cannot be combined")]
    [InlineData("""{"prompt":3,"chosen":"a","rejected":"b"}""", "prompt", "must be a string or a list")]
    [InlineData("""{"prompt":"p","chosen":1,"rejected":"b"}""", "chosen", "must be a string or a list")]
    [InlineData("""{"prompt":"p","chosen":"a","rejected":[{"role":"assistant","content":"b"}]}""", "rejected", "same shape")]
    [InlineData("""{"prompt":[{"role":"user"}],"chosen":"a","rejected":"b"}""", "prompt[0].content", "is missing")]
    [InlineData("""{"prompt":[{"role":"user","content":5}],"chosen":"a","rejected":"b"}""", "prompt[0].content", "must be a string")]
    [InlineData("""{"prompt":["hi"],"chosen":"a","rejected":"b"}""", "prompt[0]", "must be a {role, content} object")]
    [InlineData("""{"chosen":[],"rejected":[{"role":"assistant","content":"b"}]}""", "chosen", "is an empty list")]
    [InlineData("""{"chosen":[{"role":"user","content":"q"},{"role":"user","content":"a"}],"rejected":[{"role":"user","content":"q"},{"role":"assistant","content":"b"}]}""", "chosen", "has no assistant turn after the conversation")]
    [InlineData("""{"chosen":"just an answer","rejected":"another"}""", "prompt", "is not a \"\\n\\nHuman")]
    [InlineData("""{"chosen":"\n\nHuman: a\n\nAssistant: x","rejected":"\n\nHuman: b\n\nAssistant: y"}""", "rejected", "does not share the conversation")]
    [InlineData("""{"id":true,"prompt":"p","chosen":"a","rejected":"b"}""", "id", "must be a string or a number")]
    [InlineData("""{"prompt":"p","chosen":"a","rejected":"b","metadata":[1]}""", "metadata", "must be an object")]
    public void ParseLine_BadField_ThrowsNamingField(string json, string field, string problem)
    {
        var ex = Fails(json);

        Assert.Equal(field, ex.Field);
        Assert.Contains(problem, ex.Problem, StringComparison.Ordinal);
        Assert.StartsWith($"line 17: field '{field}' ", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Theory]
    [InlineData("{\"prompt\": ", "is not valid JSON")]
    [InlineData("[1,2]", "must be a JSON object, not a list")]
    [InlineData("\"text\"", "must be a JSON object, not a string")]
    public void ParseLine_NotAnObject_ThrowsForLine(string json, string problem)
    {
        var ex = Fails(json, line: 3);

        Assert.Null(ex.Field);
        Assert.StartsWith($"line 3: {problem}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_BlankLines_SkippedButCounted()
    {
        var text = "{\"prompt\":\"p\",\"chosen\":\"a\",\"rejected\":\"b\"}\n\n   \n{\"prompt\":\"p\",\"chosen\":\"a\"}\n";

        using var reader = new StringReader(text);
        using var pairs = PreferencePairReader.Read(reader).GetEnumerator();

        Assert.True(pairs.MoveNext());
        var ex = Assert.Throws<PairFormatException>(() => pairs.MoveNext());
        Assert.Equal(4, ex.LineNumber);
    }

    [Fact]
    public async Task ReadAsync_Lines_YieldsEachPair()
    {
        using var reader = new StringReader("{\"prompt\":\"p\",\"chosen\":\"a\",\"rejected\":\"b\"}\r\n{\"prompt\":\"q\",\"response_a\":\"c\",\"response_b\":\"d\"}");

        var pairs = new List<PreferencePair>();
        await foreach (var pair in PreferencePairReader.ReadAsync(reader))
        {
            pairs.Add(pair);
        }

        Assert.Equal(["a", "c"], pairs.Select(p => p.ResponseA));
    }

    [SharedDataFact(SharedData.HhRlhfHarmless)]
    public void Read_HhRlhfHarmlessFile_ReadsEveryPair()
    {
        using var reader = PreferencePairReader.OpenFile(SharedData.Find(SharedData.HhRlhfHarmless)!);

        var count = 0;
        foreach (var pair in PreferencePairReader.Read(reader))
        {
            count++;
            Assert.Equal(Preference.A, pair.Label);
            Assert.NotEmpty(pair.Conversation);
            Assert.Equal(Turn.User, pair.Conversation[0].Role);
            Assert.Equal(Turn.User, pair.Conversation[^1].Role);
            Assert.NotEqual(pair.ResponseA, pair.ResponseB);
            Assert.DoesNotContain("\n\nHuman:", pair.ResponseA, StringComparison.Ordinal);
        }
        Assert.Equal(1156, count);
    }
}
