using System.Text.Json;
using Parquet;
using Portal.Core.Export;
using Portal.Core.Import;
using Portal.Core.Pairs;

namespace Portal.Core.Tests.Export;

/// <summary>
/// The Parquet writer on the fixed rows: row groups bounded, the same bytes every time, the same rows as the JSON Lines writer
/// (read back here with Parquet.Net; <c>ParquetReleaseTests</c> in Portal.App.Tests reads real releases with ParquetSharp).
/// </summary>
public class ParquetExportTests
{
    private static async Task<byte[]> PairsAsync(IEnumerable<CuratedPairRow> rows, ExportFormat format, bool keep = false, ParquetExportOptions? options = null)
    {
        using var stream = new MemoryStream();
        await ParquetExport.WriteAsync(stream, rows.ToAsyncEnumerable(), new PairExportOptions(format) { KeepTiesAndBothBad = keep }, options);
        return stream.ToArray();
    }

    private static List<ParquetRecord> Read(byte[] parquet)
    {
        using var stream = new MemoryStream(parquet);
        return [.. ParquetRecords.Read(stream)];
    }

    [Theory]
    [InlineData(ExportFormat.TrlPlain)]
    [InlineData(ExportFormat.TrlConversational)]
    [InlineData(ExportFormat.HhRlhf)]
    public async Task WriteAsync_PairsWithTies_SameFieldsAsTheJsonLines(ExportFormat format)
    {
        var rows = ExportRows.PairRows();
        var parquet = Read(await PairsAsync(rows, format, keep: true));
        var lines = ExportRows.WritePairs(rows, format, keep: true).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(lines.Length, parquet.Count);
        for (var i = 0; i < lines.Length; i++)
        {
            using var line = JsonDocument.Parse(lines[i]);
            var record = parquet[i].Record;
            foreach (var field in format == ExportFormat.HhRlhf ? ["chosen", "rejected", "tie", "both_bad"] : new[] { "prompt", "chosen", "rejected", "tie", "both_bad" })
            {
                Assert.True(JsonElement.DeepEquals(line.RootElement.GetProperty(field), record.GetProperty(field)), $"line {i + 1}, {field}");
            }
            Assert.True(record.TryGetProperty("provenance", out var provenance), record.GetRawText());
            Assert.Equal(line.RootElement.GetProperty("provenance").GetProperty("label_source").GetString(), provenance.GetProperty("label_source").GetString());
            // Parquet.Net's untyped reader leaves an empty list out of a struct; ParquetReleaseTests checks [] against null exactly.
            var annotators = provenance.TryGetProperty("annotators", out var a) ? a.GetRawText() : "[]";
            Assert.True(JsonElement.DeepEquals(line.RootElement.GetProperty("provenance").GetProperty("annotators"), JsonDocument.Parse(annotators).RootElement));
            // Parquet holds the metadata object as JSON text; the import's reader gives the object back.
            var metadata = line.RootElement.GetProperty("metadata");
            var read = record.TryGetProperty("metadata", out var m) ? m : default;
            Assert.True(metadata.ValueKind == JsonValueKind.Null
                ? read.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null
                : read.ValueKind == JsonValueKind.Object && JsonElement.DeepEquals(metadata, read), $"line {i + 1}: {record.GetRawText()}");
        }
    }

    [Theory]
    [InlineData(ExportFormat.TrlConversational)]
    [InlineData(ExportFormat.HhRlhf)]
    public async Task WriteAsync_MultiTurnResponsesAndAiModel_SameAsTheJsonLines(ExportFormat format)
    {
        IReadOnlyList<Turn> turns = [new(Turn.Assistant, "Call a locksmith."), new(Turn.User, "Thanks."), new(Turn.Assistant, "Welcome.")];
        CuratedPairRow[] rows =
        [
            new("m1", [new Turn(Turn.User, "Locked out.")], ResponseTurns.Flatten(turns), "Pick it.", Portal.Core.Aggregation.PreferenceChoice.B, CuratedLabelSource.Ai)
            {
                ResponseTurnsA = turns,
                AiModel = "judge-1",
            },
            .. ExportRows.PairRows().Take(1),
        ];
        var parquet = Read(await PairsAsync(rows, format));
        var lines = ExportRows.WritePairs(rows, format).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(2, parquet.Count);
        for (var i = 0; i < lines.Length; i++)
        {
            using var line = JsonDocument.Parse(lines[i]);
            var record = parquet[i].Record;
            Assert.True(JsonElement.DeepEquals(line.RootElement.GetProperty("rejected"), record.GetProperty("rejected")), $"line {i + 1}: {record.GetRawText()}");
            var model = line.RootElement.GetProperty("provenance").GetProperty("ai_model");
            Assert.Equal(model.ValueKind == JsonValueKind.Null ? null : model.GetString(),
                record.GetProperty("provenance").TryGetProperty("ai_model", out var m) ? m.GetString() : null);
        }
        Assert.Equal("judge-1", parquet[0].Record.GetProperty("provenance").GetProperty("ai_model").GetString());
        Assert.Equal(format == ExportFormat.HhRlhf ? JsonValueKind.String : JsonValueKind.Array, parquet[0].Record.GetProperty("rejected").ValueKind);
    }

    [Fact]
    public async Task WriteAsync_RowGroupOfTwoRows_FileHasBoundedRowGroupsAndTheSameBytesTwice()
    {
        var rows = Enumerable.Range(0, 5).SelectMany(_ => ExportRows.PairRows()).ToList();
        var options = new ParquetExportOptions(RowGroupRows: 2);

        var first = await PairsAsync(rows, ExportFormat.TrlConversational, keep: true, options);
        var second = await PairsAsync(rows, ExportFormat.TrlConversational, keep: true, options);

        Assert.Equal(first, second);
        using var stream = new MemoryStream(first);
        await using var reader = await ParquetReader.CreateAsync(stream);
        Assert.Equal(10, reader.RowGroupCount);
        Assert.All(Enumerable.Range(0, reader.RowGroupCount), g => Assert.Equal(2, reader.OpenRowGroupReader(g).RowCount));
        Assert.Equal(20, Read(first).Count);
    }

    [Theory]
    [InlineData(ExportFormat.TrlPlain)]
    [InlineData(ExportFormat.TrlConversational)]
    [InlineData(ExportFormat.HhRlhf)]
    public async Task ReadParquet_ReleaseFile_ImportsBackToTheSamePairsAndMetadata(ExportFormat format)
    {
        var rows = ExportRows.PairRows().Where(r => r.Choice is Portal.Core.Aggregation.PreferenceChoice.A or Portal.Core.Aggregation.PreferenceChoice.B).ToList();
        using var stream = new MemoryStream(await PairsAsync(rows, format));

        var items = ItemFileReader.ReadParquet(stream, ItemShape.Pairwise).ToList();

        Assert.Equal(rows.Count, items.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var (chosen, rejected) = rows[i].Choice == Portal.Core.Aggregation.PreferenceChoice.A ? (rows[i].ResponseA, rows[i].ResponseB) : (rows[i].ResponseB, rows[i].ResponseA);
            Assert.Equal((chosen, rejected), (items[i].ResponseA, items[i].ResponseB));
            Assert.Equal(rows[i].Conversation, items[i].Conversation);
            Assert.Equal(rows[i].ExternalId, items[i].ExternalId);
            if (rows[i].Metadata is { } metadata)
            {
                // The metadata object travels as JSON text in Parquet and comes back as the object.
                Assert.Equal(metadata.GetProperty("topic").GetString(), JsonDocument.Parse(items[i].MetadataJson!).RootElement.GetProperty("topic").GetString());
            }
        }
    }

    [Fact]
    public async Task WriteAsync_NoRows_IsAValidEmptyParquetFile()
    {
        var bytes = await PairsAsync([], ExportFormat.TrlPlain);

        Assert.Empty(Read(bytes));
        using var stream = new MemoryStream(bytes);
        await using var reader = await ParquetReader.CreateAsync(stream);
        Assert.Contains("prompt", reader.Schema.GetDataFields().Select(f => f.Name));
    }

    [Fact]
    public async Task WriteAsync_HhTranscriptOfASystemTurn_FailsNamingTheRow()
    {
        CuratedPairRow[] rows = [new("s1", [new Turn("system", "Be terse."), new Turn(Turn.User, "Hi")], "a", "b", Portal.Core.Aggregation.PreferenceChoice.A, CuratedLabelSource.Human)];

        var error = await Assert.ThrowsAsync<ExportException>(() => PairsAsync(rows, ExportFormat.HhRlhf));

        Assert.StartsWith("row 1 (id 's1')", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteAsync_LikertItemsCsv_FlatColumnsWithoutTheFormulaGuard()
    {
        var rows = ExportRows.LikertRows();
        using var stream = new MemoryStream();
        var summary = await ParquetExport.WriteAsync(stream, rows.ToAsyncEnumerable(),
            new LikertExportOptions(ExportFormat.LikertItemsCsv) { Attributes = ["helpfulness", "harmlessness"] });

        var records = Read(stream.ToArray());
        Assert.Equal(rows.Count, summary.Items);
        Assert.Equal(rows.Count, records.Count);
        var first = records[0].Record;
        Assert.Equal(4.5, first.GetProperty("helpfulness_mean").GetDouble());
        Assert.Equal(2, first.GetProperty("harmlessness_n").GetInt64());
        Assert.Equal(rows[0].Response, first.GetProperty("response").GetString());
        Assert.Equal(JsonValueKind.Array, first.GetProperty("annotators").ValueKind);
        Assert.Equal(JsonValueKind.Array, first.GetProperty("prompt").ValueKind);
    }

    [Fact]
    public void ParquetSchemaOf_EveryFormat_HasAColumnPerField()
    {
        foreach (var format in Enum.GetValues<ExportFormat>())
        {
            var attributes = new[] { "helpfulness" };
            var schema = ParquetExport.ParquetSchemaOf(format, keepTiesAndBothBad: true, attributes);
            var top = format.Fields(true, attributes).Select(f => f.Name.Split('.')[0]).Distinct();
            Assert.Equal(top, schema.Fields.Select(f => f.Name));
        }
    }
}
