using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Text.Json;
using Parquet;
using Parquet.Serialization;
using Portal.Core.Common;

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
    /// <param name="limits">
    /// <see cref="InputLimits.MaxRowGroupBytes"/> caps the uncompressed size each row group declares (and
    /// <see cref="InputLimits.MaxDecompressedBytes"/> all of them), checked from the footer before any row is read;
    /// <see cref="InputLimits.MaxLineChars"/> caps each string value. <see cref="InputLimits.Default"/> when null.
    /// </param>
    /// <exception cref="ItemFormatException">The stream is not a Parquet file, or breaks a limit (naming the row group and column).</exception>
    public static IEnumerable<ParquetRecord> Read(Stream stream, InputLimits? limits = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        limits ??= InputLimits.Default;
        int groups;
        try
        {
            // The import runs as a job or in the CLI, where blocking a thread pool thread for one row group is harmless.
            var reader = ParquetReader.CreateAsync(stream, leaveStreamOpen: true, cancellationToken: cancellationToken).GetAwaiter().GetResult();
            try
            {
                groups = reader.RowGroupCount;
                CheckDeclaredSizes(reader, limits);
            }
            finally
            {
                reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
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
                yield return new ParquetRecord(row, group + 1, ToJson(values, new Place(row, group + 1, limits.MaxLineChars)));
            }
        }
    }

    /// <summary>Where a row is, as errors name it: <c>row 17 (row group 2)</c>.</summary>
    public static string Where(ParquetRecord record) =>
        string.Create(CultureInfo.InvariantCulture, $"row {record.Row} (row group {record.RowGroup})");

    // Every row group's declared sizes, from the footer, before any page is decompressed: a row group is read whole.
    private static void CheckDeclaredSizes(ParquetReader reader, InputLimits limits)
    {
        long total = 0;
        for (var group = 0; group < reader.RowGroupCount; group++)
        {
            var meta = reader.OpenRowGroupReader(group).RowGroup;
            long declared = 0;
            string? largest = null;
            long largestBytes = -1;
            foreach (var column in meta.Columns)
            {
                var bytes = column.MetaData?.TotalUncompressedSize ?? 0;
                declared += Math.Max(0, bytes);
                if (bytes > largestBytes)
                {
                    (largest, largestBytes) = (string.Join('.', column.MetaData?.PathInSchema ?? []), bytes);
                }
            }
            declared = Math.Max(declared, meta.TotalByteSize);
            var where = string.Create(CultureInfo.InvariantCulture, $"row group {group + 1}");
            if (declared > limits.MaxRowGroupBytes || declared < 0)
            {
                throw new ItemFormatException(0, largest, string.Create(CultureInfo.InvariantCulture,
                    $"is the largest column of a row group that declares {declared:N0} bytes uncompressed ({largestBytes:N0} in this column), more than the {limits.MaxRowGroupBytes:N0} a row group may hold (Limits:RowGroupBytes)."), where);
            }
            total += declared;
            if (total > limits.MaxDecompressedBytes)
            {
                throw new ItemFormatException(0, largest, string.Create(CultureInfo.InvariantCulture,
                    $"takes the file past {limits.MaxDecompressedBytes:N0} bytes uncompressed, the most an imported file may hold (Limits:DecompressedBytes)."), where);
            }
        }
    }

    private static bool IsJsonObject(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private readonly record struct Place(long Row, int RowGroup, int MaxChars);

    private static JsonElement ToJson(Dictionary<string, object> values, Place where)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            Write(json, values, where, "");
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    private static void Write(Utf8JsonWriter json, object? value, Place where, string path)
    {
        switch (value)
        {
            case null:
                json.WriteNullValue();
                break;
            case string s when s.Length > where.MaxChars:
                throw new ItemFormatException(where.Row, path, string.Create(CultureInfo.InvariantCulture,
                    $"holds {s.Length:N0} characters, more than the {where.MaxChars:N0} one value may hold (Limits:LineChars)."),
                    string.Create(CultureInfo.InvariantCulture, $"row {where.Row} (row group {where.RowGroup})"));
            case string s when path == "metadata" && s.StartsWith('{') && IsJsonObject(s):
                // A release's Parquet file holds the metadata object as its JSON text: read back, it is the object again.
                json.WriteRawValue(s);
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
                    Write(json, item, where, path.Length == 0 ? key : $"{path}.{key}");
                }

                json.WriteEndObject();
                break;
            case IDictionary map:
                json.WriteStartObject();
                foreach (DictionaryEntry entry in map)
                {
                    var key = Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? "";
                    json.WritePropertyName(key);
                    Write(json, entry.Value, where, path.Length == 0 ? key : $"{path}.{key}");
                }

                json.WriteEndObject();
                break;
            case IEnumerable list:
                json.WriteStartArray();
                var index = 0;
                foreach (var item in list)
                {
                    Write(json, item, where, $"{path}[{index++}]");
                }

                json.WriteEndArray();
                break;
            default:
                json.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }
}
