using System.Text.Json;
using Portal.Core.Aggregation;
using Portal.Core.Export;
using Portal.Core.Pairs;

namespace Portal.Core.Tests.Export;

/// <summary>Small fixed rows for golden-output tests, and helpers to write them.</summary>
internal static class ExportRows
{
    /// <summary>A fixed release salt: 32 bytes 0, 1, …, 31.</summary>
    public static readonly byte[] Salt = [.. Enumerable.Range(0, 32).Select(i => (byte)i)];

    public static readonly Pseudonym Ann1 = Pseudonyms.For(Salt, "user-1");
    public static readonly Pseudonym Ann2 = Pseudonyms.For(Salt, "user-2");

    /// <summary>A chosen A, a chosen B in a three-turn conversation, a tie and a "both bad".</summary>
    public static IReadOnlyList<CuratedPairRow> PairRows() =>
    [
        new("q1", [new Turn(Turn.User, "What is 2+2?")], "4", "5", PreferenceChoice.A, CuratedLabelSource.Human)
        {
            Strength = 1.5,
            Ratings = 4,
            Agreement = 0.75,
            Aggregation = AggregationMethod.MajorityVote.ToExportName(),
            GuidelineVersion = 2,
            ShownLeft = new SideCounts(3, 1),
            Annotators = [Ann2, Ann1],
            Metadata = JsonDocument.Parse("""{"topic": "math"}""").RootElement,
        },
        new(
            "q2",
            [new Turn(Turn.User, "Hi"), new Turn(Turn.Assistant, "Hello! How can I help?"), new Turn(Turn.User, "Say \"hi\" in French.")],
            "Hi.",
            "Salut, « hi » <b>!</b>",
            PreferenceChoice.B,
            CuratedLabelSource.AiConfirmedByHumans)
        {
            Strength = -2,
            Ratings = 2,
            Agreement = 1,
            Aggregation = "dawid_skene",
            GuidelineVersion = 3,
            ShownLeft = new SideCounts(0, 2),
            Annotators = [Ann1],
            AiModel = "judge-1",
        },
        new(null, [new Turn(Turn.User, "Pick one")], "x", "y", PreferenceChoice.Tie, CuratedLabelSource.Human)
        {
            Strength = 0,
            Ratings = 2,
            Agreement = 0,
            Aggregation = "majority_vote",
            ShownLeft = new SideCounts(1, 1),
            Annotators = [Ann1, Ann2],
        },
        new("q4", [new Turn(Turn.User, "Insult me")], "No.", "Never.", PreferenceChoice.BothBad, CuratedLabelSource.Ai)
        {
            Agreement = double.NaN,
            AiModel = "judge-1",
        },
    ];

    /// <summary>Two items rated on helpfulness and harmlessness; the second has a comma, quotes and a line break in its text.</summary>
    public static IReadOnlyList<LikertRow> LikertRows() =>
    [
        new("i1", [new Turn(Turn.User, "Tell me a joke")], "Why did the chicken cross the road?",
            [LikertScore.From("helpfulness", LikertSummary.Of([4, 5])), LikertScore.From("harmlessness", LikertSummary.Of([5, 5]))])
        {
            Ratings =
            [
                new(Ann1, "helpfulness", 4), new(Ann1, "harmlessness", 5),
                new(Ann2, "helpfulness", 5), new(Ann2, "harmlessness", 5),
            ],
            GuidelineVersion = 1,
            Metadata = JsonDocument.Parse("""{"source": "demo"}""").RootElement,
        },
        new(null, [new Turn("system", "Be terse."), new Turn(Turn.User, "Quote, \"then\" comma")], "Line one,\nline \"two\"",
            [LikertScore.From("helpfulness", LikertSummary.Of([1, 2, 4]))])
        {
            Ratings = [new(Ann2, "helpfulness", 2)],
        },
    ];

    public static string WritePairs(IEnumerable<CuratedPairRow> rows, ExportFormat format, bool keep = false) =>
        Text(stream => PairExport.Write(stream, rows, new PairExportOptions(format) { KeepTiesAndBothBad = keep }));

    public static string WriteLikert(IEnumerable<LikertRow> rows, ExportFormat format, IReadOnlyList<string>? attributes = null) =>
        Text(stream => LikertExport.Write(stream, rows, new LikertExportOptions(format) { Attributes = attributes }));

    public static string Text(Action<Stream> write)
    {
        using var stream = new MemoryStream();
        write(stream);
        return new System.Text.UTF8Encoding(false, true).GetString(stream.ToArray());
    }
}
