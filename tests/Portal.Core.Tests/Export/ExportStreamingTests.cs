using Portal.Core.Aggregation;
using Portal.Core.Export;
using Portal.Core.Pairs;
using Xunit.Abstractions;

namespace Portal.Core.Tests.Export;

/// <summary>Runs alone, after the parallel tests, so that process-wide memory figures are this test's own.</summary>
[CollectionDefinition(nameof(MemoryMeasurements), DisableParallelization = true)]
public sealed class MemoryMeasurements;

[Collection(nameof(MemoryMeasurements))]
public class ExportStreamingTests(ITestOutputHelper output)
{
    private const int Rows = 200_000;
    private const int FirstMeasuredRow = 20_000;
    private const long RetainedGrowthLimit = 4 << 20;

    private static readonly string[] Prompts = [.. Enumerable.Range(0, 16).Select(i => $"Question {i}: " + new string('q', 120 + (i * 7)))];
    private static readonly string[] Responses = [.. Enumerable.Range(0, 16).Select(i => $"Answer {i}: " + new string('a', 200 + (i * 11)))];
    private static readonly Pseudonym[] Annotators = [.. Enumerable.Range(0, 50).Select(i => Pseudonyms.For(ExportRows.Salt, $"user-{i}"))];

    [Theory]
    [InlineData(ExportFormat.TrlPlain)]
    [InlineData(ExportFormat.TrlConversational)]
    [InlineData(ExportFormat.HhRlhf)]
    public void Write_200kRows_RetainedMemoryFlatAndFewAllocationsPerRow(ExportFormat format)
    {
        var (early, late) = (0L, 0L);
        var sink = new CountingStream();

        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var summary = PairExport.Write(sink, Generate(row => Measure(row, ref early, ref late)), new PairExportOptions(format));
        var perRow = (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / (double)Rows;

        output.WriteLine($"{format}: {sink.Bytes / Rows} bytes a row, {perRow:F0} bytes allocated a row (row building included), retained {early >> 10} KiB at row {FirstMeasuredRow:N0} and {late >> 10} KiB at row {Rows:N0}");
        Assert.Equal(Rows, summary.Pairs);
        Assert.True(sink.Bytes > 40L * RetainedGrowthLimit, "the file should dwarf the memory bound");
        Assert.True(late - early < RetainedGrowthLimit, $"retained memory grew by {(late - early) >> 10} KiB between rows {FirstMeasuredRow:N0} and {Rows:N0}");
        // The generator alone allocates a row, its two lists and an enumerator (~250 bytes); what is left is the writer's.
        Assert.True(perRow < 1024, $"{perRow:F0} bytes allocated a row");
    }

    [Fact]
    public async Task WriteAsync_200kRows_RetainedMemoryFlat()
    {
        var (early, late) = (0L, 0L);
        var sink = new CountingStream();

        await PairExport.WriteAsync(sink, Generate(row => Measure(row, ref early, ref late)).ToAsyncEnumerable(), new PairExportOptions(ExportFormat.TrlConversational));

        output.WriteLine($"async: retained {early >> 10} KiB at row {FirstMeasuredRow:N0} and {late >> 10} KiB at row {Rows:N0}, {sink.Bytes >> 20} MiB written");
        Assert.True(late - early < RetainedGrowthLimit, $"retained memory grew by {(late - early) >> 10} KiB");
    }

    [Fact]
    public void Write_200kLikertRatingsCsv_RetainedMemoryFlat()
    {
        var (early, late) = (0L, 0L);
        var sink = new CountingStream();
        var rows = Generate(row => Measure(row, ref early, ref late)).Select(p => new LikertRow(p.ExternalId, p.Conversation, p.ResponseA, [new LikertScore("helpfulness", 4, 4, 0, 1)])
        {
            Ratings = [new LikertRating(p.Annotators[0], "helpfulness", 4)],
        });

        LikertExport.Write(sink, rows, new LikertExportOptions(ExportFormat.LikertRatingsCsv));

        Assert.True(late - early < RetainedGrowthLimit, $"retained memory grew by {(late - early) >> 10} KiB");
    }

    private static void Measure(int row, ref long early, ref long late)
    {
        if (row == FirstMeasuredRow)
        {
            early = GC.GetTotalMemory(forceFullCollection: true);
        }
        else if (row == Rows - 1)
        {
            late = GC.GetTotalMemory(forceFullCollection: true);
        }
    }

    private delegate void RowHook(int row);

    private static IEnumerable<CuratedPairRow> Generate(RowHook atRow)
    {
        for (var i = 0; i < Rows; i++)
        {
            atRow(i);
            yield return new CuratedPairRow(
                null,
                [new Turn(Turn.User, Prompts[i % Prompts.Length])],
                Responses[i % Responses.Length],
                Responses[(i + 3) % Responses.Length],
                i % 3 == 0 ? PreferenceChoice.B : PreferenceChoice.A,
                CuratedLabelSource.Human)
            {
                Ratings = 3,
                Strength = 1.5,
                Agreement = 2 / 3.0,
                Aggregation = "majority_vote",
                GuidelineVersion = 1,
                ShownLeft = new SideCounts(2, 1),
                Annotators = [Annotators[i % 50], Annotators[(i + 7) % 50], Annotators[(i + 19) % 50]],
            };
        }
    }

    /// <summary>A write-only sink that counts bytes and keeps none.</summary>
    private sealed class CountingStream : Stream
    {
        public long Bytes { get; private set; }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => Bytes;
        public override long Position { get => Bytes; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Bytes += count;
        public override void Write(ReadOnlySpan<byte> buffer) => Bytes += buffer.Length;
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Bytes += buffer.Length;
            return ValueTask.CompletedTask;
        }
        public override void Flush()
        {
        }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
