using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Portal.Core.Pairs;

namespace Portal.Core.Export;

/// <summary>
/// The bytes of the rows written since the last drain: rows are encoded here and handed to the stream in chunks of about
/// <see cref="ChunkSize"/> bytes, so memory is bounded by the chunk and the largest row, never by the file.
/// </summary>
internal sealed class RowBuffer : IDisposable
{
    public const int ChunkSize = 64 * 1024;

    /// <remarks>
    /// Relaxed escaping keeps non-ASCII text readable and the file smaller. It does not escape <c>&lt;</c>, <c>&gt;</c> or
    /// <c>&amp;</c>, which only matters when JSON is inlined into HTML: these files are downloads, never inlined.
    /// </remarks>
    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private readonly ArrayBufferWriter<byte> _bytes = new(ChunkSize + 4096);

    public RowBuffer() => Json = new Utf8JsonWriter(_bytes, JsonOptions);

    /// <summary>Writes one JSON value at a time; call <see cref="EndJsonLine"/> after each.</summary>
    public Utf8JsonWriter Json { get; }

    public bool IsFull => _bytes.WrittenCount >= ChunkSize;

    public void EndJsonLine()
    {
        Json.Flush();
        Json.Reset();
        WriteByte((byte)'\n');
    }

    public void WriteByte(byte value)
    {
        _bytes.GetSpan(1)[0] = value;
        _bytes.Advance(1);
    }

    public void Write(ReadOnlySpan<byte> bytes) => _bytes.Write(bytes);

    /// <summary>Appends the UTF-8 bytes of <paramref name="text"/>; a lone surrogate becomes U+FFFD, as in the JSON writer.</summary>
    public void WriteUtf8(ReadOnlySpan<char> text)
    {
        const int Slice = 4096;
        while (!text.IsEmpty)
        {
            var length = Math.Min(Slice, text.Length);
            if (length < text.Length && char.IsHighSurrogate(text[length - 1]))
            {
                length--;
            }
            var span = _bytes.GetSpan(Utf8.GetMaxByteCount(length));
            _bytes.Advance(Utf8.GetBytes(text[..length], span));
            text = text[length..];
        }
    }

    /// <summary>The bytes written since the last <see cref="Clear"/>, for a caller that reuses this as scratch space.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _bytes.WrittenSpan;

    public void Clear() => _bytes.ResetWrittenCount();

    public void Drain(Stream destination)
    {
        destination.Write(_bytes.WrittenSpan);
        _bytes.ResetWrittenCount();
    }

    public async ValueTask DrainAsync(Stream destination, CancellationToken cancellationToken)
    {
        await destination.WriteAsync(_bytes.WrittenMemory, cancellationToken);
        _bytes.ResetWrittenCount();
    }

    /// <summary>Writes <c>[{"role": …, "content": …}, …]</c> as the current JSON value.</summary>
    public void WriteMessages(IReadOnlyList<Turn> turns)
    {
        Json.WriteStartArray();
        foreach (var turn in turns)
        {
            WriteMessage(turn.Role, turn.Content);
        }
        Json.WriteEndArray();
    }

    public void WriteMessage(string role, string content)
    {
        Json.WriteStartObject();
        Json.WriteString("role", role);
        Json.WriteString("content", content);
        Json.WriteEndObject();
    }

    /// <summary>A number, or null when it is missing, NaN or infinite (JSON has no such numbers); −0 is written as 0.</summary>
    public void WriteNumberOrNull(string name, double? value)
    {
        if (value is { } v && double.IsFinite(v))
        {
            Json.WriteNumber(name, v == 0 ? 0 : v);
        }
        else
        {
            Json.WriteNull(name);
        }
    }

    public void WriteNumberOrNull(string name, int? value)
    {
        if (value is { } v)
        {
            Json.WriteNumber(name, v);
        }
        else
        {
            Json.WriteNull(name);
        }
    }

    /// <summary>The metadata object as it is, or null (also for a default <see cref="JsonElement"/>).</summary>
    public void WriteMetadata(JsonElement? metadata)
    {
        Json.WritePropertyName("metadata");
        if (metadata is { ValueKind: not JsonValueKind.Undefined } element)
        {
            element.WriteTo(Json);
        }
        else
        {
            Json.WriteNullValue();
        }
    }

    public void Dispose() => Json.Dispose();
}
