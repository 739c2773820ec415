using System.Text.Json;
using Portal.Core.Aggregation;
using Portal.Core.Pairs;

namespace Portal.Core.Tests.Pairs;

/// <summary>Pair files in the exact shape of the public datasets (field names, nesting, types as their dataset cards give them).</summary>
public class PublicFormatTests
{
    // HuggingFaceH4/ultrafeedback_binarized: prompt, prompt_id, chosen and rejected as message lists that repeat the prompt,
    // messages (= chosen), score_chosen and score_rejected as floats.
    private const string UltraFeedback = """
        {"prompt":"Which is bigger, 7 or 9?","prompt_id":"3a5f0c8e1b","chosen":[{"content":"Which is bigger, 7 or 9?","role":"user"},{"content":"9 is bigger.","role":"assistant"}],"rejected":[{"content":"Which is bigger, 7 or 9?","role":"user"},{"content":"7.","role":"assistant"}],"messages":[{"content":"Which is bigger, 7 or 9?","role":"user"},{"content":"9 is bigger.","role":"assistant"}],"score_chosen":8.5,"score_rejected":3.0}
        """;

    // lmsys/chatbot_arena_conversations: question_id, model_a, model_b, winner, judge, conversation_a/b (every turn of both
    // sides), turn, anony, language, tstamp, openai_moderation, toxic_chat_tag.
    private static string Arena(string winner, string question = "65d7e0d1") => $$$$"""
        {"question_id":"{{{{question}}}}","model_a":"vicuna-13b","model_b":"koala-13b","winner":"{{{{winner}}}}","judge":"arena_user_973","conversation_a":[{"content":"Name a prime.","role":"user"},{"content":"7.","role":"assistant"},{"content":"Another?","role":"user"},{"content":"11.","role":"assistant"}],"conversation_b":[{"content":"Name a prime.","role":"user"},{"content":"9.","role":"assistant"},{"content":"Another?","role":"user"},{"content":"15.","role":"assistant"}],"turn":2,"anony":true,"language":"English","tstamp":1682351591.1322,"openai_moderation":{"categories":{"harassment":false},"flagged":false},"toxic_chat_tag":{"roberta-large":{"flagged":false,"probability":0.008}}}
        """;

    // stanfordnlp/SHP: labels 1 when A was preferred, 0 when B.
    private static string Shp(int labels) => $$"""
        {"post_id":"himc90","domain":"askculinary_train","upvote_ratio":0.99,"history":"How long do I rest a steak?","c_root_id_A":"fv1tqzv","c_root_id_B":"fv1u2m2","created_at_utc_A":1593535113,"created_at_utc_B":1593535524,"score_A":32,"score_B":11,"human_ref_A":"About five minutes.","human_ref_B":"Don't bother.","labels":{{labels}},"seconds_difference":411.0,"score_ratio":2.909090909090909}
        """;

    private static List<PreferencePair> ReadAll(PairFileFormat format, params string[] lines)
    {
        using var reader = new StringReader(string.Join("\n", lines.Select(l => l.Trim())));
        return [.. PreferencePairReader.Read(reader, format)];
    }

    [Fact]
    public void Read_UltraFeedbackBinarized_PromptOnceScoresAndIdKept()
    {
        var pair = Assert.Single(ReadAll(PairFileFormat.Auto, UltraFeedback));

        Assert.Equal([new Turn("user", "Which is bigger, 7 or 9?")], pair.Conversation);
        Assert.Equal(("9 is bigger.", "7."), (pair.ResponseA, pair.ResponseB));
        Assert.Equal(Preference.A, pair.Label);
        Assert.Equal("3a5f0c8e1b", pair.ExternalId);
        var metadata = pair.Metadata!.Value;
        Assert.Equal(8.5, metadata.GetProperty("score_chosen").GetDouble());
        Assert.Equal(3.0, metadata.GetProperty("score_rejected").GetDouble());
        Assert.False(metadata.TryGetProperty("messages", out _));
        Assert.False(metadata.TryGetProperty("chosen", out _));
    }

    [Theory]
    [InlineData("model_a", Preference.A, PreferenceChoice.A)]
    [InlineData("model_b", Preference.B, PreferenceChoice.B)]
    [InlineData("tie", null, PreferenceChoice.Tie)]
    [InlineData("tie (bothbad)", null, PreferenceChoice.BothBad)]
    public void Read_ChatbotArena_WinnerBecomesTheLabelAndModelsAreKept(string winner, Preference? label, PreferenceChoice choice)
    {
        var pair = Assert.Single(ReadAll(PairFileFormat.Auto, Arena(winner)));

        Assert.Equal([new Turn("user", "Name a prime.")], pair.Conversation);
        Assert.Equal(["7.", "Another?", "11."], pair.ResponseTurnsA!.Select(t => t.Content));
        Assert.Equal(["9.", "Another?", "15."], pair.ResponseTurnsB!.Select(t => t.Content));
        Assert.Equal(label, pair.Label);
        Assert.Equal(choice, pair.FileChoice);
        Assert.Equal("arena_user_973", pair.FileRater);
        Assert.Equal("65d7e0d1", pair.ExternalId);
        var metadata = pair.Metadata!.Value;
        Assert.Equal("vicuna-13b", metadata.GetProperty("model_a").GetString());
        Assert.Equal("koala-13b", metadata.GetProperty("model_b").GetString());
        Assert.Equal(winner, metadata.GetProperty("winner").GetString());
        Assert.False(metadata.GetProperty("openai_moderation").GetProperty("flagged").GetBoolean());
    }

    [Fact]
    public void Read_ChatbotArenaUnknownWinner_NamesTheFieldAndTheValues()
    {
        var ex = Assert.Throws<PairFormatException>(() => ReadAll(PairFileFormat.Auto, Arena("model_a"), Arena("model_c")));

        Assert.Equal(2, ex.LineNumber);
        Assert.Equal("winner", ex.Field);
        Assert.Contains("tie (bothbad)", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, Preference.A)]
    [InlineData(0, Preference.B)]
    public void Read_Shp_LabelsSayWhichCommentWonAndScoresAreKept(int labels, Preference expected)
    {
        var pair = Assert.Single(ReadAll(PairFileFormat.Auto, Shp(labels)));

        Assert.Equal([new Turn("user", "How long do I rest a steak?")], pair.Conversation);
        Assert.Equal(("About five minutes.", "Don't bother."), (pair.ResponseA, pair.ResponseB));
        Assert.Equal(expected, pair.Label);
        Assert.Equal("fv1tqzv-fv1u2m2", pair.ExternalId);
        var metadata = pair.Metadata!.Value;
        Assert.Equal(32, metadata.GetProperty("score_A").GetInt32());
        Assert.Equal("askculinary_train", metadata.GetProperty("domain").GetString());
        Assert.Equal("himc90", metadata.GetProperty("post_id").GetString());
    }

    [Fact]
    public void Read_ShapeComesFromTheFirstRecord_ALaterLineOfAnotherShapeNamesItsMissingField()
    {
        var ex = Assert.Throws<PairFormatException>(() => ReadAll(PairFileFormat.Auto, Shp(1), UltraFeedback));

        Assert.Equal(2, ex.LineNumber);
        Assert.Equal("history", ex.Field);
    }

    [Fact]
    public void Read_ForcedFormat_ReadsTheFileAsThatShape()
    {
        var ex = Assert.Throws<PairFormatException>(() => ReadAll(PairFileFormat.Shp, UltraFeedback));

        Assert.Equal("history", ex.Field);
        Assert.Single(ReadAll(PairFileFormat.UltraFeedback, UltraFeedback));
    }

    [Fact]
    public void Read_UnknownShape_NamesTheShapesItKnows()
    {
        var ex = Assert.Throws<PairFormatException>(() => ReadAll(PairFileFormat.Auto, """{"question":"q","answer":"a"}"""));

        Assert.Equal(1, ex.LineNumber);
        Assert.Contains("question, answer", ex.Message, StringComparison.Ordinal);
        foreach (var shape in new[] { "TRL", "HH-RLHF", "UltraFeedback", "Chatbot Arena", "SHP" })
        {
            Assert.Contains(shape, ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Read_UltraFeedbackScoreNotANumber_NamesTheField()
    {
        var line = UltraFeedback.Replace("\"score_rejected\":3.0", "\"score_rejected\":\"low\"", StringComparison.Ordinal);

        var ex = Assert.Throws<PairFormatException>(() => ReadAll(PairFileFormat.Auto, line));

        Assert.Equal("score_rejected", ex.Field);
    }

    [Fact]
    public void Metadata_OfAPublicFormat_IsValidJsonOfItsOtherFields()
    {
        var pair = Assert.Single(ReadAll(PairFileFormat.Auto, Arena("tie")));

        using var document = JsonDocument.Parse(pair.Metadata!.Value.GetRawText());
        Assert.Equal(["question_id", "model_a", "model_b", "winner", "judge", "turn", "anony", "language", "tstamp", "openai_moderation", "toxic_chat_tag"],
            document.RootElement.EnumerateObject().Select(p => p.Name));
    }
}
