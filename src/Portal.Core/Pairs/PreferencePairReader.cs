using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Portal.Core.Pairs;

/// <summary>The shapes of pair files the readers know; <see cref="Auto"/> detects one from the first record.</summary>
public enum PairFileFormat
{
    /// <summary>Detect from the first record's fields.</summary>
    Auto,

    /// <summary><c>{"prompt","response_a","response_b"}</c>, TRL <c>{"prompt","chosen","rejected"}</c> (strings or message lists, the
    /// prompt given or implicit) and HH-RLHF <c>{"chosen","rejected"}</c> transcripts, line by line.</summary>
    Trl,

    /// <summary>UltraFeedback binarized: <c>prompt</c>, <c>chosen</c>/<c>rejected</c> message lists that repeat the prompt,
    /// <c>score_chosen</c>/<c>score_rejected</c>.</summary>
    UltraFeedback,

    /// <summary>Chatbot Arena conversations: <c>conversation_a</c>/<c>conversation_b</c>, <c>model_a</c>/<c>model_b</c>,
    /// <c>winner</c> (<c>model_a</c>, <c>model_b</c>, <c>tie</c>, <c>tie (bothbad)</c>), <c>judge</c>.</summary>
    ChatbotArena,

    /// <summary>Stanford SHP: <c>history</c>, <c>human_ref_A</c>/<c>human_ref_B</c>, <c>labels</c> (1 when A is preferred), scores.</summary>
    Shp,
}

/// <summary>
/// Reads preference pairs from JSON Lines, one object a line, in constant memory.
/// </summary>
/// <remarks>
/// <para>Accepted shapes (blank lines are skipped), detected from the first record unless a <see cref="PairFileFormat"/> is given:</para>
/// <list type="bullet">
/// <item><c>{"prompt", "response_a", "response_b"}</c>: unlabelled; <see cref="PreferencePair.Label"/> is null.</item>
/// <item>TRL <c>{"prompt", "chosen", "rejected"}</c>: the chosen response becomes A and the label is A.
/// <c>prompt</c> is a string or a list of <c>{"role", "content"}</c> messages; <c>chosen</c>/<c>rejected</c> are strings or
/// message lists. Message lists may repeat the conversation (TRL's implicit prompt).</item>
/// <item>HH-RLHF <c>{"chosen", "rejected"}</c> without a prompt: whole <c>"\n\nHuman: … \n\nAssistant: …"</c> transcripts, split
/// into turns.</item>
/// <item>UltraFeedback binarized, Chatbot Arena conversations and Stanford SHP (see <see cref="PairFileFormat"/>); the fields
/// these carry beyond the pair (model names, ids, scores, the winner) are kept as the pair's metadata.</item>
/// </list>
/// <para>Two sides that carry the whole conversation are split the way TRL's <c>extract_prompt</c> does: the longest shared
/// prefix of turns is the conversation, the rest of each side (one turn or several) its response; a side must keep at least one
/// assistant turn. A string prompt that is itself an HH transcript (<c>"\n\nHuman: … \n\nAssistant:"</c>) is split into turns too.
/// Optional: <c>id</c> or <c>external_id</c> (string or number) and a <c>metadata</c> object.</para>
/// </remarks>
public static class PreferencePairReader
{
    /// <summary>What a file of an unknown shape is told.</summary>
    public const string KnownShapes =
        "known shapes: {prompt, response_a, response_b}; TRL {prompt, chosen, rejected}; HH-RLHF {chosen, rejected} transcripts; " +
        "UltraFeedback binarized {prompt, chosen, rejected, score_chosen, score_rejected}; Chatbot Arena {conversation_a, conversation_b, model_a, model_b, winner}; " +
        "Stanford SHP {history, human_ref_A, human_ref_B, labels}";

    /// <summary>Reads pairs lazily, one line at a time, in the shape of the first record (or <paramref name="format"/>).</summary>
    /// <exception cref="PairFormatException">At the first line that is not a valid pair.</exception>
    public static IEnumerable<PreferencePair> Read(TextReader reader, PairFileFormat format = PairFileFormat.Auto)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var parser = new PairLineParser(format);
        long lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (!string.IsNullOrWhiteSpace(line))
            {
                yield return parser.Parse(line, lineNumber);
            }
        }
    }

    /// <inheritdoc cref="Read(TextReader, PairFileFormat)"/>
    public static async IAsyncEnumerable<PreferencePair> ReadAsync(TextReader reader, PairFileFormat format = PairFileFormat.Auto,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var parser = new PairLineParser(format);
        long lineNumber = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            lineNumber++;
            if (!string.IsNullOrWhiteSpace(line))
            {
                yield return parser.Parse(line, lineNumber);
            }
        }
    }

    /// <summary>
    /// Reads the pairs of a file: JSON Lines (<c>.gz</c> decompressed on the fly) or Parquet (one row group in memory at a time),
    /// lazily, in the shape of the first record (or <paramref name="format"/>).
    /// </summary>
    /// <exception cref="PairFormatException">At the first line or row that is not a valid pair; a row is named with its row group.</exception>
    public static IEnumerable<PreferencePair> ReadFile(string path, PairFileFormat format = PairFileFormat.Auto)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!Import.ParquetRecords.IsParquet(path))
        {
            using var reader = OpenFile(path);
            foreach (var pair in Read(reader, format))
            {
                yield return pair;
            }
            yield break;
        }

        using var stream = File.OpenRead(path);
        var parser = new PairLineParser(format);
        IEnumerator<Import.ParquetRecord> records;
        try
        {
            records = Import.ParquetRecords.Read(stream).GetEnumerator();
        }
        catch (Import.ItemFormatException ex)
        {
            throw new PairFormatException(ex.LineNumber, ex.Field, ex.Problem, "the file");
        }
        using (records)
        {
            while (true)
            {
                PreferencePair pair;
                try
                {
                    if (!records.MoveNext())
                    {
                        break;
                    }
                    pair = parser.Parse(records.Current.Record, records.Current.Row);
                }
                catch (PairFormatException ex)
                {
                    throw new PairFormatException(ex.LineNumber, ex.Field, ex.Problem, Import.ParquetRecords.Where(records.Current));
                }
                catch (Import.ItemFormatException ex)
                {
                    throw new PairFormatException(ex.LineNumber, ex.Field, ex.Problem, ex.Message.Split(':')[0]);
                }
                yield return pair;
            }
        }
    }

    /// <summary>Opens a pair file for reading as UTF-8 text, decompressing it on the fly when its name ends in <c>.gz</c>.</summary>
    public static TextReader OpenFile(string path) =>
        // The same limits as an upload: a .gz bomb or an endless line stops with a message instead of filling the memory.
        Common.BoundedInput.OpenText(File.OpenRead(path), Common.BoundedInput.IsGzip(path), Common.InputLimits.Default);

    /// <summary>Parses one line in whichever shape it has. <paramref name="lineNumber"/> (1-based) only labels errors.</summary>
    /// <exception cref="PairFormatException">The line is not JSON or not a pair in one of the accepted shapes.</exception>
    public static PreferencePair ParseLine(string line, long lineNumber) => ParseLine(line, lineNumber, PairFileFormat.Auto);

    /// <summary>Parses one line in <paramref name="format"/> (<see cref="PairFileFormat.Auto"/>: whichever shape it has).</summary>
    /// <exception cref="PairFormatException">The line is not JSON or not a pair in that shape.</exception>
    public static PreferencePair ParseLine(string line, long lineNumber, PairFileFormat format)
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
            return ParseObject(root, lineNumber, format == PairFileFormat.Auto ? Detect(root, lineNumber) : format);
        }
    }

    /// <summary>The shape a record has, from its fields.</summary>
    /// <exception cref="PairFormatException">The record has none of the fields of a known shape; the message names the shapes.</exception>
    public static PairFileFormat Detect(JsonElement root, long lineNumber)
    {
        if (Has(root, "conversation_a") || Has(root, "conversation_b"))
        {
            return PairFileFormat.ChatbotArena;
        }
        if (Has(root, "human_ref_A") || Has(root, "human_ref_B"))
        {
            return PairFileFormat.Shp;
        }
        if (Has(root, "score_chosen") || Has(root, "score_rejected"))
        {
            return PairFileFormat.UltraFeedback;
        }
        if (Has(root, "chosen") || Has(root, "rejected") || Has(root, "response_a") || Has(root, "response_b") || Has(root, "prompt"))
        {
            return PairFileFormat.Trl;
        }
        throw new PairFormatException(lineNumber, null, $"is not a pair of a known shape (its fields: {Fields(root)}); {KnownShapes}");
    }

    /// <summary>Parses a record already known to be a JSON object, in <paramref name="format"/> (not <see cref="PairFileFormat.Auto"/>).</summary>
    public static PreferencePair ParseObject(JsonElement root, long line, PairFileFormat format) => format switch
    {
        PairFileFormat.Trl => ParseTrl(root, line),
        PairFileFormat.UltraFeedback => ParseUltraFeedback(root, line),
        PairFileFormat.ChatbotArena => ParseArena(root, line),
        PairFileFormat.Shp => ParseShp(root, line),
        _ => ParseObject(root, line, Detect(root, line)),
    };

    private static PreferencePair ParseTrl(JsonElement root, long line)
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
            conversation.AddRange(ReadPrompt(root.GetProperty("prompt"), "prompt", line));
        }

        PairResponses responses;
        if (a.ValueKind == JsonValueKind.String && b.ValueKind == JsonValueKind.String)
        {
            if (hasPrompt)
            {
                responses = new PairResponses([new Turn(Turn.Assistant, a.GetString()!)], [new Turn(Turn.Assistant, b.GetString()!)]);
            }
            else if (!hasAb)
            {
                var turnsA = ParseTranscript(a.GetString()!, nameA, line);
                var turnsB = ParseTranscript(b.GetString()!, nameB, line);
                responses = SplitShared(turnsA, turnsB, conversation, nameA, nameB, line);
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
            responses = SplitShared(DropRepeatedPrompt(turnsA, conversation), DropRepeatedPrompt(turnsB, conversation), conversation, nameA, nameB, line);
        }
        else
        {
            var (name, value) = a.ValueKind is JsonValueKind.String or JsonValueKind.Array ? (nameB, b) : (nameA, a);
            throw new PairFormatException(line, name, a.ValueKind is JsonValueKind.String or JsonValueKind.Array && b.ValueKind is JsonValueKind.String or JsonValueKind.Array
                ? $"must have the same shape as '{(name == nameA ? nameB : nameA)}' (both strings or both message lists)"
                : $"must be a string or a list of {{role, content}} messages, not {Describe(value.ValueKind)}");
        }

        return responses.ToPair(id, conversation, hasAb ? null : Preference.A, metadata);
    }

    // UltraFeedback binarized: prompt (string), chosen/rejected [{user prompt}, {assistant …}], score_chosen/score_rejected,
    // prompt_id; "messages" repeats chosen.
    private static PreferencePair ParseUltraFeedback(JsonElement root, long line)
    {
        var conversation = Has(root, "prompt") ? ReadPrompt(root.GetProperty("prompt"), "prompt", line) : [];
        var chosen = ReadMessages(RequiredArray(root, "chosen", line), "chosen", line);
        var rejected = ReadMessages(RequiredArray(root, "rejected", line), "rejected", line);
        foreach (var name in (ReadOnlySpan<string>)["score_chosen", "score_rejected"])
        {
            RequiredNumber(root, name, line);
        }
        var responses = SplitShared(DropRepeatedPrompt(chosen, conversation), DropRepeatedPrompt(rejected, conversation), conversation, "chosen", "rejected", line);
        return responses.ToPair(ReadId(root, line, "prompt_id"), conversation, Preference.A,
            MetadataOf(root, line, ["prompt", "chosen", "rejected", "messages"]));
    }

    // lmsys/chatbot_arena_conversations: the two conversations repeat the user turns; each model answered every one of them.
    private static PreferencePair ParseArena(JsonElement root, long line)
    {
        var a = ReadMessages(RequiredArray(root, "conversation_a", line), "conversation_a", line);
        var b = ReadMessages(RequiredArray(root, "conversation_b", line), "conversation_b", line);
        var winner = TopString(root, "winner", line);
        var (label, choice) = winner switch
        {
            "model_a" => ((Preference?)Preference.A, (Aggregation.PreferenceChoice?)Aggregation.PreferenceChoice.A),
            "model_b" => (Preference.B, Aggregation.PreferenceChoice.B),
            "tie" => (null, Aggregation.PreferenceChoice.Tie),
            "tie (bothbad)" => (null, Aggregation.PreferenceChoice.BothBad),
            _ => throw new PairFormatException(line, "winner", $"must be \"model_a\", \"model_b\", \"tie\" or \"tie (bothbad)\", not \"{winner}\""),
        };
        var conversation = new List<Turn>();
        var responses = SplitShared(a, b, conversation, "conversation_a", "conversation_b", line);
        var judge = root.TryGetProperty("judge", out var j) && j.ValueKind == JsonValueKind.String ? j.GetString() : null;
        return responses.ToPair(ReadId(root, line, "question_id"), conversation, label,
            MetadataOf(root, line, ["conversation_a", "conversation_b"])) with
        {
            FileChoice = choice,
            FileRater = judge,
        };
    }

    // stanfordnlp/SHP: a post ("history") and two top-level comments; labels is 1 when A was preferred, 0 when B.
    private static PreferencePair ParseShp(JsonElement root, long line)
    {
        var history = TopString(root, "history", line);
        var a = TopString(root, "human_ref_A", line);
        var b = TopString(root, "human_ref_B", line);
        var labels = RequiredNumber(root, "labels", line);
        var label = labels switch
        {
            1 => Preference.A,
            0 => Preference.B,
            _ => throw new PairFormatException(line, "labels", $"must be 1 (A preferred) or 0 (B preferred), not {labels}"),
        };
        var id = root.TryGetProperty("c_root_id_A", out var ca) && ca.ValueKind == JsonValueKind.String
            && root.TryGetProperty("c_root_id_B", out var cb) && cb.ValueKind == JsonValueKind.String
            ? $"{ca.GetString()}-{cb.GetString()}"
            : ReadId(root, line, "post_id");
        return new PreferencePair(id, [new Turn(Turn.User, history)], a, b, label,
            MetadataOf(root, line, ["history", "human_ref_A", "human_ref_B"]));
    }

    private static List<Turn> ReadPrompt(JsonElement prompt, string field, long line)
    {
        switch (prompt.ValueKind)
        {
            case JsonValueKind.String:
                var text = prompt.GetString()!;
                return HhTranscript.Looks(text) ? HhTranscript.Parse(text, dropEmptyLastAssistant: true) : [new Turn(Turn.User, text)];
            case JsonValueKind.Array:
                return ReadMessages(prompt, field, line);
            default:
                throw new PairFormatException(line, field, $"must be a string or a list of {{role, content}} messages, not {Describe(prompt.ValueKind)}");
        }
    }

    // Message lists that repeat the given prompt (UltraFeedback does) start after it.
    private static List<Turn> DropRepeatedPrompt(List<Turn> turns, List<Turn> conversation)
    {
        if (conversation.Count == 0 || turns.Count <= conversation.Count)
        {
            return turns;
        }
        for (var i = 0; i < conversation.Count; i++)
        {
            if (turns[i] != conversation[i])
            {
                return turns;
            }
        }
        return turns.GetRange(conversation.Count, turns.Count - conversation.Count);
    }

    private static List<Turn> ParseTranscript(string text, string field, long line)
    {
        if (!HhTranscript.Looks(text))
        {
            throw new PairFormatException(line, "prompt", $"is missing and '{field}' is not a \"\\n\\nHuman: … \\n\\nAssistant: …\" transcript");
        }
        return HhTranscript.Parse(text, dropEmptyLastAssistant: false);
    }

    // TRL's extract_prompt: the longest shared prefix of turns is the conversation, the rest of each side (one turn or several)
    // is that side's response. At least the last turn of each side stays with it, so neither response is empty.
    private static PairResponses SplitShared(List<Turn> a, List<Turn> b, List<Turn> conversation, string nameA, string nameB, long line)
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
        if (shared == 0 && conversation.Count == 0)
        {
            throw new PairFormatException(line, nameB, $"does not share the conversation with '{nameA}': they differ at turn 1, so there is no prompt");
        }
        var responseA = a.GetRange(shared, a.Count - shared);
        var responseB = b.GetRange(shared, b.Count - shared);
        foreach (var (turns, name) in new[] { (responseA, nameA), (responseB, nameB) })
        {
            // Real HH-RLHF transcripts may part at an assistant turn and each go on with a human one: that is still a response.
            if (!turns.Exists(t => t.Role == Turn.Assistant))
            {
                throw new PairFormatException(line, name, $"has no assistant turn after the conversation both sides share (its last is a '{turns[^1].Role}' turn)");
            }
        }
        conversation.AddRange(a.Take(shared));
        return new PairResponses(responseA, responseB);
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

    private static string? ReadId(JsonElement root, long line, string? alsoName = null)
    {
        foreach (var name in (ReadOnlySpan<string?>)["id", "external_id", alsoName])
        {
            if (name is not null && root.TryGetProperty(name, out var value))
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

    // The public formats carry more than the pair (model names, ids, scores, the winner): every field but the pair's own is kept,
    // after those of a "metadata" object.
    private static JsonElement? MetadataOf(JsonElement root, long line, ReadOnlySpan<string> pairFields)
    {
        var own = ReadMetadata(root, line);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (own is { } m)
            {
                foreach (var property in m.EnumerateObject())
                {
                    property.WriteTo(json);
                }
            }
            foreach (var property in root.EnumerateObject())
            {
                if (property.Name != "metadata" && !pairFields.Contains(property.Name))
                {
                    property.WriteTo(json);
                }
            }
            json.WriteEndObject();
        }
        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.EnumerateObject().Any() ? document.RootElement.Clone() : null;
    }

    private static JsonElement RequiredArray(JsonElement root, string name, long line)
    {
        var value = Required(root, name, line);
        return value.ValueKind == JsonValueKind.Array
            ? value
            : throw new PairFormatException(line, name, $"must be a list of {{role, content}} messages, not {Describe(value.ValueKind)}");
    }

    private static string TopString(JsonElement root, string name, long line)
    {
        var value = Required(root, name, line);
        return value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new PairFormatException(line, name, $"must be a string, not {Describe(value.ValueKind)}");
    }

    private static double RequiredNumber(JsonElement root, string name, long line)
    {
        var value = Required(root, name, line);
        return value.ValueKind == JsonValueKind.Number
            ? value.GetDouble()
            : throw new PairFormatException(line, name, $"must be a number, not {Describe(value.ValueKind)}");
    }

    private static string Fields(JsonElement root)
    {
        var names = root.EnumerateObject().Select(p => p.Name).Take(12).ToList();
        return names.Count == 0 ? "none" : string.Join(", ", names);
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

/// <summary>The two sides' responses after the shared conversation: one assistant turn each, or several.</summary>
internal sealed record PairResponses(List<Turn> A, List<Turn> B)
{
    public PreferencePair ToPair(string? id, IReadOnlyList<Turn> conversation, Preference? label, JsonElement? metadata) =>
        new(id, conversation, ResponseTurns.Flatten(A), ResponseTurns.Flatten(B), label, metadata)
        {
            ResponseTurnsA = ResponseTurns.OrNull(A),
            ResponseTurnsB = ResponseTurns.OrNull(B),
        };
}

/// <summary>Parses the lines of one file in the shape of its first record (or a shape it was given).</summary>
public sealed class PairLineParser(PairFileFormat format = PairFileFormat.Auto)
{
    /// <summary>The file's shape: the given one, or the first record's once one was parsed.</summary>
    public PairFileFormat Format { get; private set; } = format;

    /// <exception cref="PairFormatException">The line is not JSON or not a pair in the file's shape.</exception>
    public PreferencePair Parse(string line, long lineNumber)
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
            return Parse(document.RootElement, lineNumber);
        }
    }

    /// <summary>Parses one record already read as JSON (a Parquet row, say).</summary>
    public PreferencePair Parse(JsonElement root, long lineNumber)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new PairFormatException(lineNumber, null, $"must be a JSON object, not {(root.ValueKind == JsonValueKind.Array ? "a list" : root.ValueKind.ToString().ToLowerInvariant())}");
        }
        if (Format == PairFileFormat.Auto)
        {
            Format = PreferencePairReader.Detect(root, lineNumber);
        }
        return PreferencePairReader.ParseObject(root, lineNumber, Format);
    }
}
