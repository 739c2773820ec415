using System.Text.Json;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Portal.App.Data;

/// <summary>Value converters that keep small structured values (settings, gold answers, score maps) as JSON text columns on every provider.</summary>
internal static class JsonColumns
{
    public static ValueConverter<T, string> Converter<T>(Func<string, T> parse, Func<T, string> write) =>
        new(v => write(v), s => parse(s));

    public static ValueConverter<T?, string?> NullableConverter<T>(Func<string?, T?> parse, Func<T, string> write)
        where T : class =>
        new(v => v == null ? null : write(v), s => parse(s));

    public static ValueConverter<Dictionary<string, T>?, string?> DictionaryConverter<T>() =>
        new(v => v == null ? null : JsonSerializer.Serialize(v, ProjectSettings.Json),
            s => s == null ? null : JsonSerializer.Deserialize<Dictionary<string, T>>(s, ProjectSettings.Json));
}
