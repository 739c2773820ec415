using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Text.Json;
using Parquet;
using Parquet.Serialization;

namespace Portal.Core.Import;

/// <summary>One row of a Parquet file as the JSON object a JSON Lines file would hold, with where it was.</summary>
/// <param name="Row">1-based row number in the file.</param>
/// <param name="RowGroup">1-based row group the row is in.</param>
public sealed record ParquetRecord(long Row, int RowGroup, JsonElement Record);

/// <summary>
/// Reads a Parquet file's rows as JSON objects, one row group at a time: memory holds one row group, however large the file.
/// </summary>
/// <remarks>Nested columns come out as a dataset hub stores them: lists of structs (<c>chosen: [{content, role}]</c>) as lists of objects.</remarks>
public static class ParquetRecords
{
    /// <summary>True when the file's name says Parquet.</summary>
    public static bool IsParquet(string fileName) => fileName.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase);

    /// <summary>The rows of <paramref name="stream"/> (seekable: Parquet's footer is at the end), lazily, row group by row group.</summary>
    /// <exception cref="ItemFormatException">The stream is not a Parquet file.</exception>
    public static IEnumerable<ParquetRecord> Read(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        int groups;
        try
        {
            // The import runs as a job or in the CLI, where blocking a thread pool thread for one row group is harmless.
            var reader = ParquetReader.CreateAsync(stream, leaveStreamOpen: true, cancellationToken: cancellationToken).GetAwaiter().GetResult();
            groups = reader.RowGroupCount;
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or NotSupportedException or ArgumentException or ParquetException)
        {
            throw new ItemFormatException(0, null, $"is not a Parquet file: {ex.Message}", "the file");
        }

        long row = 0;
        for (var group = 0; group < groups; group++)
        {
            stream.Position = 0;
            IList<Dictionary<string, object>> rows;
            try
            {
                rows = ParquetSerializer.DeserializeUntypedAsync(stream, rowGroupIndex: group, cancellationToken: cancellationToken).GetAwaiter().GetResult().Data;
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or NotSupportedException or ArgumentException or ParquetException or InvalidCastException)
            {
                throw new ItemFormatException(row + 1, null, $"cannot be read: {ex.Message}", $"row group {group + 1}");
            }

            foreach (var values in rows)
            {
                row++;
                yield return new ParquetRecord(row, group + 1, ToJson(values));
            }
        }
    }

    /// <summary>Where a row is, as errors name it: <c>row 17 (row group 2)</c>.</summary>
    public static string Where(ParquetRecord record) =>
        string.Create(CultureInfo.InvariantCulture, $"row {record.Row} (row group {record.RowGroup})");

    private static JsonElement ToJson(Dictionary<string, object> values)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            Write(json, values);
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    private static void Write(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null:
                json.WriteNullValue();
                break;
            case string s:
                json.WriteStringValue(s);
                break;
            case bool b:
                json.WriteBooleanValue(b);
                break;
            case byte or sbyte or short or ushort or int or uint or long or ulong:
                json.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case float f when float.IsFinite(f):
                json.WriteNumberValue(f);
                break;
            case float:
                json.WriteNullValue();
                break;
            case double d when double.IsFinite(d):
                json.WriteNumberValue(d);
                break;
            case double:
                json.WriteNullValue();
                break;
            case decimal m:
                json.WriteNumberValue(m);
                break;
            case DateTime t:
                json.WriteStringValue(t.ToString("O", CultureInfo.InvariantCulture));
                break;
            case DateTimeOffset t:
                json.WriteStringValue(t.ToString("O", CultureInfo.InvariantCulture));
                break;
            case byte[] bytes:
                json.WriteBase64StringValue(bytes);
                break;
            case IDictionary<string, object?> map:
                json.WriteStartObject();
                foreach (var (key, item) in map)
                {
                    json.WritePropertyName(key);
                    Write(json, item);
                }

                json.WriteEndObject();
                break;
            case IDictionary map:
                json.WriteStartObject();
                foreach (DictionaryEntry entry in map)
                {
                    json.WritePropertyName(Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? "");
                    Write(json, entry.Value);
                }

                json.WriteEndObject();
                break;
            case IEnumerable list:
                json.WriteStartArray();
                foreach (var item in list)
                {
                    Write(json, item);
                }

                json.WriteEndArray();
                break;
            default:
                json.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }
}
