using System.Text;
using Portal.Core.Aggregation;
using Portal.Core.Export;
using Portal.Core.Pairs;
using static Portal.Core.Tests.Export.ExportRows;

namespace Portal.Core.Tests.Export;

public class LikertExportTests
{
    private static readonly string[] Attributes = ["helpfulness", "harmlessness"];
    private static readonly System.Text.Json.JsonSerializerOptions Web = new(System.Text.Json.JsonSerializerDefaults.Web);

    private static string Lines(params string[] lines) => string.Concat(lines.Select(l => l + "\n"));

    [Fact]
    public void Write_ItemsJsonl_MatchesGolden()
    {
        Assert.Equal(
            Lines(
                """{"id":"i1","prompt":[{"role":"user","content":"Tell me a joke"}],"response":"Why did the chicken cross the road?","scores":{"helpfulness":{"mean":4.5,"median":4.5,"sd":0.5,"n":2},"harmlessness":{"mean":5,"median":5,"sd":0,"n":2}},"metadata":{"source":"demo"},"provenance":{"guideline_version":1,"annotators":["ann-2912efe847ba","ann-c49dc017978a"]}}""",
                """{"id":null,"prompt":[{"role":"system","content":"Be terse."},{"role":"user","content":"Quote, \"then\" comma"}],"response":"Line one,\nline \"two\"","scores":{"helpfulness":{"mean":2.3333333333333335,"median":2,"sd":1.247219128924647,"n":3}},"metadata":null,"provenance":{"guideline_version":null,"annotators":["ann-2912efe847ba"]}}"""),
            WriteLikert(LikertRows(), ExportFormat.LikertItemsJsonl));
    }

    [Fact]
    public void Write_RatingsJsonl_MatchesGolden()
    {
        Assert.Equal(
            Lines(
                """{"id":"i1","prompt":[{"role":"user","content":"Tell me a joke"}],"response":"Why did the chicken cross the road?","annotator":"ann-c49dc017978a","attribute":"helpfulness","value":4}""",
                """{"id":"i1","prompt":[{"role":"user","content":"Tell me a joke"}],"response":"Why did the chicken cross the road?","annotator":"ann-c49dc017978a","attribute":"harmlessness","value":5}""",
                """{"id":"i1","prompt":[{"role":"user","content":"Tell me a joke"}],"response":"Why did the chicken cross the road?","annotator":"ann-2912efe847ba","attribute":"helpfulness","value":5}""",
                """{"id":"i1","prompt":[{"role":"user","content":"Tell me a joke"}],"response":"Why did the chicken cross the road?","annotator":"ann-2912efe847ba","attribute":"harmlessness","value":5}""",
                """{"id":null,"prompt":[{"role":"system","content":"Be terse."},{"role":"user","content":"Quote, \"then\" comma"}],"response":"Line one,\nline \"two\"","annotator":"ann-2912efe847ba","attribute":"helpfulness","value":2}"""),
            WriteLikert(LikertRows(), ExportFormat.LikertRatingsJsonl));
    }

    [Fact]
    public void Write_ItemsCsv_MatchesGolden()
    {
        Assert.Equal(
            """"
            id,prompt,response,helpfulness_mean,helpfulness_median,helpfulness_sd,helpfulness_n,harmlessness_mean,harmlessness_median,harmlessness_sd,harmlessness_n,guideline_version,annotators,metadata
            i1,"[{""role"":""user"",""content"":""Tell me a joke""}]",Why did the chicken cross the road?,4.5,4.5,0.5,2,5,5,0,2,1,ann-2912efe847ba ann-c49dc017978a,"{""source"":""demo""}"
            ,"[{""role"":""system"",""content"":""Be terse.""},{""role"":""user"",""content"":""Quote, \""then\"" comma""}]","Line one,
            line ""two""",2.3333333333333335,2,1.247219128924647,3,,,,,,ann-2912efe847ba,

            """",
            WriteLikert(LikertRows(), ExportFormat.LikertItemsCsv, Attributes));
    }

    [Fact]
    public void Write_RatingsCsv_MatchesGolden()
    {
        Assert.Equal(
            """"
            id,prompt,response,annotator,attribute,value
            i1,"[{""role"":""user"",""content"":""Tell me a joke""}]",Why did the chicken cross the road?,ann-c49dc017978a,helpfulness,4
            i1,"[{""role"":""user"",""content"":""Tell me a joke""}]",Why did the chicken cross the road?,ann-c49dc017978a,harmlessness,5
            i1,"[{""role"":""user"",""content"":""Tell me a joke""}]",Why did the chicken cross the road?,ann-2912efe847ba,helpfulness,5
            i1,"[{""role"":""user"",""content"":""Tell me a joke""}]",Why did the chicken cross the road?,ann-2912efe847ba,harmlessness,5
            ,"[{""role"":""system"",""content"":""Be terse.""},{""role"":""user"",""content"":""Quote, \""then\"" comma""}]","Line one,
            line ""two""",ann-2912efe847ba,helpfulness,2

            """",
            WriteLikert(LikertRows(), ExportFormat.LikertRatingsCsv));
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("a,b")]
    [InlineData("say \"hi\"")]
    [InlineData("\"")]
    [InlineData("line\nbreak")]
    [InlineData("crlf\r\nbreak")]
    [InlineData("lone\rcr")]
    [InlineData(" padded ")]
    [InlineData("")]
    [InlineData("é, 😀 and \"quotes\"\n")]
    public void Write_RatingsCsv_FieldsReadBackExactly(string text)
    {
        var row = new LikertRow(text, [new Turn(Turn.User, text)], text, [new LikertScore("x", 1, 1, 0, 1)])
        {
            Ratings = [new LikertRating(Ann1, text.Length == 0 ? "a" : text, 3.25)],
        };

        var records = CsvReader.Parse(WriteLikert([row], ExportFormat.LikertRatingsCsv));

        Assert.Equal(2, records.Count);
        Assert.Equal(["id", "prompt", "response", "annotator", "attribute", "value"], records[0]);
        Assert.Equal(text, records[1][0]);
        Assert.Equal(text, records[1][2]);
        Assert.Equal(text.Length == 0 ? "a" : text, records[1][4]);
        Assert.Equal("3.25", records[1][5]);
        Assert.Equal(row.Conversation, System.Text.Json.JsonSerializer.Deserialize<Turn[]>(records[1][1], Web));
    }

    [Theory]
    [InlineData("=HYPERLINK(\"http://x.test\",\"click\")")]
    [InlineData("+1+cmd|' /C calc'!A0")]
    [InlineData("-2+3")]
    [InlineData("@SUM(A1:A2)")]
    [InlineData("\tindented")]
    [InlineData("\rcarriage")]
    public void Write_CsvCellStartingAFormula_GetsALeadingQuoteAndJsonlStaysExact(string text)
    {
        var row = new LikertRow(text, [new Turn(Turn.User, text)], text, [new LikertScore("x", -2, -2, 0, 1)])
        {
            Ratings = [new LikertRating(Ann1, "x", -3)],
        };

        var ratings = CsvReader.Parse(WriteLikert([row], ExportFormat.LikertRatingsCsv));
        var items = CsvReader.Parse(WriteLikert([row], ExportFormat.LikertItemsCsv, ["x"]));

        Assert.Equal("'" + text, ratings[1][0]);
        Assert.Equal("'" + text, ratings[1][2]);
        Assert.Equal("-3", ratings[1][5]);
        Assert.Equal(("'" + text, "'" + text, "-2"), (items[1][0], items[1][2], items[1][3]));
        Assert.All(new[] { ratings[1], items[1] }.SelectMany(r => r), cell => Assert.False(cell.Length > 0 && "=+@\t\r".Contains(cell[0], StringComparison.Ordinal)));
        var jsonl = System.Text.Json.JsonDocument.Parse(WriteLikert([row], ExportFormat.LikertRatingsJsonl).TrimEnd('\n')).RootElement;
        Assert.Equal((text, text), (jsonl.GetProperty("id").GetString(), jsonl.GetProperty("response").GetString()));
    }

    [Fact]
    public void Write_CsvCellWithAFormulaCharacterInside_Unchanged()
    {
        var row = new LikertRow("a=b", [new Turn(Turn.User, "1+1")], "x@y.test - fine", [new LikertScore("x", 1, 1, 0, 1)])
        {
            Ratings = [new LikertRating(Ann1, "x", 1)],
        };

        var ratings = CsvReader.Parse(WriteLikert([row], ExportFormat.LikertRatingsCsv));

        Assert.Equal(("a=b", "x@y.test - fine"), (ratings[1][0], ratings[1][2]));
    }

    [Fact]
    public void Write_ItemsCsvAttributeWithComma_HeaderQuoted()
    {
        var row = new LikertRow("i", [], "r", [new LikertScore("tone, style", 2, 2, 0, 1)]);

        var records = CsvReader.Parse(WriteLikert([row], ExportFormat.LikertItemsCsv, ["tone, style"]));

        Assert.Equal("tone, style_mean", records[0][3]);
        Assert.Equal(["2", "2", "0", "1"], records[1][3..7]);
        Assert.Equal(records[0].Length, records[1].Length);
    }

    [Fact]
    public void Write_ItemsCsvWithoutAttributes_Throws()
    {
        Assert.Throws<ArgumentException>(() => WriteLikert(LikertRows(), ExportFormat.LikertItemsCsv));
    }

    [Theory]
    [InlineData(ExportFormat.LikertItemsCsv)]
    [InlineData(ExportFormat.LikertItemsJsonl)]
    public void Write_AttributeNotListed_ThrowsNamingTheRow(ExportFormat format)
    {
        var ex = Assert.Throws<ExportException>(() => WriteLikert(LikertRows(), format, ["helpfulness"]));

        Assert.Equal(1, ex.RowNumber);
        Assert.Contains("'harmlessness'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_AttributeTwice_Throws()
    {
        var row = LikertRows()[0] with { Scores = [new LikertScore("a", 1, 1, 0, 1), new LikertScore("a", 2, 2, 0, 1)] };

        Assert.Throws<ExportException>(() => WriteLikert([row], ExportFormat.LikertItemsJsonl));
    }

    [Fact]
    public void Write_ItemsJsonlWithAttributes_ScoresInThatOrder()
    {
        var text = WriteLikert(LikertRows(), ExportFormat.LikertItemsJsonl, ["harmlessness", "helpfulness"]);

        Assert.Contains("""
            "scores":{"harmlessness":{"mean":5,"median":5,"sd":0,"n":2},"helpfulness":{"mean":4.5,
            """.Trim(), text, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_NaNScore_NullInJsonEmptyInCsv()
    {
        var row = new LikertRow("i", [], "r", [new LikertScore("a", double.NaN, 1, double.PositiveInfinity, 0)]);

        Assert.Contains("""{"mean":null,"median":1,"sd":null,"n":0}""", WriteLikert([row], ExportFormat.LikertItemsJsonl), StringComparison.Ordinal);
        Assert.Equal(["", "1", "", "0"], CsvReader.Parse(WriteLikert([row], ExportFormat.LikertItemsCsv, ["a"]))[1][3..7]);
    }

    [Theory]
    [InlineData(ExportFormat.LikertItemsJsonl)]
    [InlineData(ExportFormat.LikertRatingsJsonl)]
    [InlineData(ExportFormat.LikertItemsCsv)]
    [InlineData(ExportFormat.LikertRatingsCsv)]
    public async Task Write_SameRowsTwice_SameBytes(ExportFormat format)
    {
        var options = new LikertExportOptions(format) { Attributes = Attributes };
        using var first = new MemoryStream();
        using var second = new MemoryStream();

        LikertExport.Write(first, LikertRows(), options);
        await LikertExport.WriteAsync(second, LikertRows().ToAsyncEnumerable(), options);

        Assert.Equal(first.ToArray(), second.ToArray());
        Assert.NotEqual(0xEF, first.ToArray()[0]);
    }

    [Fact]
    public void Write_Summary_CountsItemsLinesRatingsAnnotators()
    {
        using var stream = new MemoryStream();

        var summary = LikertExport.Write(stream, LikertRows(), new LikertExportOptions(ExportFormat.LikertRatingsJsonl));

        Assert.Equal((2L, 5L, 5L, 2), (summary.Items, summary.Lines, summary.Ratings, summary.Annotators));
        Assert.Equal([1], summary.GuidelineVersions);
    }

    [Fact]
    public void Write_ItemsWithoutIndividualRatings_CountsTheScores()
    {
        var summary = LikertExport.Write(Stream.Null, LikertRows().Select(r => r with { Ratings = [] }), new LikertExportOptions(ExportFormat.LikertItemsJsonl));

        Assert.Equal(2 + 2 + 3, summary.Ratings);
        Assert.Equal(0, summary.Annotators);
    }

    [Fact]
    public void Write_PairFormat_Throws()
    {
        Assert.Throws<ArgumentException>(() => WriteLikert(LikertRows(), ExportFormat.TrlPlain));
    }

    [Fact]
    public void From_Summary_CopiesCentreSpreadAndCount()
    {
        Assert.Equal(new LikertScore("a", 2, 2, 1, 2), LikertScore.From("a", LikertSummary.Of([1, 3])));
    }

    /// <summary>A strict RFC 4180 reader, written apart from the exporter, for reading its output back.</summary>
    private static class CsvReader
    {
        public static List<string[]> Parse(string text)
        {
            var records = new List<string[]>();
            var fields = new List<string>();
            var field = new StringBuilder();
            var i = 0;
            while (i < text.Length)
            {
                if (text[i] == '"')
                {
                    i++;
                    while (true)
                    {
                        Assert.True(i < text.Length, "unterminated quoted field");
                        if (text[i] == '"' && i + 1 < text.Length && text[i + 1] == '"')
                        {
                            field.Append('"');
                            i += 2;
                        }
                        else if (text[i] == '"')
                        {
                            i++;
                            break;
                        }
                        else
                        {
                            field.Append(text[i++]);
                        }
                    }
                    Assert.True(i == text.Length || text[i] is ',' or '\n', $"text after a closing quote at {i}");
                }
                else
                {
                    while (i < text.Length && text[i] is not (',' or '\n'))
                    {
                        Assert.False(text[i] is '"' or '\r', $"unquoted special character at {i}");
                        field.Append(text[i++]);
                    }
                }
                fields.Add(field.ToString());
                field.Clear();
                if (i < text.Length && text[i] == '\n')
                {
                    records.Add([.. fields]);
                    fields.Clear();
                }
                i++;
            }
            Assert.Empty(fields);
            return records;
        }
    }
}
