using System.Text;
using System.Text.Json;
using Portal.Core.Pairs;

namespace Portal.Core.Import;

/// <summary>What an item file's line is meant for: one response (Likert) or two (pairwise).</summary>
public enum ItemShape
{
    Likert,
    Pairwise,
}

/// <summary>One item read from an import file: the conversation before the response(s), and one or two responses.</summary>
public sealed record ImportedItem(long LineNumber, string? ExternalId, IReadOnlyList<Turn> Conversation, string ResponseA, string? ResponseB, string? MetadataJson)
{
    /// <summary>Response A's turns when it has several (a pair whose sides parted early); null when it is one turn.</summary>
    public IReadOnlyList<Turn>? ResponseTurnsA { get; init; }

    /// <summary>Response B's turns when it has several; null when it is one turn.</summary>
    public IReadOnlyList<Turn>? ResponseTurnsB { get; init; }

    /// <summary>Likert scores the file gave the response (HelpSteer2's five 0–4 attributes), by attribute key; null when it gave none.</summary>
    public IReadOnlyDictionary<string, int>? FileScores { get; init; }

    /// <summary>The pair as the file had it, with its label; null for Likert items.</summary>
    public PreferencePair? Pair { get; init; }

    /// <summary>The line's <c>category</c> (a top-level field, a CSV column, or <c>metadata.category</c>); null when it has none.</summary>
    public string? Category { get; init; }

    /// <summary>True when the pair's two sides parted before their last turn and were split TRL's way.</summary>
    public bool SplitEarly => ResponseTurnsA is not null || ResponseTurnsB is not null;

    public static ImportedItem FromPair(PreferencePair pair, long lineNumber) =>
        new(lineNumber, pair.ExternalId, pair.Conversation, pair.ResponseA, pair.ResponseB, pair.Metadata?.GetRawText())
        {
            ResponseTurnsA = pair.ResponseTurnsA,
            ResponseTurnsB = pair.ResponseTurnsB,
            Pair = pair,
        };
}

/// <summary>An import file's line that is not an item; the message names the line (or a Parquet file's row and row group) and the field.</summary>
public sealed class ItemFormatException(long lineNumber, string? field, string problem, string? location = null)
    : FormatException($"{location ?? $"line {lineNumber}"}: {(field is null ? "" : $"field '{field}' ")}{problem}")
{
    public long LineNumber { get; } = lineNumber;
    public string? Field { get; } = field;
    public string Problem { get; } = problem;
}

/// <summary>
/// Reads items for import from JSON Lines or CSV, one at a time, in constant memory.
/// </summary>
/// <remarks>
/// <para>Pairwise: every shape <see cref="PreferencePairReader"/> accepts (<c>{"prompt","response_a","response_b"}</c>, TRL's
/// <c>{"prompt","chosen","rejected"}</c>, HH-RLHF's <c>{"chosen","rejected"}</c> transcripts). A file's chosen response becomes A;
/// the portal shows A and B in a random order per assignment, so nothing of the file's preference reaches annotators.</para>
/// <para>Likert: <c>{"prompt","response"}</c>, prompt a string or a list of <c>{"role","content"}</c> messages.</para>
/// <para>CSV: a header with <c>prompt</c> and either <c>response</c> or <c>response_a,response_b</c> (or <c>chosen,rejected</c>),
/// optionally <c>id</c>/<c>external_id</c>; quoted fields may hold commas, quotes and line breaks.</para>
/// </remarks>
public static class ItemFileReader
{
    public static bool IsCsv(string fileName) =>
        fileName.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || fileName.EndsWith(".csv.gz", StringComparison.OrdinalIgnoreCase);

    public static IEnumerable<ImportedItem> Read(TextReader reader, ItemShape shape, bool csv, PairFileFormat format = PairFileFormat.Auto) =>
        csv ? ReadCsv(reader, shape) : ReadJsonLines(reader, shape, format);

    public static IEnumerable<ImportedItem> ReadJsonLines(TextReader reader, ItemShape shape, PairFileFormat format = PairFileFormat.Auto)
    {
        var pairs = new PairLineParser(format);
        long lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (!string.IsNullOrWhiteSpace(line))
            {
                yield return shape == ItemShape.Pairwise ? ParsePair(pairs, line, lineNumber) : ParseJsonLine(line, lineNumber, shape);
            }
        }
    }

    /// <summary>
    /// Reads items from a Parquet file (seekable), one row group in memory at a time; each row is read as the JSON object of a
    /// JSON Lines file would be, so every shape above is accepted, and errors name the row, its row group and the field.
    /// </summary>
    /// <param name="limits">The row group and value limits (see <see cref="ParquetRecords.Read"/>); <see cref="Common.InputLimits.Default"/> when null.</param>
    public static IEnumerable<ImportedItem> ReadParquet(Stream stream, ItemShape shape, PairFileFormat format = PairFileFormat.Auto, Common.InputLimits? limits = null)
    {
        var pairs = new PairLineParser(format);
        foreach (var record in ParquetRecords.Read(stream, limits))
        {
            ImportedItem item;
            try
            {
                item = shape == ItemShape.Pairwise
                    ? ImportedItem.FromPair(pairs.Parse(record.Record, record.Row), record.Row) with { Category = CategoryOf(record.Record, record.Row) }
                    : ParseLikert(record.Record, record.Row);
            }
            catch (PairFormatException ex)
            {
                throw new ItemFormatException(record.Row, ex.Field, ex.Problem, ParquetRecords.Where(record));
            }
            catch (ItemFormatException ex)
            {
                throw new ItemFormatException(record.Row, ex.Field, ex.Problem, ParquetRecords.Where(record));
            }

            yield return item;
        }
    }

    private static ImportedItem ParsePair(PairLineParser pairs, string line, long lineNumber)
    {
        try
        {
            var item = ImportedItem.FromPair(pairs.Parse(line, lineNumber), lineNumber);
            if (!line.Contains("\"category\"", StringComparison.Ordinal))
            {
                return item;
            }

            // Parsed a second time only for the lines that name a category: the pair reader keeps no top-level field it does not know.
            using var document = JsonDocument.Parse(line);
            return item with { Category = CategoryOf(document.RootElement, lineNumber) };
        }
        catch (PairFormatException ex)
        {
            throw new ItemFormatException(ex.LineNumber, ex.Field, ex.Problem);
        }
    }

    public static ImportedItem ParseJsonLine(string line, long lineNumber, ItemShape shape)
    {
        if (shape == ItemShape.Pairwise)
        {
            return ParsePair(new PairLineParser(), line, lineNumber);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException ex)
        {
            throw new ItemFormatException(lineNumber, null, $"is not valid JSON: {ex.Message}");
        }

        using (document)
        {
            return ParseLikert(document.RootElement, lineNumber);
        }
    }

    private static ImportedItem ParseLikert(JsonElement root, long lineNumber)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new ItemFormatException(lineNumber, null, "is not a JSON object.");
        }

        if (root.TryGetProperty("messages", out var messages) && messages.ValueKind != JsonValueKind.Null && !root.TryGetProperty("response", out _))
        {
            return ChatMessages(root, messages, lineNumber);
        }

        var response = Text(root, "response", lineNumber)
            ?? throw new ItemFormatException(lineNumber, "response", $"is missing: a Likert item needs one response; {KnownLikertShapes}.");
        var helpSteer = HelpSteerAttributes.Any(a => root.TryGetProperty(a, out _));
        Dictionary<string, int>? scores = null;
        if (helpSteer)
        {
            scores = new Dictionary<string, int>(HelpSteerAttributes.Count, StringComparer.Ordinal);
            foreach (var attribute in HelpSteerAttributes)
            {
                if (!root.TryGetProperty(attribute, out var score) || score.ValueKind != JsonValueKind.Number
                    || !score.TryGetInt32(out var value) || value is < 0 or > 4)
                {
                    throw new ItemFormatException(lineNumber, attribute, "must be a whole number from 0 to 4 (HelpSteer2 rates helpfulness, correctness, coherence, complexity and verbosity).");
                }

                scores[attribute] = value;
            }
        }

        return new ImportedItem(lineNumber, Id(root, lineNumber), Conversation(root, lineNumber), response, null,
            helpSteer ? MetadataOf(root, ["prompt", "response"]) : root.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object ? m.GetRawText() : null)
        {
            FileScores = scores,
            Category = CategoryOf(root, lineNumber),
        };
    }

    /// <summary>Longest category name an item may carry.</summary>
    public const int MaxCategoryLength = 100;

    /// <summary>
    /// The record's category: its own <c>category</c> field (a string of at most <see cref="MaxCategoryLength"/> characters, or
    /// the line is refused), else a string <c>category</c> in its <c>metadata</c> (a known format's own field, used when it fits).
    /// </summary>
    public static string? CategoryOf(JsonElement root, long lineNumber)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (root.TryGetProperty("category", out var own) && own.ValueKind != JsonValueKind.Null)
        {
            if (own.ValueKind != JsonValueKind.String)
            {
                throw new ItemFormatException(lineNumber, "category", "must be a string such as \"math\".");
            }

            return CheckCategory(own.GetString()!, lineNumber);
        }

        if (root.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
            && metadata.TryGetProperty("category", out var m) && m.ValueKind == JsonValueKind.String
            && m.GetString()!.Trim() is { Length: > 0 and <= MaxCategoryLength } fromMetadata)
        {
            return fromMetadata;
        }

        return null;
    }

    private static string? CheckCategory(string value, long lineNumber)
    {
        var trimmed = value.Trim();
        return trimmed.Length switch
        {
            0 => null,
            > MaxCategoryLength => throw new ItemFormatException(lineNumber, "category", $"is {trimmed.Length} characters; a category is at most {MaxCategoryLength}."),
            _ => trimmed,
        };
    }

    /// <summary>What a Likert line that is none of them is told.</summary>
    public const string KnownLikertShapes =
        "known shapes: {prompt, response}; HelpSteer2 {prompt, response, helpfulness, correctness, coherence, complexity, verbosity}; " +
        "OpenAI chat {messages: [{role, content}, …]} ending in the assistant's response";

    /// <summary>HelpSteer2's five attributes, each rated 0–4.</summary>
    public static readonly IReadOnlyList<string> HelpSteerAttributes = ["helpfulness", "correctness", "coherence", "complexity", "verbosity"];

    // OpenAI chat fine-tuning lines: {"messages": [...]} whose last message is the assistant's answer.
    private static ImportedItem ChatMessages(JsonElement root, JsonElement messages, long lineNumber)
    {
        if (messages.ValueKind != JsonValueKind.Array)
        {
            throw new ItemFormatException(lineNumber, "messages", "must be a list of {\"role\", \"content\"} messages.");
        }

        var turns = new List<Turn>();
        foreach (var message in messages.EnumerateArray())
        {
            if (message.ValueKind != JsonValueKind.Object
                || !message.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String
                || !message.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.String)
            {
                throw new ItemFormatException(lineNumber, $"messages[{turns.Count}]", "needs a string role and a string content.");
            }

            turns.Add(new Turn(role.GetString()!, content.GetString()!));
        }

        if (turns.Count < 2 || turns[^1].Role != Turn.Assistant)
        {
            throw new ItemFormatException(lineNumber, "messages", "must end in the assistant's message (the response to rate), after at least one other message.");
        }

        if (turns[^1].Content.Length == 0)
        {
            throw new ItemFormatException(lineNumber, $"messages[{turns.Count - 1}].content", "is empty.");
        }

        return new ImportedItem(lineNumber, Id(root, lineNumber), turns[..^1], turns[^1].Content, null, MetadataOf(root, ["messages"]));
    }

    // Fields of a public format beyond the item's own (ids, scores, model names) are kept, after those of a "metadata" object.
    private static string? MetadataOf(JsonElement root, string[] itemFields)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var any = false;
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (root.TryGetProperty("metadata", out var own) && own.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in own.EnumerateObject())
                {
                    property.WriteTo(json);
                    any = true;
                }
            }

            foreach (var property in root.EnumerateObject())
            {
                if (property.Name != "metadata" && !itemFields.Contains(property.Name))
                {
                    property.WriteTo(json);
                    any = true;
                }
            }

            json.WriteEndObject();
        }

        return any ? Encoding.UTF8.GetString(buffer.WrittenSpan) : null;
    }

    private static List<Turn> Conversation(JsonElement root, long lineNumber)
    {
        if (!root.TryGetProperty("prompt", out var prompt) || prompt.ValueKind == JsonValueKind.Null)
        {
            throw new ItemFormatException(lineNumber, "prompt", "is missing.");
        }

        if (prompt.ValueKind == JsonValueKind.String)
        {
            var text = prompt.GetString()!;
            return text.Length == 0 ? throw new ItemFormatException(lineNumber, "prompt", "is empty.") : [new Turn(Turn.User, text)];
        }

        if (prompt.ValueKind != JsonValueKind.Array)
        {
            throw new ItemFormatException(lineNumber, "prompt", "must be a string or a list of {\"role\", \"content\"} messages.");
        }

        var turns = new List<Turn>();
        foreach (var message in prompt.EnumerateArray())
        {
            if (message.ValueKind != JsonValueKind.Object
                || !message.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String
                || !message.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.String)
            {
                throw new ItemFormatException(lineNumber, "prompt", $"message {turns.Count + 1} needs a string role and a string content.");
            }

            turns.Add(new Turn(role.GetString()!, content.GetString()!));
        }

        return turns.Count > 0 ? turns : throw new ItemFormatException(lineNumber, "prompt", "has no messages.");
    }

    private static string? Text(JsonElement root, string field, long lineNumber)
    {
        if (!root.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw new ItemFormatException(lineNumber, field, "must be a string.");
        }

        var text = value.GetString()!;
        return text.Length > 0 ? text : throw new ItemFormatException(lineNumber, field, "is empty.");
    }

    private static string? Id(JsonElement root, long lineNumber)
    {
        foreach (var name in new[] { "external_id", "id" })
        {
            if (root.TryGetProperty(name, out var id))
            {
                return id.ValueKind switch
                {
                    JsonValueKind.String => id.GetString(),
                    JsonValueKind.Number => id.GetRawText(),
                    JsonValueKind.Null => null,
                    _ => throw new ItemFormatException(lineNumber, name, "must be a string or a number."),
                };
            }
        }

        return null;
    }

    public static IEnumerable<ImportedItem> ReadCsv(TextReader reader, ItemShape shape)
    {
        using var records = CsvRecords(reader).GetEnumerator();
        if (!records.MoveNext())
        {
            yield break;
        }

        var header = records.Current.Fields.Select(f => f.Trim().ToLowerInvariant()).ToList();
        int Column(params string[] names) => names.Select(n => header.IndexOf(n)).FirstOrDefault(i => i >= 0, -1);
        var prompt = Column("prompt");
        var id = Column("external_id", "id");
        var category = Column("category");
        var a = shape == ItemShape.Likert ? Column("response") : Column("response_a", "chosen");
        var b = shape == ItemShape.Likert ? -1 : Column("response_b", "rejected");
        if (prompt < 0)
        {
            throw new ItemFormatException(1, "prompt", "is not a column of the header.");
        }

        if (a < 0 || (shape == ItemShape.Pairwise && b < 0))
        {
            throw new ItemFormatException(1, shape == ItemShape.Likert ? "response" : "response_a",
                shape == ItemShape.Likert ? "is not a column of the header (Likert items need prompt,response)."
                    : "is not a column of the header (pairwise items need prompt,response_a,response_b or prompt,chosen,rejected).");
        }

        while (records.MoveNext())
        {
            var (line, fields) = records.Current;
            if (fields.Count == 1 && fields[0].Length == 0)
            {
                continue;
            }

            if (fields.Count != header.Count)
            {
                throw new ItemFormatException(line, null, $"has {fields.Count} fields but the header has {header.Count}.");
            }

            string Required(int column) => fields[column].Length > 0 ? fields[column] : throw new ItemFormatException(line, header[column], "is empty.");
            yield return new ImportedItem(line, id >= 0 && fields[id].Length > 0 ? fields[id] : null, [new Turn(Turn.User, Required(prompt))],
                Required(a), b >= 0 ? Required(b) : null, null)
            {
                Category = category >= 0 ? CheckCategory(fields[category], line) : null,
            };
        }
    }

    /// <summary>RFC 4180 records with the line each starts on; quoted fields may span lines.</summary>
    private static IEnumerable<(long Line, List<string> Fields)> CsvRecords(TextReader reader)
    {
        long line = 1;
        var field = new StringBuilder();
        var fields = new List<string>();
        var start = line;
        var quoted = false;
        var atFieldStart = true;
        int c;
        while ((c = reader.Read()) != -1)
        {
            var ch = (char)c;
            if (quoted)
            {
                if (ch == '"')
                {
                    if (reader.Peek() == '"')
                    {
                        reader.Read();
                        field.Append('"');
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    if (ch == '\n')
                    {
                        line++;
                    }

                    field.Append(ch);
                }

                continue;
            }

            switch (ch)
            {
                case '"' when atFieldStart:
                    quoted = true;
                    atFieldStart = false;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    atFieldStart = true;
                    break;
                case '\r':
                    break;
                case '\n':
                    fields.Add(field.ToString());
                    field.Clear();
                    yield return (start, fields);
                    fields = [];
                    line++;
                    start = line;
                    atFieldStart = true;
                    break;
                default:
                    field.Append(ch);
                    atFieldStart = false;
                    break;
            }
        }

        if (quoted)
        {
            throw new ItemFormatException(start, null, "has a quoted field that is never closed.");
        }

        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            yield return (start, fields);
        }
    }
}
