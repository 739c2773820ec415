using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.Core.Export;

namespace Portal.App.Features.Releases;

/// <summary>The first lines of one file of a release, as the download would give them.</summary>
/// <param name="Format">The format's name (see <see cref="ReleaseFormats"/>).</param>
/// <param name="Lines">The first rows (a CSV's header line first); each line cut at <see cref="ReleasePreviews.MaxLineChars"/> characters.</param>
/// <param name="Csv">Whether the lines are CSV (else JSON Lines).</param>
public sealed record ReleaseFilePreview(string Format, string Description, IReadOnlyList<string> Lines, bool Csv);

/// <summary>Limits of <see cref="ReleaseExporter.PreviewAsync"/>.</summary>
public static class ReleasePreviews
{
    /// <summary>Longer lines are cut (a long conversation would otherwise fill the page).</summary>
    public const int MaxLineChars = 2000;
}

/// <summary>
/// Previews of a release's files: each file is written into a stream that keeps only the first lines and then stops the
/// writer, so a preview reads one batch of rows, never the whole file.
/// </summary>
public sealed partial class ReleaseExporter
{
    /// <summary>The first <paramref name="rows"/> rows of each file of the release that can be written (ties left out); null when there is no such release.</summary>
    public async Task<IReadOnlyList<ReleaseFilePreview>?> PreviewAsync(Guid tenantId, Guid releaseId, int rows = 3, CancellationToken ct = default)
    {
        Release? release;
        await using (var db = dbFactory.CreateForTenant(tenantId))
        {
            release = await db.Releases.AsNoTracking().FirstOrDefaultAsync(r => r.Id == releaseId, ct);
        }

        if (release is null)
        {
            return null;
        }

        if (release.Status != ReleaseStatus.Ready)
        {
            return [];
        }

        var previews = new List<ReleaseFilePreview>();
        foreach (var file in ReleaseExporter.Files(release).Where(f => !f.KeepTies && f.Error is null))
        {
            if (ReleaseFormats.Find(file.Format) is not { } format)
            {
                continue;
            }

            var capture = new FirstLinesStream(format.IsCsv() ? rows + 1 : rows);
            try
            {
                await WriteAsync(tenantId, release, format, keepTies: false, capture, null, ct);
                await capture.FlushAsync(ct);
            }
            catch (FirstLinesStream.EnoughException)
            {
                // The lines are read; the rest of the file is not produced.
            }

            previews.Add(new ReleaseFilePreview(file.Format, format.Description(), capture.Lines, format.IsCsv()));
        }

        return previews;
    }

    /// <summary>Keeps the first lines written to it (UTF-8), then throws to stop the writer.</summary>
    private sealed class FirstLinesStream(int wanted) : Stream
    {
        private readonly List<string> _lines = [];
        private readonly MemoryStream _current = new();

        public IReadOnlyList<string> Lines => _current.Length > 0 && _lines.Count < wanted ? [.. _lines, Text(_current)] : _lines;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (_lines.Count >= wanted)
            {
                throw new EnoughException();
            }

            foreach (var b in buffer)
            {
                if (b == (byte)'\n')
                {
                    _lines.Add(Text(_current));
                    _current.SetLength(0);
                    if (_lines.Count >= wanted)
                    {
                        throw new EnoughException();
                    }
                }
                else if (_current.Length < ReleasePreviews.MaxLineChars * 4)
                {
                    _current.WriteByte(b);
                }
            }
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Write(buffer.AsSpan(offset, count));
            return Task.CompletedTask;
        }

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        private static string Text(MemoryStream bytes)
        {
            var text = Encoding.UTF8.GetString(bytes.GetBuffer(), 0, (int)bytes.Length).TrimEnd('\r');
            return text.Length <= ReleasePreviews.MaxLineChars ? text : text[..ReleasePreviews.MaxLineChars] + "…";
        }

        public sealed class EnoughException : Exception
        {
            public EnoughException()
                : base("The preview has its lines.")
            {
            }

            public EnoughException(string message)
                : base(message)
            {
            }

            public EnoughException(string message, Exception innerException)
                : base(message, innerException)
            {
            }
        }
    }
}
