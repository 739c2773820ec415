using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Portal.App.Tests.Features.Releases;

/// <summary>
/// Reads a Parquet file with ParquetSharp (Apache Arrow's C++ Parquet reader), independent of Parquet.Net that wrote it, and
/// gives each row as a JSON object: structs as objects, lists as arrays, nulls as null.
/// </summary>
internal static class ArrowRows
{
    public sealed record Read(IReadOnlyList<JsonObject> Rows, int RowGroups, IReadOnlyList<string> Columns);

    public static async Task<Read> ReadAsync(byte[] parquet)
    {
        var path = Path.Combine(Path.GetTempPath(), $"portal-arrow-{Guid.NewGuid():N}.parquet");
        await File.WriteAllBytesAsync(path, parquet);
        try
        {
            using var reader = new ParquetSharp.Arrow.FileReader(path);
            var rows = new List<JsonObject>();
            var columns = reader.Schema.FieldsList.Select(f => $"{f.Name}: {f.DataType}").ToList();
            using var batches = reader.GetRecordBatchReader();
            while (await batches.ReadNextRecordBatchAsync() is { } batch)
            {
                using (batch)
                {
                    for (var i = 0; i < batch.Length; i++)
                    {
                        var row = new JsonObject();
                        for (var c = 0; c < batch.ColumnCount; c++)
                        {
                            row[batch.Schema.GetFieldByIndex(c).Name] = Value(batch.Column(c), i);
                        }
                        rows.Add(row);
                    }
                }
            }
            return new Read(rows, reader.NumRowGroups, columns);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static JsonNode? Value(IArrowArray array, int index)
    {
        if (array.IsNull(index))
        {
            return null;
        }
        switch (array)
        {
            case StringArray s:
                return JsonValue.Create(s.GetString(index, Encoding.UTF8));
            case Int64Array l:
                return JsonValue.Create(l.GetValue(index));
            case DoubleArray d:
                return JsonValue.Create(d.GetValue(index));
            case BooleanArray b:
                return JsonValue.Create(b.GetValue(index));
            case ListArray list:
                var items = new JsonArray();
                var values = list.Values;
                for (var j = list.ValueOffsets[index]; j < list.ValueOffsets[index + 1]; j++)
                {
                    items.Add(Value(values, j));
                }
                return items;
            case StructArray structure:
                var obj = new JsonObject();
                var type = (StructType)structure.Data.DataType;
                for (var f = 0; f < type.Fields.Count; f++)
                {
                    obj[type.Fields[f].Name] = Value(structure.Fields[f], index);
                }
                return obj;
            default:
                throw new NotSupportedException($"Arrow type {array.Data.DataType} is not one a release writes.");
        }
    }

    /// <summary>
    /// A JSON value in a form where equal data compares equal as text: object keys sorted, null members dropped (a Parquet
    /// struct has every field, a JSON line only those with values), numbers in their shortest round-trip form.
    /// </summary>
    public static string Canonical(JsonNode? node)
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            Write(json, node);
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Write(Utf8JsonWriter json, JsonNode? node)
    {
        switch (node)
        {
            case null:
                json.WriteNullValue();
                break;
            case JsonObject obj:
                json.WriteStartObject();
                foreach (var (key, value) in obj.Where(p => p.Value is not null).OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    json.WritePropertyName(key);
                    Write(json, value);
                }
                json.WriteEndObject();
                break;
            case JsonArray array:
                json.WriteStartArray();
                foreach (var item in array)
                {
                    Write(json, item);
                }
                json.WriteEndArray();
                break;
            default:
                var element = JsonSerializer.SerializeToElement(node);
                if (element.ValueKind == JsonValueKind.Number)
                {
                    json.WriteRawValue(element.GetDouble().ToString("R", CultureInfo.InvariantCulture));
                }
                else
                {
                    element.WriteTo(json);
                }
                break;
        }
    }
}
