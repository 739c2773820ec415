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

    /// <summary>
    /// Compares a mutable collection kept as JSON by its JSON text, and snapshots it by a JSON round trip, so EF sees a
    /// change made in place (<c>annotation.Scores["helpfulness"] = 5</c>), not only a new instance.
    /// </summary>
    public static ValueComparer<T> Comparer<T>() =>
        new(
            (a, b) => JsonSerializer.Serialize(a, ProjectSettings.Json) == JsonSerializer.Serialize(b, ProjectSettings.Json),
            v => JsonSerializer.Serialize(v, ProjectSettings.Json).GetHashCode(StringComparison.Ordinal),
            v => JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(v, ProjectSettings.Json), ProjectSettings.Json)!);
}
