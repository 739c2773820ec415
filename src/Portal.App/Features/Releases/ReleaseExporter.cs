using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.Core.Export;
using Portal.Core.Pairs;

namespace Portal.App.Features.Releases;

/// <summary>
/// Writes a release's frozen rows in a format, reading them from the database in batches: memory holds one batch and the
/// writer's chunk, never the file. The same rows give the same bytes, so a range request is served by writing the file
/// again and skipping to the offset.
/// </summary>
public sealed partial class ReleaseExporter(IDbContextFactory<PortalDbContext> dbFactory)
{
    /// <summary>Rows read per query.</summary>
    public const int Batch = 1000;

    /// <summary>The gzip level of downloads; fixed, because the gzipped bytes' length and hash are stored at the cut.</summary>
    public const CompressionLevel GzipLevel = CompressionLevel.Fastest;

    /// <summary>Writes the release in <paramref name="format"/> to <paramref name="destination"/> (left open).</summary>
    /// <param name="onRow">Called after each row is read, with the number read so far (progress).</param>
    public Task<(long Lines, long Ratings, int Annotators)> WriteAsync(Guid tenantId, Release release, ExportFormat format, bool keepTies, Stream destination,
        Action<long>? onRow = null, CancellationToken ct = default) =>
        WriteAsync(tenantId, release, format, keepTies, parquet: false, destination, onRow, ct);

    /// <summary>Writes the release in <paramref name="format"/>, or as that format's Parquet file, to <paramref name="destination"/> (left open).</summary>
    /// <param name="parquet">The same rows and columns as Apache Parquet (see <see cref="ParquetExport"/>).</param>
    /// <param name="onRow">Called after each row is read, with the number read so far (progress).</param>
    public async Task<(long Lines, long Ratings, int Annotators)> WriteAsync(Guid tenantId, Release release, ExportFormat format, bool keepTies, bool parquet,
        Stream destination, Action<long>? onRow = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(release);
        if (format.IsPairwise() != release.Pairwise)
        {
            throw new Organisations.PortalValidationException("format",
                $"Release '{release.Name}' is {(release.Pairwise ? "pairwise" : "Likert")}; its formats are {ReleaseFormats.AllNames(release.Pairwise)}.");
        }

        var stats = JsonSerializer.Deserialize<ReleaseStats>(release.StatsJson, ProjectSettings.Json) ?? new ReleaseStats();
        if (format.IsPairwise())
        {
            var options = new PairExportOptions(format) { KeepTiesAndBothBad = keepTies, AiModel = stats.HasAiModel };
            var rows = PairRowsAsync(tenantId, release.Id, onRow, ct);
            var s = parquet
                ? await ParquetExport.WriteAsync(destination, rows, options, cancellationToken: ct)
                : await PairExport.WriteAsync(destination, rows, options, ct);
            return (s.Pairs, s.Ratings, s.Annotators);
        }

        var likert = new LikertExportOptions(format) { Attributes = stats.Attributes.Count > 0 ? stats.Attributes : null };
        var likertRows = LikertRowsAsync(tenantId, release.Id, onRow, ct);
        var l = parquet
            ? await ParquetExport.WriteAsync(destination, likertRows, likert, cancellationToken: ct)
            : await LikertExport.WriteAsync(destination, likertRows, likert, ct);
        return (l.Lines, l.Ratings, l.Annotators);
    }

    /// <summary>Writes the file once to learn its length and SHA-256, plain and gzipped; a format the rows cannot take is recorded with why.</summary>
    public async Task<ReleaseFile> DigestAsync(Guid tenantId, Release release, ExportFormat format, bool keepTies, bool parquet, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(release);
        var name = ReleaseFormats.NameOf(format, parquet);
        await using var gzipHash = new ContentHashStream(Stream.Null);
        var gzip = new GZipStream(gzipHash, GzipLevel, leaveOpen: true);
        await using var plain = new ContentHashStream(new NoFlushStream(gzip), leaveOpen: true);
        try
        {
            await WriteAsync(tenantId, release, format, keepTies, parquet, plain, null, ct);
        }
        catch (ExportException ex)
        {
            return new ReleaseFile(name, keepTies, 0, "", 0, "", ex.Message);
        }
        finally
        {
            await gzip.DisposeAsync();
        }

        return new ReleaseFile(name, keepTies, plain.BytesWritten, plain.Finish(), gzipHash.BytesWritten, gzipHash.Finish());
    }

    /// <summary>The dataset card of the release, describing the file in <paramref name="format"/>: the same bytes every time.</summary>
    public static byte[] Card(Release release, string projectName, ExportFormat format, bool keepTies, bool parquet = false)
    {
        ArgumentNullException.ThrowIfNull(release);
        var stats = JsonSerializer.Deserialize<ReleaseStats>(release.StatsJson, ProjectSettings.Json) ?? new ReleaseStats();
        var filters = ReleaseFilters.Parse(release.FiltersJson);
        var file = Files(release).FirstOrDefault(f => f.Format == ReleaseFormats.NameOf(format, parquet) && f.KeepTies == (keepTies && release.Pairwise));
        var agreement = new List<KeyValuePair<string, double>>();
        if (stats.MeanItemAgreement is { } mean)
        {
            agreement.Add(new("mean item agreement (share of ratings agreeing with the label, this release)", mean));
        }

        agreement.AddRange(stats.ProjectAlpha.OrderBy(a => a.Key, StringComparer.Ordinal));
        var card = new DatasetCard(release.Name, new DateTimeOffset(release.CreatedAt, TimeSpan.Zero), format)
        {
            KeepsTiesAndBothBad = keepTies,
            AiModelField = stats.HasAiModel,
            Parquet = parquet,
            Attributes = stats.Attributes.Count > 0 ? stats.Attributes : null,
            FileName = FileName(release, format, keepTies, parquet),
            ParquetFileNames = [.. Files(release)
                .Where(f => f.Error is null && f.KeepTies == (keepTies && release.Pairwise))
                .Select(f => ReleaseFormats.TryParse(f.Format, out var other, out var isParquet) && isParquet ? FileName(release, other, f.KeepTies, parquet: true) : null)
                .OfType<string>()],
            ContentSha256 = file?.Error is null ? file?.Sha256 : null,
            Filters = filters.Describe(projectName),
            Items = release.Items,
            Pairs = release.Pairwise ? (keepTies ? release.Items : release.Items - release.Ties - release.BothBad) : null,
            Ties = release.Pairwise ? release.Ties : null,
            BothBad = release.Pairwise ? release.BothBad : null,
            Ratings = release.Ratings,
            Annotators = release.Annotators,
            Agreement = agreement,
            LabelSources = release.Pairwise
                ? [.. Enum.GetValues<CuratedLabelSource>().Select(s => KeyValuePair.Create(s, (long)stats.LabelSources.GetValueOrDefault(ReleaseCutter.SourceName(s))))]
                : [],
            GuidelineVersions = stats.GuidelineVersions,
            ExternalSources = [.. stats.ExternalSources.Select(e => new ExternalLabelSource(e.Source, e.Raters, e.Ratings))],
            AiModels = [.. stats.AiModels.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => KeyValuePair.Create(m.Key, (long)m.Value))],
        };
        return Encoding.UTF8.GetBytes(card.ToMarkdown());
    }

    public static IReadOnlyList<ReleaseFile> Files(Release release) =>
        JsonSerializer.Deserialize<List<ReleaseFile>>(release?.FilesJson ?? "[]", ProjectSettings.Json) ?? [];

    /// <summary>e.g. <c>my-release.trl-plain.jsonl</c> (or <c>.parquet</c>): the release name made safe for a file name.</summary>
    public static string FileName(Release release, ExportFormat format, bool keepTies, bool parquet = false)
    {
        ArgumentNullException.ThrowIfNull(release);
        var safe = new string([.. release.Name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-')]).Trim('-', '.');
        return $"{(safe.Length == 0 ? "release" : safe)}.{ReleaseFormats.NameOf(format)}{(keepTies && format.IsPairwise() ? ".with-ties" : "")}{(parquet ? ParquetExport.FileExtension : format.FileExtension())}";
    }

    private async IAsyncEnumerable<CuratedPairRow> PairRowsAsync(Guid tenantId, Guid releaseId, Action<long>? onRow, [EnumeratorCancellation] CancellationToken ct)
    {
        long read = 0;
        await foreach (var r in RowsAsync(tenantId, releaseId, ct))
        {
            onRow?.Invoke(++read);
            yield return new CuratedPairRow(r.ExternalId, Conversation(r.ConversationJson), r.ResponseA, r.ResponseB ?? "", r.Choice ?? default, r.LabelSource)
            {
                Strength = r.Strength,
                Ratings = r.Ratings,
                Agreement = r.Agreement,
                Aggregation = r.Aggregation,
                GuidelineVersion = r.GuidelineVersion,
                ShownLeft = r.Ratings > 0 ? new SideCounts(r.ALeft, r.BLeft) : null,
                Annotators = Annotators(r.AnnotatorsJson),
                Metadata = Metadata(r.MetadataJson),
                ResponseTurnsA = r.ResponseTurnsAJson is null ? null : Conversation(r.ResponseTurnsAJson),
                ResponseTurnsB = r.ResponseTurnsBJson is null ? null : Conversation(r.ResponseTurnsBJson),
                AiModel = r.AiModel,
            };
        }
    }

    private async IAsyncEnumerable<LikertRow> LikertRowsAsync(Guid tenantId, Guid releaseId, Action<long>? onRow, [EnumeratorCancellation] CancellationToken ct)
    {
        long read = 0;
        await foreach (var r in RowsAsync(tenantId, releaseId, ct))
        {
            onRow?.Invoke(++read);
            var scores = JsonSerializer.Deserialize<List<StoredScore>>(r.ScoresJson ?? "[]") ?? [];
            var ratings = JsonSerializer.Deserialize<List<StoredRating>>(r.RatingsJson ?? "[]") ?? [];
            yield return new LikertRow(r.ExternalId, Conversation(r.ConversationJson), r.ResponseA,
                [.. scores.Select(s => new LikertScore(s.Attribute, s.Mean, s.Median, s.Sd, s.N))])
            {
                Ratings = [.. ratings.Select(x => new LikertRating(Pseudonym.Parse(x.Annotator), x.Attribute, x.Value))],
                Annotators = Annotators(r.AnnotatorsJson),
                GuidelineVersion = r.GuidelineVersion,
                Metadata = Metadata(r.MetadataJson),
            };
        }
    }

    /// <summary>The rows in order, <see cref="Batch"/> at a time, each batch its own query on a short-lived context.</summary>
    private async IAsyncEnumerable<ReleaseRow> RowsAsync(Guid tenantId, Guid releaseId, [EnumeratorCancellation] CancellationToken ct)
    {
        var after = 0;
        while (true)
        {
            List<ReleaseRow> batch;
            await using (var db = dbFactory.CreateForTenant(tenantId))
            {
                batch = await db.ReleaseRows.AsNoTracking()
                    .Where(r => r.ReleaseId == releaseId && r.Ordinal > after)
                    .OrderBy(r => r.Ordinal)
                    .Take(Batch)
                    .ToListAsync(ct);
            }

            foreach (var row in batch)
            {
                yield return row;
            }

            if (batch.Count < Batch)
            {
                yield break;
            }

            after = batch[^1].Ordinal;
        }
    }

    private static List<Turn> Conversation(string json) =>
        JsonSerializer.Deserialize<List<Turn>>(json, ProjectSettings.Json) ?? [];

    private static Pseudonym[] Annotators(string json) =>
        [.. (JsonSerializer.Deserialize<List<string>>(json) ?? []).Select(Pseudonym.Parse)];

    private static JsonElement? Metadata(string? json)
    {
        if (json is null)
        {
            return null;
        }

        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }
}

/// <summary>
/// A write-only stream that passes bytes on but swallows flushes: a flush of a <see cref="GZipStream"/> ends a deflate block,
/// which would make the gzipped bytes depend on when the writer flushed rather than on the content alone.
/// </summary>
public sealed class NoFlushStream(Stream inner) : Stream
{
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
