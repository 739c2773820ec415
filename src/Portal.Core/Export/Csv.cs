using System.Buffers;
using System.Globalization;

namespace Portal.Core.Export;

/// <summary>RFC 4180 fields: quoted when they hold a comma, a quote or a line break, quotes doubled; rows end in <c>\n</c>.</summary>
/// <remarks>
/// Text is written as it is, with no guard against spreadsheet formulas (a cell that starts with <c>=</c>, <c>+</c>, <c>-</c>
/// or <c>@</c>): these files feed training code, and changing a response would change the data. Whoever opens one in a
/// spreadsheet should import it as text.
/// </remarks>
internal static class Csv
{
    private static readonly SearchValues<char> SpecialChars = SearchValues.Create(",\"\r\n");
    private static readonly SearchValues<byte> SpecialBytes = SearchValues.Create(",\"\r\n"u8);

    public static void Separator(RowBuffer buffer) => buffer.WriteByte((byte)',');

    public static void EndRow(RowBuffer buffer) => buffer.WriteByte((byte)'\n');

    /// <summary>A text field; null is an empty field.</summary>
    public static void Text(RowBuffer buffer, ReadOnlySpan<char> text)
    {
        if (!text.ContainsAny(SpecialChars))
        {
            buffer.WriteUtf8(text);
            return;
        }
        buffer.WriteByte((byte)'"');
        int quote;
        while ((quote = text.IndexOf('"')) >= 0)
        {
            buffer.WriteUtf8(text[..(quote + 1)]);
            buffer.WriteByte((byte)'"');
            text = text[(quote + 1)..];
        }
        buffer.WriteUtf8(text);
        buffer.WriteByte((byte)'"');
    }

    /// <summary>A field from UTF-8 bytes (JSON text, say); the quoting rules are the same, all special characters being ASCII.</summary>
    public static void Utf8(RowBuffer buffer, ReadOnlySpan<byte> utf8)
    {
        if (!utf8.ContainsAny(SpecialBytes))
        {
            buffer.Write(utf8);
            return;
        }
        buffer.WriteByte((byte)'"');
        int quote;
        while ((quote = utf8.IndexOf((byte)'"')) >= 0)
        {
            buffer.Write(utf8[..(quote + 1)]);
            buffer.WriteByte((byte)'"');
            utf8 = utf8[(quote + 1)..];
        }
        buffer.Write(utf8);
        buffer.WriteByte((byte)'"');
    }

    /// <summary>The shortest text that reads back as the same double, invariant culture; empty for NaN and infinities; −0 as 0.</summary>
    public static void Number(RowBuffer buffer, double? value)
    {
        if (value is { } v && double.IsFinite(v))
        {
            Span<char> text = stackalloc char[32];
            (v == 0 ? 0 : v).TryFormat(text, out var length, "R", CultureInfo.InvariantCulture);
            buffer.WriteUtf8(text[..length]);
        }
    }

    public static void Number(RowBuffer buffer, int? value)
    {
        if (value is { } v)
        {
            Span<char> text = stackalloc char[11];
            v.TryFormat(text, out var length, default, CultureInfo.InvariantCulture);
            buffer.WriteUtf8(text[..length]);
        }
    }
}
