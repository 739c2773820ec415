using System.Globalization;

namespace Portal.Core.Agreement;

/// <summary>Reads ratings for agreement from CSV: a header naming <c>unit</c>, <c>rater</c> and <c>value</c>, then one rating a row.</summary>
/// <remarks>
/// Header names are matched without regard to case or surrounding spaces and may come in any order; other columns are
/// ignored. Fields may be quoted (<c>"a, b"</c>, with <c>""</c> for a quote) but may not span lines. Values are numbers
/// in invariant culture (<c>2</c>, <c>-1.5</c>, <c>1e3</c>). Blank lines are skipped. A missing rating is a row left out.
/// The reader is read line by line; only the ratings are kept.
/// </remarks>
public static class AgreementFile
{
    private static readonly string[] RequiredColumns = ["unit", "rater", "value"];

    /// <summary>Reads every rating from <paramref name="reader"/>.</summary>
    /// <exception cref="AgreementInputException">
    /// The input is empty or has no ratings, the header lacks a required column or repeats one, or a row is short,
    /// has an empty id, a value that is not a finite number, a quote left open, or a second rating of a unit by the same rater.
    /// </exception>
    public static RatingTable Read(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var lineNumber = 0;
        string? line;
        do
        {
            line = reader.ReadLine();
            lineNumber++;
        }
        while (line is not null && string.IsNullOrWhiteSpace(line));

        if (line is null)
        {
            throw new AgreementInputException("The input is empty; expected a header line such as 'unit,rater,value'.");
        }

        var header = line.TrimStart('\uFEFF');
        var fields = new List<Field>();
        Split(header, lineNumber, fields);
        var (unitColumn, raterColumn, valueColumn) = FindColumns(header, lineNumber, fields);
        var columnsNeeded = Math.Max(unitColumn, Math.Max(raterColumn, valueColumn)) + 1;

        var builder = new RatingTableBuilder();
        var lineOfRating = new List<int>();
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
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

            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                throw new AgreementInputException(lineNumber, text.IsEmpty
                    ? "the value field is empty; leave the row out for a missing rating."
                    : $"the value field '{text}' is not a number.");
            }

            if (!double.IsFinite(value))
            {
                throw new AgreementInputException(lineNumber, $"the value field '{text}' is not a finite number.");
            }

            builder.Add(unit, rater, value);
            lineOfRating.Add(lineNumber);
        }

        if (builder.Count == 0)
        {
            throw new AgreementInputException("The input has a header but no ratings.");
        }

        if (!builder.TryBuild(out var table, out var duplicate))
        {
            var (unit, rater) = builder.IdsOf(duplicate.Second);
            throw new AgreementInputException(lineOfRating[duplicate.Second],
                $"rater '{rater}' rates unit '{unit}' a second time (first on line {lineOfRating[duplicate.First]}); each rater rates a unit once.");
        }

        return table;
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

    /// <summary>Splits one line into fields (RFC 4180 quoting within the line).</summary>
    private static void Split(string line, int lineNumber, List<Field> fields)
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
                var comma = line.IndexOf(',', position);
                var end = comma < 0 ? line.Length : comma;
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
        public ReadOnlySpan<char> Text(string line)
        {
            var text = line.AsSpan(Start, Length);
            if (Escaped)
            {
                return text.ToString().Replace("\"\"", "\"", StringComparison.Ordinal);
            }

            return Quoted ? text : text.Trim();
        }
    }
}
