using System.Text;
using System.Text.Json;
using Portal.Core.Aggregation;
using Portal.Core.Export;
using Portal.Core.Pairs;
using static Portal.Core.Tests.Export.ExportRows;

namespace Portal.Core.Tests.Export;

public class PairExportTests
{
    private static string Lines(params string[] lines) => string.Concat(lines.Select(l => l + "\n"));

    [Fact]
    public void Write_TrlPlain_MatchesGolden()
    {
        Assert.Equal(
            Lines(
                """{"prompt":"What is 2+2?","chosen":"4","rejected":"5","id":"q1","metadata":{"topic":"math"},"provenance":{"label_source":"human","ai_model":null,"ratings":4,"agreement":0.75,"aggregation":"majority_vote","strength":1.5,"guideline_version":2,"shown_left":{"chosen":3,"rejected":1},"annotators":["ann-2912efe847ba","ann-c49dc017978a"]}}""",
                """{"prompt":"\n\nHuman: Hi\n\nAssistant: Hello! How can I help?\n\nHuman: Say \"hi\" in French.\n\nAssistant:","chosen":"Salut, « hi » <b>!</b>","rejected":"Hi.","id":"q2","metadata":null,"provenance":{"label_source":"ai_confirmed_by_humans","ai_model":"judge-1","ratings":2,"agreement":1,"aggregation":"dawid_skene","strength":2,"guideline_version":3,"shown_left":{"chosen":2,"rejected":0},"annotators":["ann-c49dc017978a"]}}"""),
            WritePairs(PairRows(), ExportFormat.TrlPlain));
    }

    [Fact]
    public void Write_TrlConversational_MatchesGolden()
    {
        Assert.Equal(
            Lines(
                """{"prompt":[{"role":"user","content":"What is 2+2?"}],"chosen":[{"role":"assistant","content":"4"}],"rejected":[{"role":"assistant","content":"5"}],"id":"q1","metadata":{"topic":"math"},"provenance":{"label_source":"human","ai_model":null,"ratings":4,"agreement":0.75,"aggregation":"majority_vote","strength":1.5,"guideline_version":2,"shown_left":{"chosen":3,"rejected":1},"annotators":["ann-2912efe847ba","ann-c49dc017978a"]}}""",
                """{"prompt":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello! How can I help?"},{"role":"user","content":"Say \"hi\" in French."}],"chosen":[{"role":"assistant","content":"Salut, « hi » <b>!</b>"}],"rejected":[{"role":"assistant","content":"Hi."}],"id":"q2","metadata":null,"provenance":{"label_source":"ai_confirmed_by_humans","ai_model":"judge-1","ratings":2,"agreement":1,"aggregation":"dawid_skene","strength":2,"guideline_version":3,"shown_left":{"chosen":2,"rejected":0},"annotators":["ann-c49dc017978a"]}}"""),
            WritePairs(PairRows(), ExportFormat.TrlConversational));
    }

    [Fact]
    public void Write_HhRlhf_MatchesGolden()
    {
        Assert.Equal(
            Lines(
                """{"chosen":"\n\nHuman: What is 2+2?\n\nAssistant: 4","rejected":"\n\nHuman: What is 2+2?\n\nAssistant: 5","id":"q1","metadata":{"topic":"math"},"provenance":{"label_source":"human","ai_model":null,"ratings":4,"agreement":0.75,"aggregation":"majority_vote","strength":1.5,"guideline_version":2,"shown_left":{"chosen":3,"rejected":1},"annotators":["ann-2912efe847ba","ann-c49dc017978a"]}}""",
                """{"chosen":"\n\nHuman: Hi\n\nAssistant: Hello! How can I help?\n\nHuman: Say \"hi\" in French.\n\nAssistant: Salut, « hi » <b>!</b>","rejected":"\n\nHuman: Hi\n\nAssistant: Hello! How can I help?\n\nHuman: Say \"hi\" in French.\n\nAssistant: Hi.","id":"q2","metadata":null,"provenance":{"label_source":"ai_confirmed_by_humans","ai_model":"judge-1","ratings":2,"agreement":1,"aggregation":"dawid_skene","strength":2,"guideline_version":3,"shown_left":{"chosen":2,"rejected":0},"annotators":["ann-c49dc017978a"]}}"""),
            WritePairs(PairRows(), ExportFormat.HhRlhf));
    }

    [Fact]
    public void Write_KeepTiesAndBothBad_FlagsEveryLineAndKeepsAbOrder()
    {
        Assert.Equal(
            Lines(
                """{"prompt":"What is 2+2?","chosen":"4","rejected":"5","tie":false,"both_bad":false,"id":"q1","metadata":{"topic":"math"},"provenance":{"label_source":"human","ai_model":null,"ratings":4,"agreement":0.75,"aggregation":"majority_vote","strength":1.5,"guideline_version":2,"shown_left":{"chosen":3,"rejected":1},"annotators":["ann-2912efe847ba","ann-c49dc017978a"]}}""",
                """{"prompt":"\n\nHuman: Hi\n\nAssistant: Hello! How can I help?\n\nHuman: Say \"hi\" in French.\n\nAssistant:","chosen":"Salut, « hi » <b>!</b>","rejected":"Hi.","tie":false,"both_bad":false,"id":"q2","metadata":null,"provenance":{"label_source":"ai_confirmed_by_humans","ai_model":"judge-1","ratings":2,"agreement":1,"aggregation":"dawid_skene","strength":2,"guideline_version":3,"shown_left":{"chosen":2,"rejected":0},"annotators":["ann-c49dc017978a"]}}""",
                """{"prompt":"Pick one","chosen":"x","rejected":"y","tie":true,"both_bad":false,"id":null,"metadata":null,"provenance":{"label_source":"human","ai_model":null,"ratings":2,"agreement":0,"aggregation":"majority_vote","strength":0,"guideline_version":null,"shown_left":{"chosen":1,"rejected":1},"annotators":["ann-2912efe847ba","ann-c49dc017978a"]}}""",
                """{"prompt":"Insult me","chosen":"No.","rejected":"Never.","tie":false,"both_bad":true,"id":"q4","metadata":null,"provenance":{"label_source":"ai","ai_model":"judge-1","ratings":0,"agreement":null,"aggregation":null,"strength":null,"guideline_version":null,"shown_left":null,"annotators":[]}}"""),
            WritePairs(PairRows(), ExportFormat.TrlPlain, keep: true));
    }

    [Theory]
    [InlineData(ExportFormat.TrlPlain)]
    [InlineData(ExportFormat.TrlConversational)]
    [InlineData(ExportFormat.HhRlhf)]
    public void Write_Default_LeavesOutTiesAndBothBadAndCountsThem(ExportFormat format)
    {
        using var stream = new MemoryStream();
        var summary = PairExport.Write(stream, PairRows(), new PairExportOptions(format));

        var ids = Encoding.UTF8.GetString(stream.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Select(o => (o.GetProperty("id").GetString(), o.TryGetProperty("tie", out _), o.TryGetProperty("both_bad", out _)));
        Assert.Equal([("q1", false, false), ("q2", false, false)], ids);
        Assert.Equal((2L, 1L, 1L, 4L, false), (summary.Pairs, summary.Ties, summary.BothBad, summary.Items, summary.TiesAndBothBadKept));
        Assert.Equal(6, summary.Ratings);
        Assert.Equal(2, summary.Annotators);
        Assert.Equal([2, 3], summary.GuidelineVersions);
        Assert.Equal(
            [KeyValuePair.Create(CuratedLabelSource.Human, 1L), KeyValuePair.Create(CuratedLabelSource.Ai, 0L), KeyValuePair.Create(CuratedLabelSource.AiConfirmedByHumans, 1L), KeyValuePair.Create(CuratedLabelSource.AiOverturnedByHumans, 0L),
                KeyValuePair.Create(CuratedLabelSource.External, 0L), KeyValuePair.Create(CuratedLabelSource.HumanAndExternal, 0L)],
            summary.LabelSources);
    }

    [Fact]
    public void Write_KeepTiesAndBothBad_CountsThemAsWritten()
    {
        using var stream = new MemoryStream();
        var summary = PairExport.Write(stream, PairRows(), new PairExportOptions(ExportFormat.HhRlhf) { KeepTiesAndBothBad = true });

        Assert.Equal((4L, 1L, 1L, 4L, true), (summary.Pairs, summary.Ties, summary.BothBad, summary.Items, summary.TiesAndBothBadKept));
        Assert.Equal(2L, summary.LabelSources.Single(s => s.Key == CuratedLabelSource.Human).Value);
    }

    [Theory]
    [InlineData(ExportFormat.TrlPlain)]
    [InlineData(ExportFormat.TrlConversational)]
    [InlineData(ExportFormat.HhRlhf)]
    public void Write_ChosenB_ProvenanceTurnsWithTheResponses(ExportFormat format)
    {
        var row = PairRows()[1] with { Strength = -2, ShownLeft = new SideCounts(ALeft: 0, BLeft: 2) };

        var line = JsonDocument.Parse(WritePairs([row], format)).RootElement;

        var provenance = line.GetProperty("provenance");
        Assert.Equal(
            ["label_source", "ai_model", "ratings", "agreement", "aggregation", "strength", "guideline_version", "shown_left", "annotators"],
            provenance.EnumerateObject().Select(p => p.Name));
        Assert.Equal(2, provenance.GetProperty("strength").GetDouble());
        Assert.Equal(2, provenance.GetProperty("shown_left").GetProperty("chosen").GetInt32());
        Assert.Equal(0, provenance.GetProperty("shown_left").GetProperty("rejected").GetInt32());
        Assert.Contains("Salut", line.GetProperty("chosen").GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public void Write_ZeroStrengthForChosenB_WritesZeroNotMinusZero()
    {
        var row = PairRows()[1] with { Strength = 0 };

        Assert.Contains("\"strength\":0,", WritePairs([row], ExportFormat.TrlPlain), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ExportFormat.TrlPlain, false)]
    [InlineData(ExportFormat.TrlConversational, false)]
    [InlineData(ExportFormat.HhRlhf, false)]
    [InlineData(ExportFormat.TrlPlain, true)]
    [InlineData(ExportFormat.HhRlhf, true)]
    public async Task Write_SameRowsTwice_SameBytesAndHash(ExportFormat format, bool keep)
    {
        var options = new PairExportOptions(format) { KeepTiesAndBothBad = keep };
        var first = new MemoryStream();
        string firstHash;
        await using (var hashing = new ContentHashStream(first, leaveOpen: true))
        {
            PairExport.Write(hashing, PairRows(), options);
            firstHash = hashing.Finish();
        }
        var second = new MemoryStream();
        string secondHash;
        await using (var hashing = new ContentHashStream(second, leaveOpen: true))
        {
            await PairExport.WriteAsync(hashing, PairRows().ToAsyncEnumerable(), options);
            secondHash = hashing.Finish();
        }

        Assert.Equal(first.ToArray(), second.ToArray());
        Assert.Equal(firstHash, secondHash);
        Assert.Equal(ContentHash.Of(first.ToArray()), firstHash);
    }

    [Theory]
    [InlineData(ExportFormat.TrlPlain)]
    [InlineData(ExportFormat.TrlConversational)]
    [InlineData(ExportFormat.HhRlhf)]
    public void Write_AnyFormat_Utf8WithoutBomOneObjectPerLfLine(ExportFormat format)
    {
        var bytes = Encoding.UTF8.GetBytes(WritePairs(PairRows(), format, keep: true));

        Assert.NotEqual(0xEF, bytes[0]);
        Assert.DoesNotContain((byte)'\r', bytes);
        Assert.Equal((byte)'\n', bytes[^1]);
        var lines = Encoding.UTF8.GetString(bytes).Split('\n')[..^1];
        Assert.Equal(4, lines.Length);
        Assert.All(lines, line => Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(line).RootElement.ValueKind));
    }

    [Fact]
    public void Write_Annotators_OnlyPseudonymsReachTheFile()
    {
        var text = WritePairs(PairRows(), ExportFormat.TrlConversational, keep: true);

        Assert.DoesNotContain("user-1", text, StringComparison.Ordinal);
        Assert.DoesNotContain("user-2", text, StringComparison.Ordinal);
        Assert.Contains(Ann1.Value, text, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => Pseudonym.Parse("alice@example.com"));
        Assert.Throws<FormatException>(() => Pseudonym.Parse("Alice Smith"));
    }

    [Theory]
    [InlineData(ExportFormat.HhRlhf)]
    [InlineData(ExportFormat.TrlPlain)]
    public void Write_SystemTurnInTranscriptFormat_ThrowsNamingTheRow(ExportFormat format)
    {
        CuratedPairRow[] rows =
        [
            PairRows()[0],
            PairRows()[0] with { ExternalId = "s1", Conversation = [new Turn("system", "Be brief."), new Turn(Turn.User, "Hi")] },
        ];

        var ex = Assert.Throws<ExportException>(() => WritePairs(rows, format));

        Assert.Equal((2L, "s1"), (ex.RowNumber, ex.ExternalId));
        Assert.StartsWith("row 2 (id 's1'): ", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'system'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("TRL conversational", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_SystemTurnConversational_KeepsIt()
    {
        var row = PairRows()[0] with { Conversation = [new Turn("system", "Be brief."), new Turn(Turn.User, "Hi")] };

        var pair = PreferencePairReader.ParseLine(WritePairs([row], ExportFormat.TrlConversational), 1);

        Assert.Equal(row.Conversation, pair.Conversation);
    }

    [Fact]
    public void Write_ResponseWithTurnMarker_HhThrows()
    {
        var row = PairRows()[0] with { ResponseA = "Sure.\n\nHuman: and now?" };

        var ex = Assert.Throws<ExportException>(() => WritePairs([row], ExportFormat.HhRlhf));

        Assert.Contains("marker", ex.Problem, StringComparison.Ordinal);
        Assert.Contains("Human:", WritePairs([row], ExportFormat.TrlPlain), StringComparison.Ordinal);
    }

    [Fact]
    public void Write_PlainPromptThatLooksLikeATranscript_IsWrittenAsOneAndReadsBack()
    {
        var row = PairRows()[0] with { Conversation = [new Turn(Turn.User, "Human: what does this prefix do?")] };

        var text = WritePairs([row], ExportFormat.TrlPlain);

        Assert.StartsWith("""{"prompt":"\n\nHuman: Human: what does this prefix do?\n\nAssistant:",""", text, StringComparison.Ordinal);
        Assert.Equal(row.Conversation, PreferencePairReader.ParseLine(text, 1).Conversation);
    }

    [Fact]
    public void Write_EmptyConversationPlain_WritesEmptyPrompt()
    {
        var row = PairRows()[0] with { Conversation = [] };

        Assert.StartsWith("""{"prompt":"","chosen":"4",""", WritePairs([row], ExportFormat.TrlPlain), StringComparison.Ordinal);
        Assert.Throws<ExportException>(() => WritePairs([row], ExportFormat.HhRlhf));
    }

    // A pair whose sides parted two turns before the end: A goes on for three turns, B is one.
    private static CuratedPairRow MultiTurnRow(PreferenceChoice choice = PreferenceChoice.A)
    {
        IReadOnlyList<Turn> turnsA = [new(Turn.Assistant, "Call a locksmith."), new(Turn.User, "Thanks."), new(Turn.Assistant, "You're welcome.")];
        return new CuratedPairRow("m1", [new(Turn.User, "I'm locked out."), new(Turn.Assistant, "Of your house?"), new(Turn.User, "Yes.")],
            ResponseTurns.Flatten(turnsA), "Pick the lock.", choice, CuratedLabelSource.External)
        {
            ResponseTurnsA = turnsA,
            Ratings = 1,
        };
    }

    [Fact]
    public void Write_MultiTurnResponse_EachFormatWritesEveryTurn()
    {
        var hh = JsonDocument.Parse(WritePairs([MultiTurnRow()], ExportFormat.HhRlhf)).RootElement;
        var conversational = JsonDocument.Parse(WritePairs([MultiTurnRow()], ExportFormat.TrlConversational)).RootElement;
        var plain = JsonDocument.Parse(WritePairs([MultiTurnRow()], ExportFormat.TrlPlain)).RootElement;

        const string Shared = "\n\nHuman: I'm locked out.\n\nAssistant: Of your house?\n\nHuman: Yes.";
        Assert.Equal(Shared + "\n\nAssistant: Call a locksmith.\n\nHuman: Thanks.\n\nAssistant: You're welcome.", hh.GetProperty("chosen").GetString());
        Assert.Equal(Shared + "\n\nAssistant: Pick the lock.", hh.GetProperty("rejected").GetString());
        Assert.Equal(
            """[{"role":"assistant","content":"Call a locksmith."},{"role":"user","content":"Thanks."},{"role":"assistant","content":"You're welcome."}]""",
            conversational.GetProperty("chosen").GetRawText());
        Assert.Equal("""[{"role":"assistant","content":"Pick the lock."}]""", conversational.GetProperty("rejected").GetRawText());
        Assert.Equal(3, conversational.GetProperty("prompt").GetArrayLength());
        // The plain format writes the response as one text; after the transcript prompt it makes the HH transcript again.
        Assert.Equal("Call a locksmith.\n\nHuman: Thanks.\n\nAssistant: You're welcome.", plain.GetProperty("chosen").GetString());
        Assert.Equal(hh.GetProperty("chosen").GetString(), plain.GetProperty("prompt").GetString() + " " + plain.GetProperty("chosen").GetString());
    }

    [Theory]
    [InlineData(ExportFormat.HhRlhf)]
    [InlineData(ExportFormat.TrlConversational)]
    public void Write_MultiTurnResponseChosenB_ReadsBackToTheSameTurnsOnTheRejectedSide(ExportFormat format)
    {
        var row = MultiTurnRow(PreferenceChoice.B);

        var pair = PreferencePairReader.ParseLine(WritePairs([row], format).TrimEnd('\n'), 1);

        Assert.Equal(row.Conversation, pair.Conversation);
        Assert.Equal("Pick the lock.", pair.ResponseA);
        Assert.Null(pair.ResponseTurnsA);
        Assert.Equal(row.ResponseTurnsA, pair.ResponseTurnsB);
        Assert.Equal(row.ResponseA, pair.ResponseB);
    }

    [Fact]
    public void Write_HhResponseTurnWithAMarker_FailsNamingTheRowAndTheTurn()
    {
        IReadOnlyList<Turn> turns = [new(Turn.Assistant, "Sure."), new(Turn.User, "Say \n\nHuman: hi")];
        var row = MultiTurnRow() with { ResponseTurnsA = turns, ResponseA = ResponseTurns.Flatten(turns) };

        var error = Assert.Throws<ExportException>(() => WritePairs([row], ExportFormat.HhRlhf));

        Assert.Contains("m1", error.Message, StringComparison.Ordinal);
        Assert.Contains("turn 2 of the response", error.Message, StringComparison.Ordinal);
        Assert.Contains("\"content\":\"Say \\n\\nHuman: hi\"", WritePairs([row], ExportFormat.TrlConversational), StringComparison.Ordinal);
    }

    [Fact]
    public void Write_LikertFormat_Throws()
    {
        Assert.Throws<ArgumentException>(() => WritePairs(PairRows(), ExportFormat.LikertItemsJsonl));
    }

    [Fact]
    public async Task WriteAsync_Cancelled_Throws()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            PairExport.WriteAsync(Stream.Null, PairRows().ToAsyncEnumerable(), new PairExportOptions(ExportFormat.TrlPlain), cts.Token));
    }

    [Fact]
    public void ToExportName_EveryMethod_SnakeCase()
    {
        Assert.Equal(
            ["majority_vote", "trust_weighted_vote", "dawid_skene"],
            Enum.GetValues<AggregationMethod>().Select(m => m.ToExportName()));
    }
}
