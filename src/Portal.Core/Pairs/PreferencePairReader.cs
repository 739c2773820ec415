using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Portal.Core.Pairs;

/// <summary>
/// Reads preference pairs from JSON Lines, one object a line, in constant memory.
/// </summary>
/// <remarks>
/// <para>Accepted shapes (blank lines are skipped):</para>
/// <list type="bullet">
/// <item><c>{"prompt", "response_a", "response_b"}</c>: unlabelled; <see cref="PreferencePair.Label"/> is null.</item>
/// <item>TRL <c>{"prompt", "chosen", "rejected"}</c>: the chosen response becomes A and the label is A.
/// <c>prompt</c> is a string or a list of <c>{"role", "content"}</c> messages; <c>chosen</c>/<c>rejected</c> are strings or
/// message lists. Message lists may repeat the conversation (TRL's implicit prompt): the messages they share are appended to the
/// conversation and each must then end in exactly one assistant message.</item>
/// <item>HH-RLHF <c>{"chosen", "rejected"}</c> without a prompt: whole <c>"\n\nHuman: … \n\nAssistant: …"</c> transcripts, split
/// into turns; all turns but the last must be the same in both, and the last must be the assistant's.</item>
/// </list>
/// <para>A string prompt that is itself an HH transcript (<c>"\n\nHuman: … \n\nAssistant:"</c>) is split into turns too.
/// Optional: <c>id</c> or <c>external_id</c> (string or number) and a <c>metadata</c> object. Other fields are ignored.</para>
/// </remarks>
public static class PreferencePairReader
{
    /// <summary>Reads pairs lazily, one line at a time.</summary>
    /// <exception cref="PairFormatException">At the first line that is not a valid pair.</exception>
    public static IEnumerable<PreferencePair> Read(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        long lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (!string.IsNullOrWhiteSpace(line))
            {
                yield return ParseLine(line, lineNumber);
            }
        }
    }

    /// <inheritdoc cref="Read(TextReader)"/>
    public static async IAsyncEnumerable<PreferencePair> ReadAsync(TextReader reader, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        long lineNumber = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            lineNumber++;
            if (!string.IsNullOrWhiteSpace(line))
            {
                yield return ParseLine(line, lineNumber);
            }
        }
    }

    /// <summary>Opens a pair file for reading as UTF-8 text, decompressing it on the fly when its name ends in <c>.gz</c>.</summary>
    public static StreamReader OpenFile(string path)
    {
        Stream stream = File.OpenRead(path);
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            stream = new GZipStream(stream, CompressionMode.Decompress);
        }
        return new StreamReader(stream, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
    }

    /// <summary>Parses one line. <paramref name="lineNumber"/> (1-based) only labels errors.</summary>
    /// <exception cref="PairFormatException">The line is not JSON or not a pair in one of the accepted shapes.</exception>
    public static PreferencePair ParseLine(string line, long lineNumber)
    {
        ArgumentNullException.ThrowIfNull(line);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException ex)
        {
            throw new PairFormatException(lineNumber, null, $"is not valid JSON: {ex.Message}", ex);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new PairFormatException(lineNumber, null, $"must be a JSON object, not {Describe(root.ValueKind)}");
            }
            return ParseObject(root, lineNumber);
        }
    }

    private static PreferencePair ParseObject(JsonElement root, long line)
    {
        var id = ReadId(root, line);
        var metadata = ReadMetadata(root, line);

        var hasChosen = Has(root, "chosen") || Has(root, "rejected");
        var hasAb = Has(root, "response_a") || Has(root, "response_b");
        if (hasChosen && hasAb)
        {
            throw new PairFormatException(line, "response_a", "cannot be combined with 'chosen'/'rejected'; use one shape per line");
        }
        var (nameA, nameB) = hasAb ? ("response_a", "response_b") : ("chosen", "rejected");
        var a = Required(root, nameA, line);
        var b = Required(root, nameB, line);

        var conversation = new List<Turn>();
        var hasPrompt = Has(root, "prompt");
        if (hasPrompt)
        {
            var prompt = root.GetProperty("prompt");
            switch (prompt.ValueKind)
            {
                case JsonValueKind.String:
                    var text = prompt.GetString()!;
                    if (HhTranscript.Looks(text))
                    {
                        conversation.AddRange(HhTranscript.Parse(text, dropEmptyLastAssistant: true));
                    }
                    else
                    {
                        conversation.Add(new Turn(Turn.User, text));
                    }
                    break;
                case JsonValueKind.Array:
                    conversation.AddRange(ReadMessages(prompt, "prompt", line));
                    break;
                default:
                    throw new PairFormatException(line, "prompt", $"must be a string or a list of {{role, content}} messages, not {Describe(prompt.ValueKind)}");
            }
        }

        string responseA, responseB;
        if (a.ValueKind == JsonValueKind.String && b.ValueKind == JsonValueKind.String)
        {
            if (hasPrompt)
            {
                (responseA, responseB) = (a.GetString()!, b.GetString()!);
            }
            else if (!hasAb)
            {
                var turnsA = ParseTranscript(a.GetString()!, nameA, line);
                var turnsB = ParseTranscript(b.GetString()!, nameB, line);
                (responseA, responseB) = SplitShared(turnsA, turnsB, conversation, nameA, nameB, line);
            }
            else
            {
                throw new PairFormatException(line, "prompt", "is missing");
            }
        }
        else if (a.ValueKind == JsonValueKind.Array && b.ValueKind == JsonValueKind.Array)
        {
            var turnsA = ReadMessages(a, nameA, line);
            var turnsB = ReadMessages(b, nameB, line);
            (responseA, responseB) = SplitShared(turnsA, turnsB, conversation, nameA, nameB, line);
        }
        else
        {
            var (name, value) = a.ValueKind is JsonValueKind.String or JsonValueKind.Array ? (nameB, b) : (nameA, a);
            throw new PairFormatException(line, name, a.ValueKind is JsonValueKind.String or JsonValueKind.Array && b.ValueKind is JsonValueKind.String or JsonValueKind.Array
                ? $"must have the same shape as '{(name == nameA ? nameB : nameA)}' (both strings or both message lists)"
                : $"must be a string or a list of {{role, content}} messages, not {Describe(value.ValueKind)}");
        }

        return new PreferencePair(id, conversation, responseA, responseB, hasAb ? null : Preference.A, metadata);
    }

    private static List<Turn> ParseTranscript(string text, string field, long line)
    {
        if (!HhTranscript.Looks(text))
        {
            throw new PairFormatException(line, "prompt", $"is missing and '{field}' is not a \"\\n\\nHuman: … \\n\\nAssistant: …\" transcript");
        }
        return HhTranscript.Parse(text, dropEmptyLastAssistant: false);
    }

    // Moves the turns both transcripts share onto the conversation; what is left must be one assistant turn on each side.
    private static (string A, string B) SplitShared(List<Turn> a, List<Turn> b, List<Turn> conversation, string nameA, string nameB, long line)
    {
        if (a.Count == 0)
        {
            throw new PairFormatException(line, nameA, "is an empty list");
        }
        if (b.Count == 0)
        {
            throw new PairFormatException(line, nameB, "is an empty list");
        }
        var shared = 0;
        var limit = Math.Min(a.Count, b.Count) - 1;
        while (shared < limit && a[shared] == b[shared])
        {
            shared++;
        }
        if (a.Count != shared + 1 || b.Count != shared + 1)
        {
            throw new PairFormatException(line, nameB, $"does not share the conversation with '{nameA}': they differ at turn {shared + 1} of {Math.Max(a.Count, b.Count)}, not only in the last");
        }
        foreach (var (turn, name) in new[] { (a[shared], nameA), (b[shared], nameB) })
        {
            if (turn.Role != Turn.Assistant)
            {
                throw new PairFormatException(line, name, $"must end in an assistant turn, not a '{turn.Role}' turn");
            }
        }
        conversation.AddRange(a.Take(shared));
        return (a[shared].Content, b[shared].Content);
    }

    private static List<Turn> ReadMessages(JsonElement array, string field, long line)
    {
        var turns = new List<Turn>(array.GetArrayLength());
        var i = 0;
        foreach (var message in array.EnumerateArray())
        {
            var path = $"{field}[{i}]";
            if (message.ValueKind != JsonValueKind.Object)
            {
                throw new PairFormatException(line, path, $"must be a {{role, content}} object, not {Describe(message.ValueKind)}");
            }
            turns.Add(new Turn(RequiredString(message, "role", path, line), RequiredString(message, "content", path, line)));
            i++;
        }
        return turns;
    }

    private static string RequiredString(JsonElement obj, string name, string path, long line)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            throw new PairFormatException(line, $"{path}.{name}", "is missing");
        }
        if (value.ValueKind != JsonValueKind.String)
        {
            throw new PairFormatException(line, $"{path}.{name}", $"must be a string, not {Describe(value.ValueKind)}");
        }
        return value.GetString()!;
    }

    private static JsonElement Required(JsonElement root, string name, long line) =>
        root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : throw new PairFormatException(line, name, "is missing");

    private static bool Has(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null;

    private static string? ReadId(JsonElement root, long line)
    {
        foreach (var name in (ReadOnlySpan<string>)["id", "external_id"])
        {
            if (root.TryGetProperty(name, out var value))
            {
                switch (value.ValueKind)
                {
                    case JsonValueKind.String:
                        return value.GetString();
                    case JsonValueKind.Number:
                        return value.GetRawText();
                    case JsonValueKind.Null:
                        continue;
                    default:
                        throw new PairFormatException(line, name, $"must be a string or a number, not {Describe(value.ValueKind)}");
                }
            }
        }
        return null;
    }

    private static JsonElement? ReadMetadata(JsonElement root, long line)
    {
        if (!root.TryGetProperty("metadata", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        return value.ValueKind == JsonValueKind.Object
            ? value.Clone()
            : throw new PairFormatException(line, "metadata", $"must be an object, not {Describe(value.ValueKind)}");
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}
