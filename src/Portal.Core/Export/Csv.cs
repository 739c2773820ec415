using System.Buffers;
using System.Globalization;

namespace Portal.Core.Export;

/// <summary>RFC 4180 fields: quoted when they hold a comma, a quote or a line break, quotes doubled; rows end in <c>\n</c>.</summary>
/// <remarks>
/// Guards against formula injection (CSV injection): a text cell that starts with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, a
/// tab or a carriage return would run as a formula when the file is opened in a spreadsheet (<c>=HYPERLINK(…)</c>,
/// <c>=cmd|…</c>), and prompts and responses are untrusted text. Such a cell is written quoted with a leading <c>'</c>
/// (OWASP's advice), which spreadsheets show as text; training code strips that one character to get the text back. The
/// dataset card says so. Numbers are never touched (−3 stays −3), and the JSON Lines formats keep every text exact.
/// </remarks>
internal static class Csv
{
    private static readonly SearchValues<char> SpecialChars = SearchValues.Create(",\"\r\n");
    private static readonly SearchValues<byte> SpecialBytes = SearchValues.Create(",\"\r\n"u8);

    /// <summary>The characters that make a spreadsheet read a cell as a formula when it starts with one.</summary>
    public const string FormulaStarts = "=+-@\t\r";

    /// <summary>What a neutralised cell starts with.</summary>
    public const char FormulaGuard = '\'';

    public static void Separator(RowBuffer buffer) => buffer.WriteByte((byte)',');

    public static void EndRow(RowBuffer buffer) => buffer.WriteByte((byte)'\n');

    /// <summary>Whether a cell starting with <paramref name="first"/> is written with <see cref="FormulaGuard"/> in front.</summary>
    public static bool StartsFormula(int first) => first >= 0 && FormulaStarts.Contains((char)first, StringComparison.Ordinal);

    /// <summary>A text field; null is an empty field. A cell that would start a formula gets a leading <c>'</c> (see remarks).</summary>
    public static void Text(RowBuffer buffer, ReadOnlySpan<char> text)
    {
        var guard = !text.IsEmpty && StartsFormula(text[0]);
        if (!guard && !text.ContainsAny(SpecialChars))
        {
            buffer.WriteUtf8(text);
            return;
        }
        buffer.WriteByte((byte)'"');
        if (guard)
        {
            buffer.WriteByte((byte)FormulaGuard);
        }
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

    /// <summary>A field from UTF-8 bytes (JSON text, say); the quoting and formula rules are the same, all special characters being ASCII.</summary>
    public static void Utf8(RowBuffer buffer, ReadOnlySpan<byte> utf8)
    {
        var guard = !utf8.IsEmpty && StartsFormula(utf8[0]);
        if (!guard && !utf8.ContainsAny(SpecialBytes))
        {
            buffer.Write(utf8);
            return;
        }
        buffer.WriteByte((byte)'"');
        if (guard)
        {
            buffer.WriteByte((byte)FormulaGuard);
        }
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
