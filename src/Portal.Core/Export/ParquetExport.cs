using System.Text.Json;
using Parquet;
using Parquet.Schema;

namespace Portal.Core.Export;

/// <summary>How large a Parquet row group may grow before it is written out.</summary>
/// <param name="RowGroupRows">Rows per row group at most.</param>
/// <param name="RowGroupChars">Characters of text held for one row group at most (about two bytes each in memory).</param>
public sealed record ParquetExportOptions(int RowGroupRows = 5_000, long RowGroupChars = 8 * 1024 * 1024)
{
    public static ParquetExportOptions Default { get; } = new();
}

/// <summary>
/// Writes a release format as Apache Parquet: the same rows, columns and provenance as its JSON Lines (or CSV) file, typed.
/// </summary>
/// <remarks>
/// <para>Each row is first encoded by the format's own JSON Lines writer (<see cref="PairExport"/>, <see cref="LikertExport"/>)
/// and that line is striped into Parquet columns, so the Parquet file cannot drift from the JSON Lines one: a field the JSON
/// Lines writer gains that the Parquet schema lacks stops the export with an error rather than being dropped.</para>
/// <para>Types: texts are UTF-8 strings, message lists <c>list&lt;struct&lt;role, content&gt;&gt;</c>, provenance a struct,
/// annotators <c>list&lt;string&gt;</c>, counts int64, measures double, flags boolean, and <c>metadata</c> (any JSON object)
/// its JSON text. The CSV formats are the same values in the CSV's flat columns, without CSV's formula guard: Parquet is exact.</para>
/// <para>Memory holds one row group (<see cref="ParquetExportOptions"/>), never the file. The same rows give the same bytes.</para>
/// </remarks>
public static class ParquetExport
{
    /// <summary><c>.parquet</c>.</summary>
    public const string FileExtension = ".parquet";

    /// <summary>The media type registered for Parquet.</summary>
    public const string MediaType = "application/vnd.apache.parquet";

    /// <summary>Writes curated pairs in <paramref name="options"/>' format as Parquet to <paramref name="destination"/> (left open).</summary>
    /// <exception cref="ExportException">A row cannot be written in the format; the output must then be discarded.</exception>
    public static async Task<PairExportSummary> WriteAsync(Stream destination, IAsyncEnumerable<CuratedPairRow> rows, PairExportOptions options,
        ParquetExportOptions? parquet = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var encoder = new PairExport.PairEncoder(options);
        var root = Schema(options.Format, options.KeepTiesAndBothBad, attributes: null, options.AiModel);
        await StripeAsync(destination, rows, root, encoder.Buffer, encoder.Encode, static r => r.ExternalId, parquet ?? ParquetExportOptions.Default, cancellationToken);
        return encoder.Summary();
    }

    /// <summary>Writes Likert items in <paramref name="options"/>' format as Parquet to <paramref name="destination"/> (left open).</summary>
    /// <exception cref="ExportException">A row cannot be written in the format; the output must then be discarded.</exception>
    public static async Task<LikertExportSummary> WriteAsync(Stream destination, IAsyncEnumerable<LikertRow> rows, LikertExportOptions options,
        ParquetExportOptions? parquet = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Format == ExportFormat.LikertItemsCsv && (options.Attributes is null || options.Attributes.Count == 0))
        {
            throw new ArgumentException("The Likert items CSV needs the list of attributes: they are its columns.", nameof(options));
        }
        // The CSV shapes are striped from their JSON Lines twins' lines: the same values, unguarded.
        var json = options.Format switch
        {
            ExportFormat.LikertItemsCsv => options with { Format = ExportFormat.LikertItemsJsonl },
            ExportFormat.LikertRatingsCsv => options with { Format = ExportFormat.LikertRatingsJsonl },
            _ => options,
        };
        using var encoder = new LikertExport.LikertEncoder(json);
        var root = Schema(options.Format, keepTiesAndBothBad: false, options.Attributes);
        await StripeAsync(destination, rows, root, encoder.Buffer, encoder.Encode, static r => r.ExternalId, parquet ?? ParquetExportOptions.Default, cancellationToken);
        return encoder.Summary();
    }

    /// <summary>The Parquet schema of a format's file.</summary>
    public static ParquetSchema ParquetSchemaOf(ExportFormat format, bool keepTiesAndBothBad = false, IReadOnlyList<string>? attributes = null) =>
        Schema(format, keepTiesAndBothBad, attributes).Schema;

    private static async Task StripeAsync<T>(Stream destination, IAsyncEnumerable<T> rows, Root root, RowBuffer buffer, Action<T, long> encode,
        Func<T, string?> idOf, ParquetExportOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(rows);
        var counting = new PositionStream(destination);
        await using (var writer = await ParquetWriter.CreateAsync(root.Schema, counting, cancellationToken: ct))
        {
            long number = 0;
            var groupRows = 0;
            await foreach (var row in rows.WithCancellation(ct))
            {
                ct.ThrowIfCancellationRequested();
                encode(row, ++number);
                groupRows += StripeLines(buffer, root, number, idOf(row));
                if (groupRows >= options.RowGroupRows || root.Chars >= options.RowGroupChars)
                {
                    await root.FlushAsync(writer, ct);
                    groupRows = 0;
                }
            }
            if (groupRows > 0)
            {
                await root.FlushAsync(writer, ct);
            }
        }
        await destination.FlushAsync(ct);
    }

    // The encoder wrote zero (a tie left out), one or several (one per rating) JSON lines for the row.
    private static int StripeLines(RowBuffer buffer, Root root, long number, string? id)
    {
        var lines = 0;
        var written = buffer.WrittenSpan;
        while (!written.IsEmpty)
        {
            var end = written.IndexOf((byte)'\n');
            var line = end < 0 ? written : written[..end];
            var reader = new Utf8JsonReader(line);
            using (var document = JsonDocument.ParseValue(ref reader))
            {
                root.Add(document.RootElement, number, id);
            }
            lines++;
            written = end < 0 ? [] : written[(end + 1)..];
        }
        buffer.Clear();
        return lines;
    }

    private static Root Schema(ExportFormat format, bool keepTiesAndBothBad, IReadOnlyList<string>? attributes, bool aiModel = true)
    {
        var fields = format.Fields(keepTiesAndBothBad, attributes, aiModel);
        var nodes = new List<Node>();
        StructNode? provenance = null;
        foreach (var field in fields)
        {
            if (field.Name.StartsWith("provenance.", StringComparison.Ordinal))
            {
                if (provenance is null)
                {
                    provenance = new StructNode("provenance", []);
                    nodes.Add(provenance);
                }
                provenance.Children.Add(TypeOf(format, field.Name["provenance.".Length..], attributes));
            }
            else
            {
                nodes.Add(TypeOf(format, field.Name, attributes));
            }
        }
        return new Root(format, nodes);
    }

    // The Parquet type of each field a format's Fields() lists. A field missing here stops the export, never silently.
    private static Node TypeOf(ExportFormat format, string name, IReadOnlyList<string>? attributes)
    {
        var conversational = format == ExportFormat.TrlConversational;
        if (format == ExportFormat.LikertItemsCsv && attributes is not null)
        {
            foreach (var attribute in attributes)
            {
                foreach (var (suffix, isCount) in (ReadOnlySpan<(string, bool)>)[("_mean", false), ("_median", false), ("_sd", false), ("_n", true)])
                {
                    if (name == attribute + suffix)
                    {
                        return new LeafNode(name, isCount ? LeafKind.Long : LeafKind.Double) { Source = ["scores", attribute, suffix[1..]] };
                    }
                }
            }
            if (name is "guideline_version" or "annotators")
            {
                var flat = TypeOf(ExportFormat.LikertItemsJsonl, name, attributes);
                flat.Source = ["provenance", name];
                return flat;
            }
        }
        return name switch
        {
            "prompt" when format is ExportFormat.TrlPlain => new LeafNode(name, LeafKind.String),
            "prompt" => Messages(name),
            "chosen" or "rejected" when conversational => Messages(name),
            "chosen" or "rejected" or "id" or "response" or "annotator" or "attribute" or "label_source" or "aggregation" or "ai_model" => new LeafNode(name, LeafKind.String),
            "tie" or "both_bad" => new LeafNode(name, LeafKind.Bool),
            "metadata" => new LeafNode(name, LeafKind.JsonText),
            "scores" when attributes is { Count: > 0 } => new StructNode(name,
                [.. attributes.Select(a => (Node)new StructNode(a,
                    [new LeafNode("mean", LeafKind.Double), new LeafNode("median", LeafKind.Double), new LeafNode("sd", LeafKind.Double), new LeafNode("n", LeafKind.Long)]))]),
            "scores" => new LeafNode(name, LeafKind.JsonText),
            "value" or "agreement" or "strength" => new LeafNode(name, LeafKind.Double),
            "ratings" or "guideline_version" => new LeafNode(name, LeafKind.Long),
            "shown_left" => new StructNode(name, [new LeafNode("chosen", LeafKind.Long), new LeafNode("rejected", LeafKind.Long)]),
            "annotators" => new ListNode(name, new LeafNode("element", LeafKind.String)),
            _ => throw new InvalidOperationException($"Field '{name}' of {format} has no Parquet type: add it to ParquetExport.TypeOf."),
        };

        static Node Messages(string name) =>
            new ListNode(name, new StructNode("element", [new LeafNode("role", LeafKind.String), new LeafNode("content", LeafKind.String)]));
    }

    private enum LeafKind
    {
        String,
        Long,
        Double,
        Bool,
        JsonText,
    }

    private abstract class Node(string name)
    {
        public string Name { get; } = name;

        /// <summary>The path of the value in the JSON line, relative to the parent; the name by default.</summary>
        public string[]? Source { get; set; }

        /// <summary>The definition level at which this node's value is present (not null).</summary>
        public int Def { get; protected set; }

        public abstract Field Build(int parentDef, int parentRep);

        public abstract void Add(JsonElement? value, int rep, Context context);

        public abstract void AddNull(int rep, int def);

        public abstract IEnumerable<LeafNode> Leaves();
    }

    private readonly record struct Context(ExportFormat Format, long Number, string? Id, string Path);

    private sealed class Root
    {
        private readonly List<Node> _nodes;
        private readonly ExportFormat _format;
        private readonly HashSet<string> _consumed;

        public Root(ExportFormat format, List<Node> nodes)
        {
            (_format, _nodes) = (format, nodes);
            Schema = new ParquetSchema([.. nodes.Select(n => n.Build(0, 0))]);
            _consumed = [.. nodes.Select(n => (n.Source ?? [n.Name])[0])];
            var built = Schema.GetDataFields();
            var leaves = nodes.SelectMany(n => n.Leaves()).ToList();
            for (var i = 0; i < leaves.Count; i++)
            {
                if (built[i].MaxDefinitionLevel != leaves[i].Def || built[i].MaxRepetitionLevel != leaves[i].MaxRep)
                {
                    throw new InvalidOperationException($"Parquet levels of '{built[i].Path}' differ from the striper's.");
                }
                leaves[i].Field = built[i];
            }
            Leaves = leaves;
        }

        public ParquetSchema Schema { get; }

        public IReadOnlyList<LeafNode> Leaves { get; }

        public long Chars => Leaves.Sum(l => l.Chars);

        public void Add(JsonElement line, long number, string? id)
        {
            var context = new Context(_format, number, id, "");
            foreach (var property in line.EnumerateObject())
            {
                if (!_consumed.Contains(property.Name))
                {
                    throw new InvalidOperationException($"The {_format} writer wrote field '{property.Name}', which the Parquet schema lacks: add it to ExportFormats.Fields and ParquetExport.TypeOf.");
                }
            }
            foreach (var node in _nodes)
            {
                node.Add(Resolve(line, node.Source ?? [node.Name]), 0, context with { Path = node.Name });
            }
        }

        public async Task FlushAsync(ParquetWriter writer, CancellationToken ct)
        {
            using var group = writer.CreateRowGroup();
            foreach (var leaf in Leaves)
            {
                await leaf.FlushAsync(group, ct);
            }
            group.CompleteValidate();
        }
    }

    private static JsonElement? Resolve(JsonElement parent, string[] path)
    {
        JsonElement current = parent;
        foreach (var step in path)
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(step, out current))
            {
                return null;
            }
        }
        return current;
    }

    private sealed class StructNode(string name, List<Node> children) : Node(name)
    {
        public List<Node> Children { get; } = children;

        public override Field Build(int parentDef, int parentRep)
        {
            Def = parentDef + 1;
            return new StructField(Name, [.. Children.Select(c => c.Build(Def, parentRep))]);
        }

        public override void Add(JsonElement? value, int rep, Context context)
        {
            if (value is not { ValueKind: JsonValueKind.Object } obj)
            {
                Expect(value, "an object", context);
                AddNull(rep, Def - 1);
                return;
            }
            foreach (var property in obj.EnumerateObject())
            {
                if (!Children.Any(c => c.Name == property.Name))
                {
                    throw new InvalidOperationException($"The {context.Format} writer wrote field '{context.Path}.{property.Name}', which the Parquet schema lacks: add it to ExportFormats.Fields and ParquetExport.TypeOf.");
                }
            }
            foreach (var child in Children)
            {
                child.Add(Resolve(obj, [child.Name]), rep, context with { Path = $"{context.Path}.{child.Name}" });
            }
        }

        public override void AddNull(int rep, int def)
        {
            foreach (var child in Children)
            {
                child.AddNull(rep, def);
            }
        }

        public override IEnumerable<LeafNode> Leaves() => Children.SelectMany(c => c.Leaves());
    }

    private sealed class ListNode(string name, Node item) : Node(name)
    {
        private int _rep;

        public override Field Build(int parentDef, int parentRep)
        {
            Def = parentDef + 1;
            _rep = parentRep + 1;
            // The list's repeated group adds a level; the item's own presence is one more.
            return new ListField(Name, item.Build(Def + 1, _rep));
        }

        public override void Add(JsonElement? value, int rep, Context context)
        {
            if (value is not { ValueKind: JsonValueKind.Array } array)
            {
                Expect(value, "a list", context);
                AddNull(rep, Def - 1);
                return;
            }
            var i = 0;
            foreach (var element in array.EnumerateArray())
            {
                item.Add(element, i++ == 0 ? rep : _rep, context);
            }
            if (i == 0)
            {
                AddNull(rep, Def);
            }
        }

        public override void AddNull(int rep, int def) => item.AddNull(rep, def);

        public override IEnumerable<LeafNode> Leaves() => item.Leaves();
    }

    private sealed class LeafNode(string name, LeafKind kind) : Node(name)
    {
        private readonly Growing<int> _def = new();
        private readonly Growing<int> _rep = new();
        private readonly Growing<ReadOnlyMemory<char>> _strings = new();
        private readonly Growing<long> _longs = new();
        private readonly Growing<double> _doubles = new();
        private readonly Growing<bool> _bools = new();

        public int MaxRep { get; private set; }

        public DataField Field { get; set; } = null!;

        public long Chars { get; private set; }

        public override Field Build(int parentDef, int parentRep)
        {
            Def = parentDef + 1;
            MaxRep = parentRep;
            return kind switch
            {
                LeafKind.Long => new DataField<long?>(Name),
                LeafKind.Double => new DataField<double?>(Name),
                LeafKind.Bool => new DataField<bool?>(Name),
                _ => new DataField<string>(Name),
            };
        }

        public override void Add(JsonElement? value, int rep, Context context)
        {
            if (value is not { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } v)
            {
                AddNull(rep, Def - 1);
                return;
            }
            switch (kind)
            {
                case LeafKind.String when v.ValueKind == JsonValueKind.String:
                    Text(v.GetString()!);
                    break;
                case LeafKind.JsonText:
                    Text(v.GetRawText());
                    break;
                case LeafKind.Long when v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var l):
                    _longs.Add(l);
                    break;
                case LeafKind.Double when v.ValueKind == JsonValueKind.Number:
                    _doubles.Add(v.GetDouble());
                    break;
                case LeafKind.Bool when v.ValueKind is JsonValueKind.True or JsonValueKind.False:
                    _bools.Add(v.GetBoolean());
                    break;
                default:
                    Expect(null, kind.ToString().ToLowerInvariant(), context, v);
                    break;
            }
            _def.Add(Def);
            if (MaxRep > 0)
            {
                _rep.Add(rep);
            }
        }

        private void Text(string text)
        {
            _strings.Add(text.AsMemory());
            Chars += text.Length;
        }

        public override void AddNull(int rep, int def)
        {
            _def.Add(def);
            if (MaxRep > 0)
            {
                _rep.Add(rep);
            }
        }

        public override IEnumerable<LeafNode> Leaves() => [this];

        public async Task FlushAsync(ParquetRowGroupWriter group, CancellationToken ct)
        {
            ReadOnlyMemory<int>? rep = MaxRep > 0 ? _rep.Memory : null;
            switch (kind)
            {
                case LeafKind.Long:
                    await group.WriteAllPartsAsync(Field, _longs.Memory, _def.Memory, rep, ct);
                    break;
                case LeafKind.Double:
                    await group.WriteAllPartsAsync(Field, _doubles.Memory, _def.Memory, rep, ct);
                    break;
                case LeafKind.Bool:
                    await group.WriteAllPartsAsync(Field, _bools.Memory, _def.Memory, rep, ct);
                    break;
                default:
                    await group.WriteAllPartsAsync(Field, _strings.Memory, _def.Memory, rep, ct);
                    break;
            }
            _def.Clear();
            _rep.Clear();
            _strings.Clear();
            _longs.Clear();
            _doubles.Clear();
            _bools.Clear();
            Chars = 0;
        }
    }

    private static void Expect(JsonElement? value, string what, Context context, JsonElement? actual = null)
    {
        var found = actual ?? value;
        if (found is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } wrong)
        {
            throw new ExportException(context.Number, context.Id, $"field '{context.Path}' is {wrong.ValueKind.ToString().ToLowerInvariant()} where the Parquet schema has {what}");
        }
    }

    /// <summary>A reusable array that keeps its capacity between row groups.</summary>
    private sealed class Growing<T>
    {
        private T[] _items = new T[256];
        private int _count;

        public ReadOnlyMemory<T> Memory => _items.AsMemory(0, _count);

        public void Add(T item)
        {
            if (_count == _items.Length)
            {
                Array.Resize(ref _items, _items.Length * 2);
            }
            _items[_count++] = item;
        }

        public void Clear()
        {
            Array.Clear(_items, 0, _count);
            _count = 0;
        }
    }

    /// <summary>Parquet's writer asks for the position to record offsets; a download or hash stream cannot seek, so this counts.</summary>
    private sealed class PositionStream(Stream inner) : Stream
    {
        private long _position;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _position;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            inner.Write(buffer, offset, count);
            _position += count;
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            inner.Write(buffer);
            _position += buffer.Length;
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await inner.WriteAsync(buffer, cancellationToken);
            _position += buffer.Length;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
