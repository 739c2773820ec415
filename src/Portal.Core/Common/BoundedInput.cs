using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Portal.Core.Common;

/// <summary>How much an uploaded or imported file may hold once opened.</summary>
/// <param name="MaxDecompressedBytes">The most bytes read from the file after decompression (the plain bytes for a plain file).</param>
/// <param name="MaxLineChars">The most characters one line may hold.</param>
/// <param name="MaxExpansionRatio">For a compressed file, the most decompressed bytes per compressed byte, checked once
/// <see cref="RatioFloorBytes"/> have been read; 0 turns the check off.</param>
public sealed record InputLimits(long MaxDecompressedBytes, int MaxLineChars, double MaxExpansionRatio)
{
    /// <summary>Below this many decompressed bytes the ratio is not checked: small files of repeated text compress well and harm nobody.</summary>
    public const long RatioFloorBytes = 16L << 20;

    /// <summary>256 MiB: the default of <see cref="MaxRowGroupBytes"/>.</summary>
    public const long DefaultRowGroupBytes = 256L << 20;

    /// <summary>2 GiB decompressed, 8 Mi characters a line, 100 decompressed bytes per compressed byte.</summary>
    public static InputLimits Default { get; } = new(2L << 30, 8 << 20, 100);

    /// <summary>
    /// Parquet: the most uncompressed bytes one row group may declare. A row group is read whole, so this bounds the memory an
    /// import holds; a string value may hold at most <see cref="MaxLineChars"/> characters.
    /// </summary>
    public long MaxRowGroupBytes { get; init; } = DefaultRowGroupBytes;
}

/// <summary>A file broke one of the <see cref="InputLimits"/>; the message says which and where, and nothing past it was read.</summary>
public sealed class InputLimitException(string message) : IOException(message);

/// <summary>
/// Opens untrusted files for the import parsers with <see cref="InputLimits"/> checked while they stream.
/// </summary>
/// <remarks>
/// Guards against decompression bombs and endless lines: a 2 MB <c>.gz</c> of zeros inflates to gigabytes, and a line
/// with no line break makes <see cref="TextReader.ReadLine"/> build one string of all of it. The limits are checked on
/// every read, before the bytes or characters past them are handed on, so the memory held stays bounded by the limits
/// whatever the parser does with its reader.
/// </remarks>
public static class BoundedInput
{
    /// <summary>
    /// Opens <paramref name="raw"/> as UTF-8 text, decompressing it when <paramref name="gzip"/>, with every limit
    /// checked as it is read. Disposing the reader disposes <paramref name="raw"/>.
    /// </summary>
    public static TextReader OpenText(Stream raw, bool gzip, InputLimits limits)
    {
        ArgumentNullException.ThrowIfNull(raw);
        ArgumentNullException.ThrowIfNull(limits);
        Stream decompressed = gzip ? new GZipStream(raw, CompressionMode.Decompress) : raw;
        var counted = new BoundedStream(decompressed, limits, gzip && raw.CanSeek ? () => raw.Position : null);
        return new LineLimitedReader(new StreamReader(counted, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16), limits.MaxLineChars);
    }

    /// <summary>Whether a file name says gzip (<c>.gz</c>).</summary>
    public static bool IsGzip(string fileName) => fileName.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);

    internal static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
}

/// <summary>A read-only stream that throws <see cref="InputLimitException"/> once more than the allowed bytes come through it.</summary>
public sealed class BoundedStream : Stream
{
    private readonly Stream _inner;
    private readonly InputLimits _limits;
    private readonly Func<long>? _compressedPosition;
    private long _read;

    /// <param name="inner">The (decompressed) stream.</param>
    /// <param name="limits">The limits; only the byte count and the ratio apply here.</param>
    /// <param name="compressedPosition">How many compressed bytes have been consumed so far, for the ratio; null: no ratio check.</param>
    public BoundedStream(Stream inner, InputLimits limits, Func<long>? compressedPosition = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(limits);
        _inner = inner;
        _limits = limits;
        _compressedPosition = compressedPosition;
    }

    /// <summary>The bytes handed out so far.</summary>
    public long BytesRead => _read;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer) => Counted(_inner.Read(buffer[..Window(buffer.Length)]));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        return Counted(await _inner.ReadAsync(buffer[..Window(buffer.Length)], cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Never asks for more than one byte past the limit, so the overflow is seen without reading on.</summary>
    private int Window(int wanted) => (int)Math.Min(wanted, Math.Max(Math.Min(wanted, 1), _limits.MaxDecompressedBytes - _read + 1));

    private int Counted(int n)
    {
        _read += n;
        if (_read > _limits.MaxDecompressedBytes)
        {
            throw new InputLimitException($"is larger than {BoundedInput.Count(_limits.MaxDecompressedBytes)} bytes{(_compressedPosition is null ? "" : " once decompressed")}, the most one file may hold.");
        }

        if (_compressedPosition is not null && _limits.MaxExpansionRatio > 0 && _read > InputLimits.RatioFloorBytes
            && _read > _limits.MaxExpansionRatio * Math.Max(1, _compressedPosition()))
        {
            throw new InputLimitException($"decompresses to more than {_limits.MaxExpansionRatio.ToString(CultureInfo.InvariantCulture)} times its compressed size ({BoundedInput.Count(_read)} bytes from {BoundedInput.Count(_compressedPosition())}): a decompression bomb, or data with no variety.");
        }

        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await _inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>
/// A text reader that throws <see cref="InputLimitException"/> when a line grows past the limit, whichever way it is read
/// (<see cref="ReadLine"/>, <see cref="ReadLineAsync(CancellationToken)"/> or character by character), before the line is held.
/// </summary>
/// <remarks>A line ends at <c>\n</c>, <c>\r\n</c> or a lone <c>\r</c>, as <see cref="StreamReader.ReadLine"/> has it.</remarks>
public sealed class LineLimitedReader : TextReader
{
    private readonly TextReader _inner;
    private readonly int _maxLineChars;
    private readonly char[] _buffer = new char[1 << 14];
    private int _pos;
    private int _length;
    private long _line = 1;
    private long _column;
    private bool _skipLineFeed;

    public LineLimitedReader(TextReader inner, int maxLineChars)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLineChars);
        _inner = inner;
        _maxLineChars = maxLineChars;
    }

    public override int Peek() => Fill() ? _buffer[_pos] : -1;

    public override int Read()
    {
        if (!Fill())
        {
            return -1;
        }

        var c = _buffer[_pos++];
        Track(c);
        return c;
    }

    public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

    public override int Read(Span<char> buffer)
    {
        if (buffer.IsEmpty || !Fill())
        {
            return 0;
        }

        var n = Math.Min(buffer.Length, _length - _pos);
        var span = _buffer.AsSpan(_pos, n);
        foreach (var c in span)
        {
            Track(c);
        }

        span.CopyTo(buffer);
        _pos += n;
        return n;
    }

    public override string? ReadLine()
    {
        if (!Fill())
        {
            return null;
        }

        StringBuilder? partial = null;
        while (true)
        {
            if (TakeLine(ref partial) is { } line)
            {
                return line;
            }

            if (!Fill())
            {
                return EndOfFile(partial);
            }
        }
    }

    public override Task<string?> ReadLineAsync() => ReadLineAsync(CancellationToken.None).AsTask();

    public override async ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        if (!await FillAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        StringBuilder? partial = null;
        while (true)
        {
            if (TakeLine(ref partial) is { } line)
            {
                return line;
            }

            if (!await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                return EndOfFile(partial);
            }
        }
    }

    /// <summary>Takes a whole line from the buffer if its end is there, else moves what there is into <paramref name="partial"/>.</summary>
    private string? TakeLine(ref StringBuilder? partial)
    {
        var span = _buffer.AsSpan(_pos, _length - _pos);
        var end = span.IndexOfAny('\r', '\n');
        if (end < 0)
        {
            CheckLength(_column + span.Length);
            _column += span.Length;
            (partial ??= new StringBuilder()).Append(span);
            _pos = _length;
            return null;
        }

        CheckLength(_column + end);
        var line = partial is null ? new string(span[..end]) : partial.Append(span[..end]).ToString();
        _pos += end + 1;
        _line++;
        _column = 0;
        if (span[end] == '\r')
        {
            if (_pos < _length)
            {
                if (_buffer[_pos] == '\n')
                {
                    _pos++;
                }
            }
            else
            {
                _skipLineFeed = true;
            }
        }

        return line;
    }

    private string EndOfFile(StringBuilder? partial)
    {
        _column = 0;
        return partial?.ToString() ?? "";
    }

    private void Track(char c)
    {
        // Lines are numbered by \n alone here: a lone \r ends a line's length but not its number.
        if (c is '\n' or '\r')
        {
            _line += c == '\n' ? 1 : 0;
            _column = 0;
            return;
        }

        CheckLength(++_column);
    }

    private void CheckLength(long length)
    {
        if (length > _maxLineChars)
        {
            throw new InputLimitException($"line {_line} is longer than {BoundedInput.Count(_maxLineChars)} characters, the most one line may hold.");
        }
    }

    /// <summary>Makes sure a character is buffered, dropping the \n of a \r\n whose \r ended the last line read.</summary>
    private bool Fill()
    {
        while (true)
        {
            if (_pos >= _length)
            {
                _pos = 0;
                _length = _inner.Read(_buffer, 0, _buffer.Length);
                if (_length == 0)
                {
                    return false;
                }
            }

            if (!SkippedLineFeed())
            {
                return true;
            }
        }
    }

    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_pos >= _length)
            {
                _pos = 0;
                _length = await _inner.ReadAsync(_buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
                if (_length == 0)
                {
                    return false;
                }
            }

            if (!SkippedLineFeed())
            {
                return true;
            }
        }
    }

    private bool SkippedLineFeed()
    {
        if (!_skipLineFeed)
        {
            return false;
        }

        _skipLineFeed = false;
        if (_buffer[_pos] != '\n')
        {
            return false;
        }

        _pos++;
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
