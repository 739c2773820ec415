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
public sealed record ImportedItem(long LineNumber, string? ExternalId, IReadOnlyList<Turn> Conversation, string ResponseA, string? ResponseB, string? MetadataJson);

/// <summary>An import file's line that is not an item; the message names the line and the field.</summary>
public sealed class ItemFormatException(long lineNumber, string? field, string problem)
    : FormatException($"line {lineNumber}: {(field is null ? "" : $"field '{field}' ")}{problem}")
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

    public static IEnumerable<ImportedItem> Read(TextReader reader, ItemShape shape, bool csv) =>
        csv ? ReadCsv(reader, shape) : ReadJsonLines(reader, shape);

    public static IEnumerable<ImportedItem> ReadJsonLines(TextReader reader, ItemShape shape)
    {
        long lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (!string.IsNullOrWhiteSpace(line))
            {
                yield return ParseJsonLine(line, lineNumber, shape);
            }
        }
    }

    public static ImportedItem ParseJsonLine(string line, long lineNumber, ItemShape shape)
    {
        if (shape == ItemShape.Pairwise)
        {
            try
            {
                var pair = PreferencePairReader.ParseLine(line, lineNumber);
                return new ImportedItem(lineNumber, pair.ExternalId, pair.Conversation, pair.ResponseA, pair.ResponseB, pair.Metadata?.GetRawText());
            }
            catch (PairFormatException ex)
            {
                throw new ItemFormatException(ex.LineNumber, ex.Field, ex.Problem);
            }
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
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new ItemFormatException(lineNumber, null, "is not a JSON object.");
            }

            var response = Text(root, "response", lineNumber)
                ?? throw new ItemFormatException(lineNumber, "response", "is missing: a Likert item needs one response ({\"prompt\", \"response\"}).");
            return new ImportedItem(lineNumber, Id(root, lineNumber), Conversation(root, lineNumber), response, null,
                root.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object ? m.GetRawText() : null);
        }
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
                Required(a), b >= 0 ? Required(b) : null, null);
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
