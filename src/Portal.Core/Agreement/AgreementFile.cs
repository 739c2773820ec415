using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Portal.Core.Agreement;

/// <summary>Reads ratings for agreement from CSV: a header naming <c>unit</c>, <c>rater</c> and <c>value</c>, then one rating a row.</summary>
/// <remarks>
/// Header names are matched without regard to case or surrounding spaces and may come in any order; other columns are
/// ignored. Fields may be quoted (<c>"a, b"</c>, with <c>""</c> for a quote) but may not span lines. Values are numbers
/// in invariant culture (<c>2</c>, <c>-1.5</c>, <c>1e3</c>). Blank lines are skipped. A missing rating is a row left out.
/// The reader is read in blocks and its lines parsed in place; only the ratings are kept.
/// </remarks>
public static class AgreementFile
{
    private static readonly string[] RequiredColumns = ["unit", "rater", "value"];

    /// <summary>Files from this size on are parsed in two halves at once when the machine has a second core.</summary>
    internal const long TwoPartsFrom = 4 << 20;

    /// <summary>Reads every rating from <paramref name="reader"/>.</summary>
    /// <exception cref="AgreementInputException">
    /// The input is empty or has no ratings, the header lacks a required column or repeats one, or a row is short,
    /// has an empty id, a value that is not a finite number, a quote left open, or a second rating of a unit by the same rater.
    /// </exception>
    public static RatingTable Read(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var lines = new LineScanner(reader);
        var columns = ReadHeader(lines) ?? throw Empty();
        var part = new Part(0, lines.LineNumber);
        ReadRows(lines, columns, part);
        return Finish(part);
    }

    /// <summary>
    /// Reads every rating from the file at <paramref name="path"/> (UTF-8, with or without a byte order mark), as
    /// <see cref="Read(TextReader)"/> does. A file of <see cref="TwoPartsFrom"/> bytes or more is split at the line end nearest
    /// its middle and both halves are parsed at once; the ratings, their order and every error are the same as read in one.
    /// </summary>
    /// <exception cref="AgreementInputException">As for <see cref="Read(TextReader)"/>.</exception>
    /// <exception cref="IOException">The file cannot be opened or read.</exception>
    public static RatingTable ReadFile(string path) =>
        ReadFile(path, Environment.ProcessorCount > 1 ? TwoPartsFrom : long.MaxValue, out _);

    /// <param name="split">Where the second part began, or -1 when the file was read in one.</param>
    internal static RatingTable ReadFile(string path, long twoPartsFrom, out long split)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = OpenFile(path);
        var at = file.Length >= twoPartsFrom ? LineStartAfter(file, file.Length / 2) : -1;
        split = at;
        file.Position = 0;
        using var firstReader = new StreamReader(at < 0 ? file : new BoundedStream(file, at), Encoding.UTF8, true, 1 << 16);
        var firstLines = new LineScanner(firstReader);
        var columns = ReadHeader(firstLines);
        if (columns is null)
        {
            if (at < 0)
            {
                throw Empty();
            }

            // The first half is blank lines only: read the file in one.
            split = -1;
            file.Position = 0;
            return Read(new StreamReader(file, Encoding.UTF8, true, 1 << 16));
        }

        if (at < 0)
        {
            var whole = new Part(file.Length, firstLines.LineNumber);
            ReadRows(firstLines, columns, whole);
            return Finish(whole);
        }

        // The second half: no byte order mark there, and its lines are numbered from the split until the first half knows its count.
        var second = new Part(file.Length - at, 0);
        var secondRead = Task.Run(() =>
        {
            using var secondFile = OpenFile(path);
            secondFile.Position = at;
            using var reader = new StreamReader(secondFile, Encoding.UTF8, false, 1 << 16);
            try
            {
                ReadRows(new LineScanner(reader), columns, second);
            }
            catch (AgreementInputException ex)
            {
                second.Error = ex;
            }
        });

        // The first part takes the second's ratings at the end: it is made for the whole file's.
        var first = new Part(file.Length, firstLines.LineNumber);
        try
        {
            ReadRows(firstLines, columns, first);
        }
        catch
        {
            // An error in the first half comes first in the file: the second half is only waited for.
            try
            {
                secondRead.Wait();
            }
            catch (AggregateException)
            {
            }

            throw;
        }

        secondRead.GetAwaiter().GetResult();
        first.Append(second, firstLines.LineNumber);
        return Finish(first);
    }

    private static FileStream OpenFile(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);

    /// <summary>The position just after the first <c>\n</c> at or after <paramref name="from"/>, or -1 when there is none.</summary>
    private static long LineStartAfter(FileStream file, long from)
    {
        file.Position = from;
        var buffer = new byte[1 << 16];
        int read;
        while ((read = file.Read(buffer)) > 0)
        {
            var at = buffer.AsSpan(0, read).IndexOf((byte)'\n');
            if (at >= 0)
            {
                return file.Position - read + at + 1;
            }
        }

        return -1;
    }

    private static AgreementInputException Empty() =>
        new("The input is empty; expected a header line such as 'unit,rater,value'.");

    /// <summary>The columns the header names, or null when the input holds blank lines only.</summary>
    private static Columns? ReadHeader(LineScanner lines)
    {
        ReadOnlySpan<char> line;
        do
        {
            if (!lines.TryRead(out line))
            {
                return null;
            }
        }
        while (line.IsWhiteSpace());

        var header = line.TrimStart('\uFEFF').ToString();
        var fields = new List<Field>();
        Split(header, lines.LineNumber, fields);
        var (unit, rater, value) = FindColumns(header, lines.LineNumber, fields);
        return new Columns(unit, rater, value);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ReadRows(LineScanner lines, Columns columns, Part part)
    {
        var fields = new List<Field>();
        var (unitColumn, raterColumn, valueColumn) = (columns.Unit, columns.Rater, columns.Value);
        var columnsNeeded = Math.Max(unitColumn, Math.Max(raterColumn, valueColumn)) + 1;
        while (lines.TryRead(out var line))
        {
            var lineNumber = lines.LineNumber;
            if (line.IsWhiteSpace())
            {
                part.Blank();
                continue;
            }

            Split(line, lineNumber, fields);
            if (fields.Count < columnsNeeded)
            {
                throw new AgreementInputException(lineNumber,
                    $"expected at least {columnsNeeded} fields to reach the unit, rater and value columns, but the row has {fields.Count}.");
            }

            var unit = fields[unitColumn].Text(line);
            var rater = fields[raterColumn].Text(line);
            var text = fields[valueColumn].Text(line);
            if (unit.IsEmpty || rater.IsEmpty)
            {
                throw new AgreementInputException(lineNumber, $"the {(unit.IsEmpty ? "unit" : "rater")} field is empty.");
            }

            if (!TryParseValue(text, out var value))
            {
                throw new AgreementInputException(lineNumber, text.IsEmpty
                    ? "the value field is empty; leave the row out for a missing rating."
                    : $"the value field '{text}' is not a number.");
            }

            if (!double.IsFinite(value))
            {
                throw new AgreementInputException(lineNumber, $"the value field '{text}' is not a finite number.");
            }

            part.Add(unit, rater, value);
        }
    }

    private static RatingTable Finish(Part part)
    {
        if (part.Count == 0)
        {
            throw new AgreementInputException("The input has a header but no ratings.");
        }

        return part.TryBuild(out var table, out var duplicate)
            ? table
            : throw new AgreementInputException(part.LineOf(duplicate.Second),
                $"rater '{part.RaterOf(duplicate.Second)}' rates unit '{part.UnitOf(duplicate.Second)}' a second time (first on line {part.LineOf(duplicate.First)}); each rater rates a unit once.");
    }

    private static (int Unit, int Rater, int Value) FindColumns(string header, int lineNumber, List<Field> fields)
    {
        var names = fields.Select(field => field.Text(header).ToString()).ToList();
        var found = new int[RequiredColumns.Length];
        for (var r = 0; r < RequiredColumns.Length; r++)
        {
            found[r] = -1;
            for (var column = 0; column < names.Count; column++)
            {
                if (!string.Equals(names[column], RequiredColumns[r], StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                if (found[r] >= 0)
                {
                    throw new AgreementInputException(lineNumber,
                        $"the header has two '{RequiredColumns[r]}' columns (fields {found[r] + 1} and {column + 1}).");
                }

                found[r] = column;
            }

            if (found[r] < 0)
            {
                throw new AgreementInputException(lineNumber,
                    $"the header has no '{RequiredColumns[r]}' column; it needs unit, rater and value, and has: {string.Join(", ", names)}.");
            }
        }

        return (found[0], found[1], found[2]);
    }

    // Most ratings files hold small whole numbers (a 1-7 scale); those skip the general number parser. The methods run once
    // per row are compiled optimised at once: a CLI run is over before tiered compilation would get to them.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool TryParseValue(ReadOnlySpan<char> text, out double value)
    {
        if (text.Length is > 0 and <= 9)
        {
            var whole = 0;
            var i = 0;
            for (; i < text.Length && (uint)(text[i] - '0') <= 9; i++)
            {
                whole = (whole * 10) + (text[i] - '0');
            }

            if (i == text.Length)
            {
                value = whole;
                return true;
            }
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Splits one line into fields (RFC 4180 quoting within the line).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Split(ReadOnlySpan<char> line, int lineNumber, List<Field> fields)
    {
        fields.Clear();
        var position = 0;
        while (true)
        {
            var start = position;
            while (start < line.Length && line[start] is ' ' or '\t')
            {
                start++;
            }

            if (start < line.Length && line[start] == '"')
            {
                var contentStart = start + 1;
                var escaped = false;
                var end = contentStart;
                while (true)
                {
                    if (end >= line.Length)
                    {
                        throw new AgreementInputException(lineNumber,
                            $"the quoted field {fields.Count + 1} is not closed; fields may not span lines.");
                    }

                    if (line[end] == '"')
                    {
                        if (end + 1 < line.Length && line[end + 1] == '"')
                        {
                            escaped = true;
                            end += 2;
                            continue;
                        }

                        break;
                    }

                    end++;
                }

                fields.Add(new Field(contentStart, end - contentStart, Quoted: true, escaped));
                position = end + 1;
                while (position < line.Length && line[position] is ' ' or '\t')
                {
                    position++;
                }

                if (position < line.Length && line[position] != ',')
                {
                    throw new AgreementInputException(lineNumber,
                        $"unexpected '{line[position]}' after the closing quote of field {fields.Count}.");
                }
            }
            else
            {
                var comma = line[position..].IndexOf(',');
                var end = comma < 0 ? line.Length : position + comma;
                fields.Add(new Field(position, end - position, Quoted: false, Escaped: false));
                position = end;
            }

            if (position >= line.Length)
            {
                return;
            }

            position++;
        }
    }

    private readonly record struct Field(int Start, int Length, bool Quoted, bool Escaped)
    {
        public ReadOnlySpan<char> Text(ReadOnlySpan<char> line)
        {
            var text = line.Slice(Start, Length);
            if (Escaped)
            {
                return text.ToString().Replace("\"\"", "\"", StringComparison.Ordinal);
            }

            return Quoted ? text : text.Trim();
        }
    }

    /// <summary>
    /// The reader's lines as spans of one buffer, ended as <see cref="TextReader.ReadLine"/> ends them (<c>\n</c>, <c>\r</c> or
    /// <c>\r\n</c>), without a string per line. A line is valid until the next <see cref="TryRead"/>.
    /// </summary>
    private sealed class LineScanner(TextReader reader)
    {
        private char[] _buffer = new char[1 << 16];
        private int _start;
        private int _end;
        private bool _ended;

        /// <summary>The 1-based number of the line <see cref="TryRead"/> gave last.</summary>
        public int LineNumber { get; private set; }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public bool TryRead(out ReadOnlySpan<char> line)
        {
            while (true)
            {
                var length = _buffer.AsSpan(_start, _end - _start).IndexOfAny('\n', '\r');
                if (length >= 0)
                {
                    var end = _start + length;
                    if (_buffer[end] == '\r' && end + 1 == _end && !_ended)
                    {
                        // A '\n' may follow in the next read: see it before ending the line.
                        Fill();
                        continue;
                    }

                    line = _buffer.AsSpan(_start, length);
                    _start = end + (_buffer[end] == '\r' && end + 1 < _end && _buffer[end + 1] == '\n' ? 2 : 1);
                    LineNumber++;
                    return true;
                }

                if (_ended)
                {
                    line = _buffer.AsSpan(_start, _end - _start);
                    _start = _end;
                    if (line.IsEmpty)
                    {
                        return false;
                    }

                    LineNumber++;
                    return true;
                }

                Fill();
            }
        }

        private void Fill()
        {
            var kept = _end - _start;
            if (_start > 0)
            {
                Array.Copy(_buffer, _start, _buffer, 0, kept);
                (_start, _end) = (0, kept);
            }

            if (_end == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }

            var read = reader.Read(_buffer, _end, _buffer.Length - _end);
            _ended = read == 0;
            _end += read;
        }
    }

    private sealed record Columns(int Unit, int Rater, int Value);

    /// <summary>
    /// The ratings of one part of the input, as the arrays the table keeps, and the blank lines among them: every line after
    /// the header is a rating or blank, so the blank lines give each rating's line without a line number kept per rating.
    /// </summary>
    private sealed class Part
    {
        // Sized for the part's bytes at this many a rating ("u123456,r123,5" and its line end: 15), so that a file
        // of short lines grows its arrays once at most and most files never.
        private const int BytesPerRatingGuess = 12;
        private const int MaxGuess = 1 << 24;

        private readonly int _linesBefore;
        private readonly List<int> _blankAfter = [];
        private int[] _units;
        private int[] _raters;
        private double[] _values;
        private int _lastUnit = -1;

        /// <param name="bytes">The part's size in bytes when known (0 when not), to size its arrays.</param>
        /// <param name="linesBefore">The lines before its first rating row: the header's line for the first part, 0 for a second.</param>
        public Part(long bytes, int linesBefore)
        {
            var capacity = (int)Math.Clamp(bytes / BytesPerRatingGuess, 256, MaxGuess);
            (_units, _raters, _values) = (new int[capacity], new int[capacity], new double[capacity]);
            _linesBefore = linesBefore;
        }

        public IdTable Units { get; } = new();

        public IdTable Raters { get; } = new();

        public int Count { get; private set; }

        /// <summary>The part's first problem, numbered by the part's own lines.</summary>
        public AgreementInputException? Error { get; set; }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Add(ReadOnlySpan<char> unit, ReadOnlySpan<char> rater, double value)
        {
            if (Count == _values.Length)
            {
                Grow(Count + 1);
            }

            // Files list a unit's ratings together as a rule: the unit of the last rating needs no lookup.
            if (_lastUnit < 0 || !unit.SequenceEqual(Units.Span(_lastUnit)))
            {
                _lastUnit = Units.IndexOf(unit);
            }

            _units[Count] = _lastUnit;
            _raters[Count] = Raters.IndexOf(rater);
            _values[Count] = value;
            Count++;
        }

        /// <summary>A blank line after the ratings so far.</summary>
        public void Blank() => _blankAfter.Add(Count);

        /// <summary>The line, counted in this part's lines, of rating <paramref name="rating"/>.</summary>
        public int LineOf(int rating)
        {
            // The blank lines before it: those recorded after at most that many ratings (the list is in ascending order).
            var (low, high) = (0, _blankAfter.Count);
            while (low < high)
            {
                var middle = (low + high) >>> 1;
                (low, high) = _blankAfter[middle] <= rating ? (middle + 1, high) : (low, middle);
            }

            return _linesBefore + rating + 1 + low;
        }

        public string UnitOf(int rating) => Units[_units[rating]];

        public string RaterOf(int rating) => Raters[_raters[rating]];

        public bool TryBuild([NotNullWhen(true)] out RatingTable? table, out DuplicateRating duplicate)
        {
            table = RatingTable.CreateOwning(_units, _raters, _values, Count, Units, Raters, out duplicate);
            return table is not null;
        }

        /// <summary>
        /// Adds the ratings of <paramref name="next"/>, the part that follows this one, or throws its error with its line
        /// renumbered: its line 1 is the line after <paramref name="linesBefore"/>. Ids this part has seen keep its numbers;
        /// the next part's new ones are numbered after them in the order it saw them.
        /// </summary>
        public void Append(Part next, int linesBefore)
        {
            if (next.Error is { LineNumber: { } line } error)
            {
                throw new AgreementInputException(linesBefore + line, error.Problem);
            }

            var units = new int[next.Units.Count];
            for (var i = 0; i < units.Length; i++)
            {
                units[i] = Units.IndexOf(next.Units.Span(i));
            }

            var raters = new int[next.Raters.Count];
            for (var i = 0; i < raters.Length; i++)
            {
                raters[i] = Raters.IndexOf(next.Raters.Span(i));
            }

            if (Count + next.Count > _values.Length)
            {
                Grow(Count + next.Count);
            }

            for (var i = 0; i < next.Count; i++)
            {
                _units[Count + i] = units[next._units[i]];
                _raters[Count + i] = raters[next._raters[i]];
            }

            next._values.AsSpan(0, next.Count).CopyTo(_values.AsSpan(Count));

            // Every line of this part after its header is a rating or blank, so the next part's blank lines follow on.
            foreach (var after in next._blankAfter)
            {
                _blankAfter.Add(Count + after);
            }

            Count += next.Count;
            _lastUnit = -1;
        }

        private void Grow(int needed)
        {
            var capacity = (int)Math.Min(Array.MaxLength, Math.Max(needed, (long)_values.Length * 2));
            Array.Resize(ref _units, capacity);
            Array.Resize(ref _raters, capacity);
            Array.Resize(ref _values, capacity);
        }
    }

    /// <summary>The first <c>length</c> bytes from a stream's position, as a stream that ends there.</summary>
    private sealed class BoundedStream(Stream inner, long length) : Stream
    {
        private long _left = length;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer[..(int)Math.Min(buffer.Length, _left)]);
            _left -= read;
            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
