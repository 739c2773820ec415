using System.IO.Compression;
using System.Security.Claims;
using Microsoft.Net.Http.Headers;
using Portal.App.Features.Releases;
using Portal.Core.Export;
using Portal.Web.Api;
using Portal.Web.Features.Account;

namespace Portal.Web.Features.Releases;

/// <summary>
/// Streams a release file. The bytes are produced again from the frozen rows on every request (constant memory), and they are
/// the same bytes every time, so their length and SHA-256 stored at the cut give Content-Length and a strong ETag, and a
/// range request is answered by producing the file and sending only the asked-for slice. With gzip the range is over the
/// gzipped bytes, whose length and hash the cut stored too.
/// </summary>
internal static class ReleaseDownload
{
    public static async Task HandleAsync(Guid orgId, Guid releaseId, HttpContext http, ClaimsPrincipal user, ReleaseService releases, ReleaseExporter exporter,
        CancellationToken ct)
    {
        var userId = user.UserId();
        if (await releases.FindDownloadableAsync(orgId, userId, releaseId, ct) is not { } found)
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var release = found.Release;
        var query = http.Request.Query;
        var formatName = query["format"].ToString() is { Length: > 0 } asked ? asked : ReleaseFormats.NameOf(ReleaseFormats.For(release.Pairwise)[0]);
        var tiesText = query["ties"].ToString();
        if (tiesText is not ("" or "keep" or "drop"))
        {
            await ProblemAsync(http, 400, "ties", $"ties is 'keep' (ties and both-bad kept, flagged) or 'drop' (left out, the default), not '{tiesText}'.");
            return;
        }

        var keepTies = tiesText == "keep" && release.Pairwise;
        var isCard = string.Equals(formatName, ReleaseFormats.Card, StringComparison.OrdinalIgnoreCase);
        var known = ReleaseFormats.TryParse(
            isCard ? (query["of"].ToString() is { Length: > 0 } of ? of : ReleaseFormats.NameOf(ReleaseFormats.For(release.Pairwise)[0])) : formatName,
            out var f, out var parquet);
        if (!known || f.IsPairwise() != release.Pairwise)
        {
            await ProblemAsync(http, 400, isCard ? "of" : "format",
                $"'{(isCard ? query["of"].ToString() : formatName)}' is not a format of release '{release.Name}'; use one of {ReleaseFormats.AllNames(release.Pairwise)} (or card).");
            return;
        }

        var via = ApiTokenAuthenticationHandler.TryGetBearer(http.Request, out _) ? "api" : "page";
        var fileName = ReleaseFormats.NameOf(f, parquet);
        var logName = isCard ? ReleaseFormats.Card : fileName;
        byte[]? card = null;
        long length;
        string etag;
        bool gzip;
        if (isCard)
        {
            card = ReleaseExporter.Card(release, found.ProjectName, f, keepTies, parquet);
            (length, etag, gzip) = (card.Length, ContentHash.Of(card), false);
            http.Response.ContentType = "text/markdown; charset=utf-8";
            SetFileName(http, Path.ChangeExtension(ReleaseExporter.FileName(release, f, keepTies, parquet), ".card.md"));
        }
        else
        {
            var file = ReleaseExporter.Files(release).FirstOrDefault(x => x.Format == logName && x.KeepTies == keepTies);
            if (file is null || file.Error is not null)
            {
                await ProblemAsync(http, 409, "format", file?.Error is { } error
                    ? $"Release '{release.Name}' cannot be written as {logName}: {error}"
                    : $"Release '{release.Name}' has no {logName} file.");
                return;
            }

            gzip = WantsGzip(http.Request);
            (length, etag) = gzip ? (file.GzipBytes, file.GzipSha256 + "-gzip") : (file.Bytes, file.Sha256);
            http.Response.ContentType = parquet ? ParquetExport.MediaType : f.MediaType();
            SetFileName(http, ReleaseExporter.FileName(release, f, keepTies, parquet));
            if (gzip)
            {
                http.Response.Headers.ContentEncoding = "gzip";
            }
        }

        var headers = http.Response.Headers;
        headers.AcceptRanges = "bytes";
        headers.ETag = $"\"{etag}\"";
        headers.Vary = "Accept-Encoding";
        headers.CacheControl = "private, max-age=31536000, immutable";
        if (http.Request.Headers.IfNoneMatch.ToString() == $"\"{etag}\"")
        {
            http.Response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        long start = 0, end = length - 1;
        long? rangeStart = null;
        var rangeHeader = http.Request.Headers.Range.ToString();
        var ifRange = http.Request.Headers.IfRange.ToString();
        if (rangeHeader.Length > 0 && (ifRange.Length == 0 || ifRange == $"\"{etag}\""))
        {
            if (!TryParseRange(rangeHeader, length, out start, out end))
            {
                http.Response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
                headers.ContentRange = $"bytes */{length}";
                return;
            }

            rangeStart = start;
            http.Response.StatusCode = StatusCodes.Status206PartialContent;
            headers.ContentRange = $"bytes {start}-{end}/{length}";
        }

        http.Response.ContentLength = length == 0 ? 0 : end - start + 1;
        if (HttpMethods.IsHead(http.Request.Method) || length == 0)
        {
            await releases.LogDownloadAsync(orgId, release.Id, userId, logName, via, gzip, rangeStart, 0);
            return;
        }

        var slice = new SliceStream(http.Response.Body, start, end - start + 1);
        try
        {
            if (card is not null)
            {
                await slice.WriteAsync(card, ct);
            }
            else if (gzip)
            {
                var compressor = new GZipStream(slice, ReleaseExporter.GzipLevel, leaveOpen: true);
                try
                {
                    await exporter.WriteAsync(orgId, release, f, keepTies, parquet, new NoFlushStream(compressor), null, ct);
                }
                finally
                {
                    try
                    {
                        await compressor.DisposeAsync();
                    }
                    catch (SliceStream.SliceCompleteException)
                    {
                    }
                }
            }
            else
            {
                await exporter.WriteAsync(orgId, release, f, keepTies, parquet, slice, null, ct);
            }
        }
        catch (SliceStream.SliceCompleteException)
        {
            // The asked-for bytes are sent; the rest of the file is not produced.
        }
        finally
        {
            await releases.LogDownloadAsync(orgId, release.Id, userId, logName, via, gzip, rangeStart, slice.Sent);
        }
    }

    private static void SetFileName(HttpContext http, string name) =>
        http.Response.Headers.ContentDisposition = new ContentDispositionHeaderValue("attachment") { FileNameStar = name, FileName = name }.ToString();

    /// <summary>?gzip=true, or an Accept-Encoding that lists gzip without q=0.</summary>
    private static bool WantsGzip(HttpRequest request)
    {
        if (bool.TryParse(request.Query["gzip"].ToString(), out var asked))
        {
            return asked;
        }

        return StringWithQualityHeaderValue.TryParseList(request.Headers.AcceptEncoding.ToString().Split(','), out var encodings)
            && encodings.Any(e => e.Value.Equals("gzip", StringComparison.OrdinalIgnoreCase) && (e.Quality ?? 1) > 0);
    }

    /// <summary>One range: <c>bytes=a-b</c>, <c>bytes=a-</c> or <c>bytes=-n</c> (the last n); several ranges are not served.</summary>
    internal static bool TryParseRange(string header, long length, out long start, out long end)
    {
        start = 0;
        end = length - 1;
        if (!RangeHeaderValue.TryParse(header, out var range) || !string.Equals(range.Unit.Value, "bytes", StringComparison.OrdinalIgnoreCase)
            || range.Ranges.Count != 1 || length == 0)
        {
            return false;
        }

        var r = range.Ranges.First();
        if (r.From is { } from)
        {
            if (from >= length)
            {
                return false;
            }

            start = from;
            end = r.To is { } to ? Math.Min(to, length - 1) : length - 1;
            return end >= start;
        }

        if (r.To is { } suffix && suffix > 0)
        {
            start = Math.Max(0, length - suffix);
            return true;
        }

        return false;
    }

    private static async Task ProblemAsync(HttpContext http, int status, string field, string message)
    {
        http.Response.StatusCode = status;
        await http.Response.WriteAsJsonAsync(new
        {
            type = "https://tools.ietf.org/html/rfc9110#section-15.5",
            title = status == 409 ? "The release cannot be written in this format." : "One or more validation errors occurred.",
            status,
            detail = message,
            errors = new Dictionary<string, string[]> { [field] = [message] },
        }, options: null, contentType: "application/problem+json");
    }

    /// <summary>Passes on only bytes [offset, offset + count) of what is written to it; throws once they are all sent, to stop the producer.</summary>
    private sealed class SliceStream(Stream inner, long offset, long count) : Stream
    {
        private long _position;

        public long Sent { get; private set; }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Sent >= count)
            {
                throw new SliceCompleteException();
            }

            var skip = Math.Max(0, offset - _position);
            _position += buffer.Length;
            if (skip >= buffer.Length)
            {
                return;
            }

            var part = buffer[(int)skip..];
            if (part.Length > count - Sent)
            {
                part = part[..(int)(count - Sent)];
            }

            await inner.WriteAsync(part, cancellationToken);
            Sent += part.Length;
        }

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public sealed class SliceCompleteException : Exception
        {
            public SliceCompleteException()
                : base("The requested range is sent.")
            {
            }

            public SliceCompleteException(string message)
                : base(message)
            {
            }

            public SliceCompleteException(string message, Exception innerException)
                : base(message, innerException)
            {
            }
        }
    }
}
