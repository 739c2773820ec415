using System.Text.Json.Serialization;
using Parquet;
using Parquet.Serialization;
using Portal.Core.Common;
using Portal.Core.Import;

namespace Portal.Core.Tests.Import;

/// <summary>
/// Crafted Parquet files that break the import limits: a row group declaring more uncompressed bytes than allowed, and one
/// string value longer than allowed. Each fails with an error naming the row group and column, before any item is returned.
/// </summary>
public sealed class ParquetLimitsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("portal-parquet-limits").FullName;

    public sealed class Row
    {
        [JsonPropertyName("prompt")]
        public string? Prompt { get; set; }

        [JsonPropertyName("chosen")]
        public string? Chosen { get; set; }

        [JsonPropertyName("rejected")]
        public string? Rejected { get; set; }
    }

    private static Row Pair(int i, int chosenChars = 10) =>
        new() { Prompt = $"Question {i}?", Chosen = new string('c', chosenChars), Rejected = $"Bad answer {i}." };

    // Row group 1: small rows; row group 2: one row whose chosen text is large (incompressible enough to matter uncompressed).
    private async Task<string> WriteAsync(int bigChosenChars)
    {
        var path = Path.Combine(_folder, $"{Guid.NewGuid():N}.parquet");
        var rows = Enumerable.Range(1, 10).Select(i => Pair(i)).Append(Pair(11, bigChosenChars));
        await ParquetSerializer.SerializeAsync(rows, path, new ParquetOptions { RowGroupSize = 10 });
        return path;
    }

    private static List<ImportedItem> ReadAll(string path, InputLimits limits)
    {
        using var stream = File.OpenRead(path);
        var items = new List<ImportedItem>();
        foreach (var item in ItemFileReader.ReadParquet(stream, ItemShape.Pairwise, limits: limits))
        {
            items.Add(item);
        }
        return items;
    }

    [Fact]
    public async Task ReadParquet_RowGroupDeclaresMoreThanTheLimit_FailsNamingRowGroupAndColumnBeforeAnyItem()
    {
        var path = await WriteAsync(bigChosenChars: 200_000);
        var limits = InputLimits.Default with { MaxRowGroupBytes = 100_000 };
        var returned = new List<ImportedItem>();

        var error = Assert.Throws<ItemFormatException>(() =>
        {
            using var stream = File.OpenRead(path);
            foreach (var item in ItemFileReader.ReadParquet(stream, ItemShape.Pairwise, limits: limits))
            {
                returned.Add(item);
            }
        });

        Assert.Empty(returned);
        Assert.StartsWith("row group 2: field 'chosen'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Limits:RowGroupBytes", error.Message, StringComparison.Ordinal);
        Assert.Equal(11, ReadAll(path, InputLimits.Default).Count);
    }

    [Fact]
    public async Task ReadParquet_FileDeclaresMoreThanTheDecompressedLimit_FailsNamingTheRowGroup()
    {
        var path = await WriteAsync(bigChosenChars: 200_000);
        var limits = InputLimits.Default with { MaxDecompressedBytes = 150_000 };

        var error = Assert.Throws<ItemFormatException>(() => ReadAll(path, limits));

        Assert.StartsWith("row group 2:", error.Message, StringComparison.Ordinal);
        Assert.Contains("Limits:DecompressedBytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadParquet_StringValueLongerThanTheLimit_FailsNamingRowRowGroupAndColumn()
    {
        var path = await WriteAsync(bigChosenChars: 5_000);
        var limits = InputLimits.Default with { MaxLineChars = 4_000 };

        var error = Assert.Throws<ItemFormatException>(() => ReadAll(path, limits));

        Assert.Equal("row 11 (row group 2): field 'chosen' holds 5,000 characters, more than the 4,000 one value may hold (Limits:LineChars).", error.Message);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
