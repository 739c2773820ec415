using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Portal.Core.Aggregation;
using Portal.Core.Export;
using Portal.Core.Pairs;
using Portal.Core.Rlthf;

namespace Portal.Benchmarks;

/// <summary>
/// Writing 100,000 curated pairs (synthetic text from <see cref="SyntheticPairs"/>, full provenance) as JSON Lines to
/// <see cref="Stream.Null"/>, in each pair format. The mean is per pair (OperationsPerInvoke); the Pairs/s and MB/s columns
/// turn it into throughput, MB/s from the bytes one run writes:
/// <c>dotnet run -c Release --project tests/Portal.Benchmarks -- --filter *Export*</c>.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class ExportBenchmarks
{
    public const int PairCount = 100_000;

    private CuratedPairRow[] _rows = [];

    [Params(ExportFormat.TrlPlain, ExportFormat.TrlConversational, ExportFormat.HhRlhf)]
    public ExportFormat Format { get; set; }

    [GlobalSetup]
    public void Setup() => _rows = Rows();

    [Benchmark(OperationsPerInvoke = PairCount)]
    public PairExportSummary Write() => PairExport.Write(Stream.Null, _rows, new PairExportOptions(Format));

    /// <summary>The rows every run writes: the same for the same build, so their size can be measured apart.</summary>
    public static CuratedPairRow[] Rows()
    {
        using var text = new StringWriter();
        SyntheticPairs.Write(text, PairCount, seed: 7);
        using var reader = new StringReader(text.ToString());
        var salt = new byte[32];
        var annotators = Enumerable.Range(0, 40).Select(i => Pseudonyms.For(salt, $"user-{i}")).ToArray();
        return [.. PreferencePairReader.Read(reader).Select((p, i) => new CuratedPairRow(
            p.ExternalId, p.Conversation, p.ResponseA, p.ResponseB, i % 4 == 0 ? PreferenceChoice.B : PreferenceChoice.A, CuratedLabelSource.Human)
        {
            Strength = 1.5,
            Ratings = 3,
            Agreement = 2 / 3.0,
            Aggregation = AggregationMethod.MajorityVote.ToExportName(),
            GuidelineVersion = 1,
            ShownLeft = new SideCounts(2, 1),
            Annotators = [annotators[i % 40], annotators[(i + 11) % 40], annotators[(i + 23) % 40]],
        })];
    }

    private sealed class ThroughputConfig : ManualConfig
    {
        public ThroughputConfig()
        {
            AddColumn(new ThroughputColumn("Pairs/s", bytes: false), new ThroughputColumn("MB/s", bytes: true));
        }
    }

    /// <summary>Pairs a second from the mean time a pair, or MB (10⁶ bytes) a second from that and the bytes a pair.</summary>
    private sealed class ThroughputColumn(string name, bool bytes) : IColumn
    {
        private static readonly Dictionary<ExportFormat, double> BytesPerPair = [];

        public string Id => name;
        public string ColumnName => name;
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => bytes ? 1 : 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => bytes ? "Megabytes (10^6) written a second" : "Pairs written a second";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            if (summary[benchmarkCase]?.ResultStatistics is not { } statistics)
            {
                return "-";
            }
            var pairsPerSecond = 1e9 / statistics.Mean;
            if (!bytes)
            {
                return pairsPerSecond.ToString("N0", CultureInfo.InvariantCulture);
            }
            var format = (ExportFormat)benchmarkCase.Parameters["Format"];
            lock (BytesPerPair)
            {
                if (!BytesPerPair.TryGetValue(format, out var perPair))
                {
                    var sink = new CountingStream();
                    PairExport.Write(sink, Rows(), new PairExportOptions(format));
                    BytesPerPair[format] = perPair = sink.Bytes / (double)PairCount;
                }
                return (pairsPerSecond * perPair / 1e6).ToString("N1", CultureInfo.InvariantCulture);
            }
        }

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

        public bool IsAvailable(Summary summary) => true;
    }

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
        public override void Flush()
        {
        }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
