using System.Security.Cryptography;

namespace Portal.Core.Export;

/// <summary>SHA-256 content hashes of release files, as lowercase hex (what <c>sha256sum</c> prints).</summary>
public static class ContentHash
{
    /// <summary>The hash of bytes already in memory.</summary>
    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>The hash of the rest of a stream, read to its end (to check a stored or downloaded file).</summary>
    public static async Task<string> OfAsync(Stream stream, CancellationToken cancellationToken = default) =>
        Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
}

/// <summary>
/// A write-only stream that passes every byte on to <c>inner</c> and hashes it with SHA-256 on the way, so a release's hash
/// is known the moment its last byte is written, without reading the file again.
/// </summary>
/// <param name="inner">Where the bytes go.</param>
/// <param name="leaveOpen">Whether disposing this leaves <paramref name="inner"/> open.</param>
public sealed class ContentHashStream(Stream inner, bool leaveOpen = false) : Stream
{
    private readonly Stream _inner = inner ?? throw new ArgumentNullException(nameof(inner));
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private bool _leaveOpen = leaveOpen;
    private string? _finished;

    /// <summary>How many bytes have passed through.</summary>
    public long BytesWritten { get; private set; }

    /// <summary>The hash of every byte written (lowercase hex); no more writes are accepted after it.</summary>
    public string Finish() => _finished ??= Convert.ToHexStringLower(_hash.GetCurrentHash());

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => _finished is null;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Append(buffer);
        _inner.Write(buffer);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Append(buffer.Span);
        await _inner.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void WriteByte(byte value) => Write([value]);

    public override void Flush() => _inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
            if (!_leaveOpen)
            {
                _inner.Dispose();
            }
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_leaveOpen)
        {
            await _inner.DisposeAsync();
            _leaveOpen = true;
        }
        await base.DisposeAsync();
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (_finished is not null)
        {
            throw new InvalidOperationException("The hash is finished; no more bytes can be written.");
        }
        _hash.AppendData(bytes);
        BytesWritten += bytes.Length;
    }
}
