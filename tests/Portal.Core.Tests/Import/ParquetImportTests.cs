using System.Text.Json.Serialization;
using Parquet;
using Parquet.Serialization;
using Portal.Core.Import;
using Portal.Core.Pairs;

namespace Portal.Core.Tests.Import;

/// <summary>Parquet files in the shape dataset hubs store them (UltraFeedback binarized's columns), read row group by row group.</summary>
public sealed class ParquetImportTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("portal-parquet").FullName;

    public sealed class Message
    {
        [JsonPropertyName("content")]
        public string? Content { get; set; }

        [JsonPropertyName("role")]
        public string? Role { get; set; }
    }

    // HuggingFaceH4/ultrafeedback_binarized's columns and types: strings, lists of {content, role} structs, doubles.
    public sealed class UltraFeedbackRow
    {
        [JsonPropertyName("prompt")]
        public string? Prompt { get; set; }

        [JsonPropertyName("prompt_id")]
        public string? PromptId { get; set; }

        [JsonPropertyName("chosen")]
        public List<Message>? Chosen { get; set; }

        [JsonPropertyName("rejected")]
        public List<Message>? Rejected { get; set; }

        [JsonPropertyName("messages")]
        public List<Message>? Messages { get; set; }

        [JsonPropertyName("score_chosen")]
        public double ScoreChosen { get; set; }

        [JsonPropertyName("score_rejected")]
        public double ScoreRejected { get; set; }
    }

    private static UltraFeedbackRow Row(int i)
    {
        var prompt = $"Question {i}?";
        List<Message> chosen = [new() { Content = prompt, Role = "user" }, new() { Content = $"Good answer {i}.", Role = "assistant" }];
        return new UltraFeedbackRow
        {
            Prompt = prompt,
            PromptId = $"id-{i}",
            Chosen = chosen,
            Rejected = [new() { Content = prompt, Role = "user" }, new() { Content = $"Bad answer {i}.", Role = "assistant" }],
            Messages = chosen,
            ScoreChosen = 8.5,
            ScoreRejected = i % 10,
        };
    }

    private async Task<string> WriteAsync(IEnumerable<UltraFeedbackRow> rows, int rowGroupSize)
    {
        var path = Path.Combine(_folder, $"{Guid.NewGuid():N}.parquet");
        await ParquetSerializer.SerializeAsync(rows, path, new ParquetOptions { RowGroupSize = rowGroupSize });
        return path;
    }

    [Fact]
    public async Task ReadParquet_UltraFeedbackInThreeRowGroups_EveryRowIsAPairWithItsScores()
    {
        var path = await WriteAsync(Enumerable.Range(1, 25).Select(Row), rowGroupSize: 10);
        await using var stream = File.OpenRead(path);

        var items = ItemFileReader.ReadParquet(stream, ItemShape.Pairwise).ToList();

        Assert.Equal(25, items.Count);
        Assert.Equal(Enumerable.Range(1, 25).Select(i => (long)i), items.Select(i => i.LineNumber));
        var item = items[11];
        Assert.Equal("id-12", item.ExternalId);
        Assert.Equal([new Turn("user", "Question 12?")], item.Conversation);
        Assert.Equal(("Good answer 12.", "Bad answer 12."), (item.ResponseA, item.ResponseB));
        Assert.Equal(Preference.A, item.Pair!.Label);
        Assert.Contains("\"score_rejected\":2", item.MetadataJson, StringComparison.Ordinal);
        Assert.DoesNotContain("messages", item.MetadataJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadParquet_BadRowInTheThirdRowGroup_NamesRowRowGroupAndField()
    {
        var rows = Enumerable.Range(1, 25).Select(Row).ToList();
        rows[22].ScoreChosen = 1;
        rows[22].Chosen = [new() { Content = "Question 23?", Role = "user" }, new() { Content = null, Role = "assistant" }];
        var path = await WriteAsync(rows, rowGroupSize: 10);
        await using var stream = File.OpenRead(path);

        var ex = Assert.Throws<ItemFormatException>(() => ItemFileReader.ReadParquet(stream, ItemShape.Pairwise).ToList());

        Assert.StartsWith("row 23 (row group 3): field 'chosen[1].content' is missing", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadFile_ParquetPairs_ReadsThemForTheSimulator()
    {
        var path = await WriteAsync(Enumerable.Range(1, 7).Select(Row), rowGroupSize: 3);

        var pairs = PreferencePairReader.ReadFile(path).ToList();

        Assert.Equal(7, pairs.Count);
        Assert.All(pairs, p => Assert.Equal(Preference.A, p.Label));
    }

    [Fact]
    public void ReadParquet_NotParquet_SaysSo()
    {
        using var stream = new MemoryStream("{\"prompt\":\"p\"}\n"u8.ToArray());

        var ex = Assert.Throws<ItemFormatException>(() => ItemFileReader.ReadParquet(stream, ItemShape.Pairwise).ToList());

        Assert.StartsWith("the file: is not a Parquet file", ex.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
