using System.CommandLine;
using System.IO.Compression;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Releases;
using Portal.Core.Export;

namespace Portal.Cli.Commands;

/// <summary>
/// <c>portal export --release ID --format NAME --output FILE</c>: a release file, the same bytes the download API sends
/// (gzipped with <c>--gzip</c>), written with a progress line and logged as a download via cli.
/// </summary>
public static class ExportCommand
{
    public static void Add(RootCommand root, CliContext cli)
    {
        var release = new Option<string>("--release") { Description = "The release's id.", Required = true };
        var format = new Option<string>("--format")
        {
            Description = "trl-plain, trl-messages, hh-rlhf (pairwise); likert-items-jsonl, likert-ratings-jsonl, likert-items-csv, likert-ratings-csv (Likert); any of them with -parquet (trl-plain-parquet: the same rows as Apache Parquet); or card.",
            Required = true,
        };
        var output = new Option<string>("--output") { Description = "The file to write ('-' for standard output).", Required = true };
        var ties = new Option<bool>("--keep-ties") { Description = "Pairwise: keep ties and both-bad items, flagged (left out by default)." };
        var gzip = new Option<bool>("--gzip") { Description = "Write the gzipped bytes (the download API's Content-Encoding: gzip)." };
        var command = new Command("export", "Writes a ready release in a format to a file: the same bytes as a download, checked against the release's SHA-256.")
        {
            release, format, output, ties, gzip,
        };
        command.SetAction(async (parse, ct) =>
        {
            var idText = parse.GetValue(release)!;
            if (!Guid.TryParse(idText, out var releaseId))
            {
                throw new CliUsageException($"--release: '{idText}' is not a release id (a GUID; see the release's page or GET /api/v1/orgs/ORG/releases).");
            }

            await using var services = await cli.MigratedServices(ct);
            var factory = services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
            Release? found;
            string projectName;
            await using (var system = factory.CreateSystem())
            {
                found = await system.Releases.IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(r => r.Id == releaseId, ct);
                projectName = found is null ? "" : await system.Projects.IgnoreQueryFilters().Where(p => p.Id == found.ProjectId).Select(p => p.Name).FirstAsync(ct);
            }

            if (found is not { Status: ReleaseStatus.Ready } r)
            {
                throw new CliUsageException(found is null
                    ? $"--release: there is no release {releaseId}."
                    : $"--release: release '{found.Name}' is {found.Status.ToString().ToLowerInvariant()}; only ready releases are exported.");
            }

            var formatText = parse.GetValue(format)!;
            var isCard = string.Equals(formatText, ReleaseFormats.Card, StringComparison.OrdinalIgnoreCase);
            var parquet = false;
            var f = ReleaseFormats.For(r.Pairwise)[0];
            if (!isCard && (!ReleaseFormats.TryParse(formatText, out f, out parquet) || f.IsPairwise() != r.Pairwise))
            {
                throw new CliUsageException($"--format: '{formatText}' is not a format of release '{r.Name}'; use one of {ReleaseFormats.AllNames(r.Pairwise)} or card.");
            }

            var keep = parse.GetValue(ties) && r.Pairwise;
            var path = parse.GetValue(output)!;
            var file = ReleaseExporter.Files(r).FirstOrDefault(x => x.Format == ReleaseFormats.NameOf(f, parquet) && x.KeepTies == keep);
            if (!isCard && file?.Error is { } error)
            {
                throw new CliUsageException($"--format: release '{r.Name}' cannot be written as {formatText}: {error}");
            }

            var toStdout = path == "-";
            await using var target = toStdout ? Console.OpenStandardOutput() : File.Create(path);
            await using var counted = new CountingStream(target);
            using var line = new ProgressLine(cli.Error, "export");
            if (isCard)
            {
                await counted.WriteAsync(ReleaseExporter.Card(r, projectName, f, keep), ct);
            }
            else if (parse.GetValue(gzip))
            {
                await using (var compressor = new GZipStream(counted, ReleaseExporter.GzipLevel, leaveOpen: true))
                {
                    await services.GetRequiredService<ReleaseExporter>().WriteAsync(r.TenantId, r, f, keep, parquet, new NoFlushStream(compressor), n => line.Report((double)n / Math.Max(1, r.Items)), ct);
                }
            }
            else
            {
                await services.GetRequiredService<ReleaseExporter>().WriteAsync(r.TenantId, r, f, keep, parquet, counted, n => line.Report((double)n / Math.Max(1, r.Items)), ct);
            }

            line.Done();
            var gz = parse.GetValue(gzip) && !isCard;
            await using (var db = factory.CreateForTenant(r.TenantId))
            {
                db.DownloadLogs.Add(new DownloadLog
                {
                    ReleaseId = r.Id,
                    Format = isCard ? ReleaseFormats.Card : ReleaseFormats.NameOf(f, parquet),
                    Via = "cli",
                    Gzip = gz,
                    Bytes = counted.Written,
                    At = TimeProvider.System.GetUtcNow().UtcDateTime,
                });
                await db.SaveChangesAsync(ct);
            }

            var expected = isCard ? null : gz ? file?.GzipSha256 : file?.Sha256;
            cli.Error.WriteLine($"{counted.Written} bytes of release '{r.Name}' ({(isCard ? "card" : ReleaseFormats.NameOf(f, parquet))}{(gz ? ", gzip" : "")}) written to {(toStdout ? "standard output" : path)}"
                + (expected is null ? "" : $"; SHA-256 {expected}"));
            return PortalCli.Ok;
        });
        root.Subcommands.Add(command);
    }

    /// <summary>Counts the bytes on their way to the file.</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        public long Written { get; private set; }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => Written;

        public override long Position
        {
            get => Written;
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            inner.Write(buffer, offset, count);
            Written += count;
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await inner.WriteAsync(buffer, cancellationToken);
            Written += buffer.Length;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
