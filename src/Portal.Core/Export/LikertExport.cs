using Portal.Core.Pairs;

namespace Portal.Core.Export;

/// <summary>How Likert items are written.</summary>
/// <param name="Format">One of the four Likert formats: items or ratings, JSON Lines or CSV.</param>
public sealed record LikertExportOptions(ExportFormat Format)
{
    /// <summary>
    /// The attributes, in column order. Required for <see cref="ExportFormat.LikertItemsCsv"/> (one group of columns each);
    /// for JSON Lines items, the order of <c>scores</c>, which otherwise follows each row. A row that scores another
    /// attribute is refused rather than silently dropped.
    /// </summary>
    public IReadOnlyList<string>? Attributes { get; init; }
}

/// <summary>What a Likert export wrote, for the dataset card.</summary>
/// <param name="Items">Rows given to the writer.</param>
/// <param name="Lines">Lines (CSV: rows, without the header) written.</param>
/// <param name="Ratings">
/// Individual scores (one annotator on one attribute) over all items: a row's <see cref="LikertRow.Ratings"/> when given,
/// else the sum of its scores' counts.
/// </param>
/// <param name="Annotators">Distinct pseudonyms over all items.</param>
/// <param name="GuidelineVersions">The distinct guideline versions, ascending.</param>
public sealed record LikertExportSummary(long Items, long Lines, long Ratings, int Annotators, IReadOnlyList<int> GuidelineVersions);

/// <summary>
/// Writes Likert items as JSON Lines or CSV, one line per item (every attribute's mean, median, sd and n) or one per
/// individual rating: UTF-8 without BOM, <c>\n</c> line ends, fixed field order, invariant numbers (shortest round-trip form).
/// </summary>
/// <remarks>Rows are read and written one at a time: memory holds one 64 KiB chunk, the largest row and the distinct pseudonyms.</remarks>
public static class LikertExport
{
    /// <summary>Writes the rows to <paramref name="destination"/>, which is flushed but left open.</summary>
    /// <exception cref="ArgumentException">The format is not a Likert one, or the items CSV has no attributes.</exception>
    /// <exception cref="ExportException">A row scores an attribute twice or one not in <see cref="LikertExportOptions.Attributes"/>; the output is then incomplete and must be discarded.</exception>
    public static LikertExportSummary Write(Stream destination, IEnumerable<LikertRow> rows, LikertExportOptions options)
    {
        using var encoder = new LikertEncoder(options);
        RowPump.Write(destination, rows, encoder.Buffer, encoder.Encode);
        return encoder.Summary();
    }

    /// <inheritdoc cref="Write"/>
    public static async Task<LikertExportSummary> WriteAsync(Stream destination, IAsyncEnumerable<LikertRow> rows, LikertExportOptions options, CancellationToken cancellationToken = default)
    {
        using var encoder = new LikertEncoder(options);
        await RowPump.WriteAsync(destination, rows, encoder.Buffer, encoder.Encode, cancellationToken);
        return encoder.Summary();
    }

    internal sealed class LikertEncoder : IDisposable
    {
        private readonly ExportFormat _format;
        private readonly IReadOnlyList<string>? _attributes;
        private readonly Dictionary<string, int>? _column;
        private readonly LikertScore?[] _byColumn;
        private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
        private readonly HashSet<string> _annotators = new(StringComparer.Ordinal);
        private readonly SortedSet<int> _guidelineVersions = [];
        private readonly SortedSet<string> _rowAnnotators = new(StringComparer.Ordinal);
        private readonly RowBuffer _scratch = new();
        private long _items, _lines, _ratings;

        public LikertEncoder(LikertExportOptions options)
        {
            ArgumentNullException.ThrowIfNull(options);
            if (options.Format.IsPairwise() || !Enum.IsDefined(options.Format))
            {
                throw new ArgumentException($"{options.Format} is not a Likert format; use PairExport.", nameof(options));
            }
            _format = options.Format;
            _attributes = options.Attributes;
            if (_format == ExportFormat.LikertItemsCsv && (_attributes is null || _attributes.Count == 0))
            {
                throw new ArgumentException("The Likert items CSV needs the list of attributes: they are its columns.", nameof(options));
            }
            if (_attributes is not null)
            {
                _column = new Dictionary<string, int>(StringComparer.Ordinal);
                foreach (var attribute in _attributes)
                {
                    if (!_column.TryAdd(attribute, _column.Count))
                    {
                        throw new ArgumentException($"Attribute '{attribute}' is listed twice.", nameof(options));
                    }
                }
            }
            _byColumn = new LikertScore?[_attributes?.Count ?? 0];
            if (_format.IsCsv())
            {
                WriteHeader();
            }
        }

        public RowBuffer Buffer { get; } = new();

        public void Encode(LikertRow row, long number)
        {
            ArgumentNullException.ThrowIfNull(row);
            CheckScores(row, number);
            _items++;
            _ratings += row.Ratings.Count > 0 ? row.Ratings.Count : row.Scores.Sum(s => (long)s.Count);
            _rowAnnotators.Clear();
            foreach (var annotator in row.Annotators.Concat(row.Ratings.Select(r => r.Annotator)))
            {
                ArgumentNullException.ThrowIfNull(annotator);
                _rowAnnotators.Add(annotator.Value);
                _annotators.Add(annotator.Value);
            }
            if (row.GuidelineVersion is { } version)
            {
                _guidelineVersions.Add(version);
            }

            switch (_format)
            {
                case ExportFormat.LikertItemsJsonl:
                    ItemJson(row);
                    break;
                case ExportFormat.LikertItemsCsv:
                    ItemCsv(row);
                    break;
                default:
                    foreach (var rating in row.Ratings)
                    {
                        if (_format == ExportFormat.LikertRatingsJsonl)
                        {
                            RatingJson(row, rating);
                        }
                        else
                        {
                            RatingCsv(row, rating);
                        }
                    }
                    break;
            }
        }

        private void CheckScores(LikertRow row, long number)
        {
            _seen.Clear();
            Array.Clear(_byColumn);
            foreach (var score in row.Scores)
            {
                if (!_seen.Add(score.Attribute))
                {
                    throw new ExportException(number, row.ExternalId, $"scores attribute '{score.Attribute}' twice");
                }
                if (_column is not null)
                {
                    _byColumn[_column.TryGetValue(score.Attribute, out var column)
                        ? column
                        : throw new ExportException(number, row.ExternalId, $"scores attribute '{score.Attribute}', which is not among the export's attributes ({string.Join(", ", _attributes!)})")] = score;
                }
            }
        }

        private void ItemJson(LikertRow row)
        {
            var json = Buffer.Json;
            json.WriteStartObject();
            WriteText(row);
            json.WriteStartObject("scores");
            foreach (var score in _column is null ? row.Scores : _byColumn.OfType<LikertScore>())
            {
                json.WriteStartObject(score.Attribute);
                Buffer.WriteNumberOrNull("mean", score.Mean);
                Buffer.WriteNumberOrNull("median", score.Median);
                Buffer.WriteNumberOrNull("sd", score.StandardDeviation);
                json.WriteNumber("n", score.Count);
                json.WriteEndObject();
            }
            json.WriteEndObject();
            Buffer.WriteMetadata(row.Metadata);
            json.WriteStartObject("provenance");
            Buffer.WriteNumberOrNull("guideline_version", row.GuidelineVersion);
            json.WriteStartArray("annotators");
            foreach (var annotator in _rowAnnotators)
            {
                json.WriteStringValue(annotator);
            }
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
            Buffer.EndJsonLine();
            _lines++;
        }

        private void RatingJson(LikertRow row, LikertRating rating)
        {
            ArgumentNullException.ThrowIfNull(rating);
            var json = Buffer.Json;
            json.WriteStartObject();
            WriteText(row);
            json.WriteString("annotator", rating.Annotator.Value);
            json.WriteString("attribute", rating.Attribute);
            Buffer.WriteNumberOrNull("value", rating.Value);
            json.WriteEndObject();
            Buffer.EndJsonLine();
            _lines++;
        }

        private void WriteText(LikertRow row)
        {
            Buffer.Json.WriteString("id", row.ExternalId);
            Buffer.Json.WritePropertyName("prompt");
            Buffer.WriteMessages(row.Conversation);
            Buffer.Json.WriteString("response", row.Response);
        }

        private void WriteHeader()
        {
            foreach (var (field, i) in _format.Fields(attributes: _attributes).Select((f, i) => (f, i)))
            {
                if (i > 0)
                {
                    Csv.Separator(Buffer);
                }
                Csv.Text(Buffer, field.Name);
            }
            Csv.EndRow(Buffer);
        }

        private void ItemCsv(LikertRow row)
        {
            CsvText(row);
            foreach (var score in _byColumn)
            {
                Csv.Separator(Buffer);
                Csv.Number(Buffer, score?.Mean);
                Csv.Separator(Buffer);
                Csv.Number(Buffer, score?.Median);
                Csv.Separator(Buffer);
                Csv.Number(Buffer, score?.StandardDeviation);
                Csv.Separator(Buffer);
                Csv.Number(Buffer, score?.Count);
            }
            Csv.Separator(Buffer);
            Csv.Number(Buffer, row.GuidelineVersion);
            Csv.Separator(Buffer);
            var first = true;
            foreach (var annotator in _rowAnnotators)
            {
                if (!first)
                {
                    Buffer.WriteByte((byte)' ');
                }
                Buffer.WriteUtf8(annotator);
                first = false;
            }
            Csv.Separator(Buffer);
            if (row.Metadata is { ValueKind: not System.Text.Json.JsonValueKind.Undefined } metadata)
            {
                _scratch.Clear();
                metadata.WriteTo(_scratch.Json);
                _scratch.Json.Flush();
                _scratch.Json.Reset();
                Csv.Utf8(Buffer, _scratch.WrittenSpan);
            }
            Csv.EndRow(Buffer);
            _lines++;
        }

        private void RatingCsv(LikertRow row, LikertRating rating)
        {
            ArgumentNullException.ThrowIfNull(rating);
            CsvText(row);
            Csv.Separator(Buffer);
            Csv.Text(Buffer, rating.Annotator.Value);
            Csv.Separator(Buffer);
            Csv.Text(Buffer, rating.Attribute);
            Csv.Separator(Buffer);
            Csv.Number(Buffer, rating.Value);
            Csv.EndRow(Buffer);
            _lines++;
        }

        private void CsvText(LikertRow row)
        {
            Csv.Text(Buffer, row.ExternalId);
            Csv.Separator(Buffer);
            _scratch.Clear();
            _scratch.WriteMessages(row.Conversation);
            _scratch.Json.Flush();
            _scratch.Json.Reset();
            Csv.Utf8(Buffer, _scratch.WrittenSpan);
            Csv.Separator(Buffer);
            Csv.Text(Buffer, row.Response);
        }

        public LikertExportSummary Summary() => new(_items, _lines, _ratings, _annotators.Count, [.. _guidelineVersions]);

        public void Dispose()
        {
            Buffer.Dispose();
            _scratch.Dispose();
        }
    }
}
