using Portal.Core.Agreement;

namespace Portal.Core.Tests.Agreement;

public class AgreementFileTests
{
    private static RatingTable Read(string csv) => AgreementFile.Read(new StringReader(csv));

    private static AgreementInputException ReadFails(string csv) =>
        Assert.Throws<AgreementInputException>(() => Read(csv));

    [Fact]
    public void Read_ColumnsInAnyOrderWithExtras_ReadsRatings()
    {
        var table = Read("\uFEFF" + """
            Value, note ,Rater,UNIT
            2,first,ann,item-1
            3.5,"second, with comma",bob,item-1

            -1e1,,ann,item-2
            """);

        Assert.Equal(3, table.Count);
        Assert.Equal("item-1", table.UnitId(0));
        Assert.Equal("bob", table.RaterId(1));
        Assert.Equal([2.0, 3.5, -10], table.Values.ToArray());
    }

    [Fact]
    public void Read_QuotedIdsWithEscapedQuotes_Unescapes()
    {
        var table = Read("unit,rater,value\n\"say \"\"hi\"\"\", \"a,b\" ,1\n");

        Assert.Equal("say \"hi\"", table.UnitId(0));
        Assert.Equal("a,b", table.RaterId(0));
    }

    [Fact]
    public void Read_CrLfLineEnds_Reads()
    {
        Assert.Equal(2, Read("unit,rater,value\r\nu1,a,1\r\nu1,b,2\r\n").Count);
    }

    [Fact]
    public void Read_MissingColumn_NamesItAndTheHeader()
    {
        var ex = ReadFails("unit,annotator,value\nu1,a,1\n");

        Assert.Equal(1, ex.LineNumber);
        Assert.Equal("line 1: the header has no 'rater' column; it needs unit, rater and value, and has: unit, annotator, value.", ex.Message);
    }

    [Fact]
    public void Read_RepeatedColumn_Throws()
    {
        var ex = ReadFails("unit,rater,value,Unit\n");

        Assert.Contains("two 'unit' columns (fields 1 and 4)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NonNumericValue_NamesLineAndField()
    {
        var ex = ReadFails("unit,rater,value\nu1,a,1\nu1,b,high\n");

        Assert.Equal(3, ex.LineNumber);
        Assert.Equal("line 3: the value field 'high' is not a number.", ex.Message);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    public void Read_NonFiniteValue_Throws(string value)
    {
        var ex = ReadFails($"unit,rater,value\nu1,a,{value}\n");

        Assert.Equal($"line 2: the value field '{value}' is not a finite number.", ex.Message);
    }

    [Fact]
    public void Read_EmptyValue_SaysToLeaveTheRowOut()
    {
        var ex = ReadFails("unit,rater,value\nu1,a,\n");

        Assert.Contains("leave the row out", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_EmptyRater_Throws()
    {
        Assert.Equal("line 2: the rater field is empty.", ReadFails("unit,rater,value\nu1, ,1\n").Message);
    }

    [Fact]
    public void Read_ShortRow_Throws()
    {
        var ex = ReadFails("unit,rater,value\nu1,a\n");

        Assert.Equal(2, ex.LineNumber);
        Assert.Contains("the row has 2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_DuplicateRating_NamesBothLines()
    {
        var ex = ReadFails("unit,rater,value\nu1,a,1\nu2,a,1\n\nu1,a,2\nu1,a,3\n");

        Assert.Equal(5, ex.LineNumber);
        Assert.Equal("line 5: rater 'a' rates unit 'u1' a second time (first on line 2); each rater rates a unit once.", ex.Message);
    }

    [Fact]
    public void Read_UnclosedQuote_Throws()
    {
        var ex = ReadFails("unit,rater,value\n\"u1,a,1\n");

        Assert.Contains("not closed", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n  \n")]
    public void Read_EmptyInput_Throws(string csv)
    {
        var ex = ReadFails(csv);

        Assert.Null(ex.LineNumber);
        Assert.Contains("empty", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_HeaderOnly_Throws()
    {
        Assert.Equal("The input has a header but no ratings.", ReadFails("unit,rater,value\n").Message);
    }

    [Fact]
    public void Read_KrippendorffExampleAsCsv_GivesPublishedAlpha()
    {
        var csv = new StringWriter();
        csv.WriteLine("rater,unit,value");
        string[] rows = ["1 2 3 3 2 1 4 1 2 . . .", "1 2 3 3 2 2 4 1 2 5 . 3", ". 3 3 3 2 3 4 2 2 5 1 .", "1 2 3 3 2 4 4 1 2 5 1 ."];
        for (var rater = 0; rater < rows.Length; rater++)
        {
            var values = rows[rater].Split(' ');
            for (var unit = 0; unit < values.Length; unit++)
            {
                if (values[unit] != ".")
                {
                    csv.WriteLine($"coder{rater},{unit},{values[unit]}");
                }
            }
        }

        var table = Read(csv.ToString());

        Assert.Equal(0.743, AgreementMetrics.KrippendorffAlpha(table, MeasurementLevel.Nominal), 0.0005);
    }

    /// <summary>A ratings file of every shape the reader takes: quotes, blank lines, CRLF and LF, a BOM, ids seen again later.</summary>
    private static string MixedFile(int rows, Func<int, string?>? replace = null)
    {
        var csv = new System.Text.StringBuilder("\uFEFFnote,unit,rater,value\r\n");
        for (var i = 0; i < rows; i++)
        {
            var line = replace?.Invoke(i) ?? (i % 7) switch
            {
                0 => $"\"x, \"\"{i}\"\"\",u{i / 3},r{i % 11},{i % 5}",
                1 => $",u{i / 3}, r{i % 11} ,{(i % 5) + 0.5}",
                2 => $"n,\"u{i / 3}\",r{i % 11},1e0",
                _ => $"n,u{i / 3},r{i % 11},{i % 5}",
            };
            csv.Append(line).Append(i % 2 == 0 ? "\n" : "\r\n");
            if (i % 97 == 0)
            {
                csv.Append("  \n");
            }
        }

        return csv.ToString();
    }

    private static string WriteFile(string csv)
    {
        var path = Path.Combine(Path.GetTempPath(), $"ratings-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, csv, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return path;
    }

    [Fact]
    public void ReadFile_InTwoParts_GivesTheTableOfOneRead()
    {
        var csv = MixedFile(5_000);
        var path = WriteFile(csv);
        try
        {
            var two = AgreementFile.ReadFile(path, twoPartsFrom: 1, out var split);
            var one = Read(csv);

            Assert.InRange(split, new FileInfo(path).Length / 2, new FileInfo(path).Length - 1);
            Assert.Equal((one.Count, one.UnitCount, one.RaterCount), (two.Count, two.UnitCount, two.RaterCount));
            Assert.Equal(one.Units.ToArray(), two.Units.ToArray());
            Assert.Equal(one.Raters.ToArray(), two.Raters.ToArray());
            Assert.Equal(one.Values.ToArray(), two.Values.ToArray());
            Assert.Equal(Enumerable.Range(0, one.UnitCount).Select(one.UnitId), Enumerable.Range(0, two.UnitCount).Select(two.UnitId));
            Assert.Equal(Enumerable.Range(0, one.RaterCount).Select(one.RaterId), Enumerable.Range(0, two.RaterCount).Select(two.RaterId));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ReadFile_SmallFile_ReadsItInOne()
    {
        var csv = MixedFile(50);
        var path = WriteFile(csv);
        try
        {
            var table = AgreementFile.ReadFile(path);

            Assert.Equal(Read(csv).Values.ToArray(), table.Values.ToArray());
            Assert.Equal(50, table.Count);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(4_500, -1)] // a bad value late in the second part
    [InlineData(4_500, 100)] // one in each part: the first part's is the file's first
    public void ReadFile_InTwoParts_ReportsTheFilesFirstErrorWithItsLineInTheWholeFile(int badRow, int otherBadRow)
    {
        var csv = MixedFile(5_000, i => i == badRow || i == otherBadRow ? $"n,u{i},r1,seven" : null);
        var path = WriteFile(csv);
        try
        {
            var two = Assert.Throws<AgreementInputException>(() => AgreementFile.ReadFile(path, twoPartsFrom: 1, out _));
            var one = ReadFails(csv);

            Assert.Equal(one.Message, two.Message);
            Assert.Equal(one.LineNumber, two.LineNumber);
            Assert.Contains("'seven' is not a number", two.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ReadFile_ARaterRatesAUnitInEachPart_NamesBothLinesOfTheWholeFile()
    {
        var csv = MixedFile(5_000, i => i is 10 or 4_900 ? $"n,repeated,r1,{i % 5}" : null);
        var path = WriteFile(csv);
        try
        {
            var two = Assert.Throws<AgreementInputException>(() => AgreementFile.ReadFile(path, twoPartsFrom: 1, out var split));
            var one = ReadFails(csv);

            Assert.Equal(one.Message, two.Message);
            Assert.Contains("rater 'r1' rates unit 'repeated' a second time (first on line", two.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ReadFile_InTwoParts_ARepeatedRatingNamesItsLinesCountedInTheText()
    {
        var csv = "\n \n" + MixedFile(5_000, i => i is 10 or 4_900 ? $"n,repeated,r1,{i % 5}" : null);
        var lines = csv.Split('\n');
        var first = Array.FindIndex(lines, line => line.StartsWith("n,repeated,", StringComparison.Ordinal)) + 1;
        var second = Array.FindLastIndex(lines, line => line.StartsWith("n,repeated,", StringComparison.Ordinal)) + 1;
        var path = WriteFile(csv);
        try
        {
            var split = 0L;
            var two = Assert.Throws<AgreementInputException>(() => AgreementFile.ReadFile(path, twoPartsFrom: 1, out split));

            Assert.True(split > 0);
            Assert.True(first > 10 && second > first);
            Assert.Equal(second, two.LineNumber);
            Assert.Equal($"line {second}: rater 'r1' rates unit 'repeated' a second time (first on line {first}); each rater rates a unit once.", two.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Read_UnitsNotTogether_GroupsThemAsTheBuilderDoes()
    {
        var csv = "unit,rater,value\nu1,a,1\nu2,a,2\nu1,b,3\nu3,a,4\nu2,b,5\n";
        var builder = new RatingTableBuilder();
        builder.Add("u1", "a", 1);
        builder.Add("u2", "a", 2);
        builder.Add("u1", "b", 3);
        builder.Add("u3", "a", 4);
        builder.Add("u2", "b", 5);
        var expected = builder.Build();

        var table = Read(csv);

        Assert.Equal([0, 0, 1, 1, 2], table.Units.ToArray());
        Assert.Equal(expected.Units.ToArray(), table.Units.ToArray());
        Assert.Equal(expected.Raters.ToArray(), table.Raters.ToArray());
        Assert.Equal([1.0, 3, 2, 5, 4], table.Values.ToArray());
        Assert.Equal(expected.UnitStarts.ToArray(), table.UnitStarts.ToArray());
        Assert.Equal(["u1", "u2", "u3"], Enumerable.Range(0, table.UnitCount).Select(table.UnitId));
    }

    [Fact]
    public void Read_ManyUnitsTogether_KeepsEveryIdAndRatingInOrder()
    {
        var csv = new System.Text.StringBuilder("unit,rater,value\n");
        for (var i = 0; i < 30_000; i++)
        {
            csv.Append(System.Globalization.CultureInfo.InvariantCulture, $"unit-{i / 3},r{i % 3},{i % 7}\n");
        }

        var table = Read(csv.ToString());

        Assert.Equal(30_000, table.Count);
        Assert.Equal(30_000, table.Values.Length);
        Assert.Equal(10_000, table.UnitCount);
        Assert.Equal(Enumerable.Range(0, 10_000).Select(u => $"unit-{u}"), Enumerable.Range(0, table.UnitCount).Select(table.UnitId));
        Assert.Equal(Enumerable.Range(0, 30_000).Select(i => i / 3), table.Units.ToArray());
        Assert.Equal(Enumerable.Range(0, 30_000).Select(i => (double)(i % 7)), table.Values.ToArray());
        Assert.Equal(Enumerable.Range(0, 10_001).Select(u => u * 3), table.UnitStarts.ToArray());
    }
}
