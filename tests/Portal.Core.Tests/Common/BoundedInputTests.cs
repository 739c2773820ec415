using System.IO.Compression;
using System.Text;
using Portal.Core.Common;
using Portal.Core.Import;

namespace Portal.Core.Tests.Common;

public class BoundedInputTests
{
    private static readonly InputLimits Small = new(MaxDecompressedBytes: 1 << 20, MaxLineChars: 1000, MaxExpansionRatio: 0);

    [Fact]
    public void ReadLine_GzipBomb_ThrowsBeforeReadingPastTheLimit()
    {
        var bomb = Gzip(new byte[64 << 20]);
        var raw = new MemoryStream(bomb);
        var limits = new InputLimits(MaxDecompressedBytes: 4 << 20, MaxLineChars: 64 << 20, MaxExpansionRatio: 0);
        using var reader = BoundedInput.OpenText(raw, gzip: true, limits);

        var ex = Assert.Throws<InputLimitException>(() => reader.ReadLine());

        Assert.Contains("larger than 4,194,304 bytes once decompressed", ex.Message, StringComparison.Ordinal);
        // 64 MiB of zeros are ~64 KiB gzipped: the reader stopped after a fraction of the compressed input.
        Assert.True(raw.Position < bomb.Length, $"read {raw.Position} of {bomb.Length} compressed bytes");
    }

    [Fact]
    public void ReadLine_GzipBombUnderTheSizeLimit_TheExpansionRatioStopsIt()
    {
        var bomb = Gzip(Encoding.ASCII.GetBytes(new string('a', 40 << 20)));
        using var reader = BoundedInput.OpenText(new MemoryStream(bomb), gzip: true, new InputLimits(1L << 30, 1 << 30, 100));

        var ex = Assert.Throws<InputLimitException>(() => reader.ReadLine());

        Assert.Contains("more than 100 times its compressed size", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadLine_OrdinaryGzip_ReadsEveryLine()
    {
        var text = string.Join('\n', Enumerable.Range(1, 20_000).Select(i => $"{{\"prompt\": \"question {i}\", \"response\": \"answer {i * 7919 % 10007}\"}}"));
        using var reader = BoundedInput.OpenText(new MemoryStream(Gzip(Encoding.UTF8.GetBytes(text))), gzip: true, InputLimits.Default);

        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            lines.Add(line);
        }

        Assert.Equal(text.Split('\n'), lines);
    }

    [Fact]
    public void ReadLine_PlainFileOverTheLimit_Throws()
    {
        using var reader = BoundedInput.OpenText(new MemoryStream(Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(new string('x', 99) + "\n", 20_000)))),
            gzip: false, Small);

        var ex = Assert.Throws<InputLimitException>(() => { while (reader.ReadLine() is not null) { } });

        Assert.Equal("is larger than 1,048,576 bytes, the most one file may hold.", ex.Message);
    }

    [Fact]
    public void ReadLine_LineLongerThanTheLimit_NamesTheLine()
    {
        var text = "short\nalso short\n" + new string('y', 5000) + "\nnever reached\n";
        using var reader = new LineLimitedReader(new StringReader(text), 1000);

        Assert.Equal("short", reader.ReadLine());
        Assert.Equal("also short", reader.ReadLine());
        var ex = Assert.Throws<InputLimitException>(() => reader.ReadLine());

        Assert.Equal("line 3 is longer than 1,000 characters, the most one line may hold.", ex.Message);
    }

    [Fact]
    public async Task ReadLineAsync_LineLongerThanTheLimit_Throws()
    {
        using var reader = new LineLimitedReader(new StringReader("ok\n" + new string('z', 3000)), 1000);

        Assert.Equal("ok", await reader.ReadLineAsync(CancellationToken.None));
        await Assert.ThrowsAsync<InputLimitException>(async () => await reader.ReadLineAsync(CancellationToken.None));
    }

    [Fact]
    public void Read_CharacterByCharacter_CountsTheLineToo()
    {
        using var reader = new LineLimitedReader(new StringReader("a,b\n" + new string('q', 2000)), 1000);

        var ex = Assert.Throws<InputLimitException>(() => { while (reader.Read() != -1) { } });

        Assert.StartsWith("line 2 ", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a\nb\r\nc\rd", new[] { "a", "b", "c", "d" })]
    [InlineData("a\r\n", new[] { "a" })]
    [InlineData("\n\nx\n", new[] { "", "", "x" })]
    [InlineData("", new string[0])]
    public void ReadLine_LineEndings_SameAsStreamReader(string text, string[] expected)
    {
        using var reader = new LineLimitedReader(new StringReader(text), 10);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            lines.Add(line);
        }

        Assert.Equal(expected, lines);
        var reference = new StringReader(text);
        var referenceLines = new List<string>();
        while (reference.ReadLine() is { } line)
        {
            referenceLines.Add(line);
        }

        Assert.Equal(referenceLines, lines);
    }

    [Fact]
    public void ItemFileReader_CsvThroughTheBoundedReader_ReadsQuotedFieldsAndStopsAtALongLine()
    {
        var csv = "prompt,response\n\"Hi, there\",\"two\nlines\"\n" + "q," + new string('r', 2000) + "\n";
        using var reader = new LineLimitedReader(new StringReader(csv), 1000);
        var items = ItemFileReader.Read(reader, ItemShape.Likert, csv: true).GetEnumerator();

        Assert.True(items.MoveNext());
        Assert.Equal("two\nlines", items.Current.ResponseA);
        Assert.Throws<InputLimitException>(() => items.MoveNext());
    }

    private static byte[] Gzip(byte[] data)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }
}
