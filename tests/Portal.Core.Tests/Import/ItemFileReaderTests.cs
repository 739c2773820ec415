using Portal.Core.Import;

namespace Portal.Core.Tests.Import;

public class ItemFileReaderTests
{
    private static List<ImportedItem> Read(string text, ItemShape shape, bool csv = false) =>
        [.. ItemFileReader.Read(new StringReader(text), shape, csv)];

    [Fact]
    public void ReadJsonLines_LikertItems_TakesPromptResponseIdAndMetadata()
    {
        var items = Read("""
            {"id": 7, "prompt": "Hi?", "response": "Hello.", "metadata": {"model": "m1"}}

            {"prompt": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Why?"}], "response": "Because."}
            """, ItemShape.Likert);

        Assert.Equal(2, items.Count);
        Assert.Equal("7", items[0].ExternalId);
        Assert.Equal("Hello.", items[0].ResponseA);
        Assert.Null(items[0].ResponseB);
        Assert.Equal("{\"model\": \"m1\"}", items[0].MetadataJson);
        Assert.Equal(3, items[1].LineNumber);
        Assert.Equal(["system", "user"], items[1].Conversation.Select(t => t.Role));
    }

    [Fact]
    public void ReadJsonLines_PairwiseShapes_AllBecomeTwoResponses()
    {
        var items = Read("""
            {"prompt": "Q1", "response_a": "a1", "response_b": "b1"}
            {"prompt": "Q2", "chosen": "c2", "rejected": "r2"}
            {"chosen": "\n\nHuman: Q3\n\nAssistant: c3", "rejected": "\n\nHuman: Q3\n\nAssistant: r3"}
            """, ItemShape.Pairwise);

        Assert.Equal(["a1", "c2", "c3"], items.Select(i => i.ResponseA));
        Assert.Equal(["b1", "r2", "r3"], items.Select(i => i.ResponseB!));
        Assert.Equal("Q3", items[2].Conversation.Single().Content);
    }

    [Theory]
    [InlineData("{\"prompt\": \"Q\"}", ItemShape.Likert, "line 1: field 'response' is missing")]
    [InlineData("{\"response\": \"R\"}", ItemShape.Likert, "line 1: field 'prompt' is missing")]
    [InlineData("{\"prompt\": 3, \"response\": \"R\"}", ItemShape.Likert, "line 1: field 'prompt' must be a string")]
    [InlineData("not json", ItemShape.Likert, "line 1: is not valid JSON")]
    [InlineData("{\"prompt\": \"Q\", \"chosen\": \"c\"}", ItemShape.Pairwise, "line 1: field 'rejected'")]
    public void ReadJsonLines_BadLine_NamesLineAndField(string line, ItemShape shape, string expected)
    {
        var ex = Assert.Throws<ItemFormatException>(() => Read("\n" + line.Replace("line 1", "line 2", StringComparison.Ordinal), shape));

        Assert.Contains(expected.Replace("line 1", "line 2", StringComparison.Ordinal), ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, ex.LineNumber);
    }

    [Fact]
    public void ReadCsv_QuotedCommasQuotesAndLineBreaks_SurviveAndLinesCountFromTheRecordStart()
    {
        var csv = "id,prompt,response_a,response_b\r\n"
            + "x1,\"Say \"\"hi\"\", please\",\"Hi,\nthere\",Hey\n"
            + "x2,Plain,A,B\n";

        var items = Read(csv, ItemShape.Pairwise, csv: true);

        Assert.Equal(2, items.Count);
        Assert.Equal("Say \"hi\", please", items[0].Conversation.Single().Content);
        Assert.Equal("Hi,\nthere", items[0].ResponseA);
        Assert.Equal("x2", items[1].ExternalId);
        Assert.Equal(4, items[1].LineNumber);
    }

    [Fact]
    public void ReadCsv_ChosenRejectedHeader_IsAPairwiseFile()
    {
        var items = Read("prompt,chosen,rejected\nQ,good,bad\n", ItemShape.Pairwise, csv: true);

        Assert.Equal(("good", "bad"), (items[0].ResponseA, items[0].ResponseB));
    }

    [Theory]
    [InlineData("prompt,response\nQ,R,extra\n", ItemShape.Likert, "line 2: has 3 fields but the header has 2")]
    [InlineData("prompt,response\nQ,\n", ItemShape.Likert, "line 2: field 'response' is empty")]
    [InlineData("question,response\nQ,R\n", ItemShape.Likert, "line 1: field 'prompt' is not a column")]
    [InlineData("prompt,response\nQ,R\n", ItemShape.Pairwise, "line 1: field 'response_a' is not a column")]
    [InlineData("prompt,response\n\"Q,R\n", ItemShape.Likert, "line 2: has a quoted field that is never closed")]
    public void ReadCsv_BadFile_NamesLineAndField(string csv, ItemShape shape, string expected)
    {
        var ex = Assert.Throws<ItemFormatException>(() => Read(csv, shape, csv: true));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }
}

/// <summary>An item's category as JSON Lines, CSV and a known format's metadata carry it.</summary>
public class ItemCategoryReaderTests
{
    private static List<ImportedItem> Read(string text, ItemShape shape, bool csv = false) =>
        [.. ItemFileReader.Read(new StringReader(text), shape, csv)];

    [Fact]
    public void Read_CategoryFieldColumnOrMetadata_BecomesTheItemsCategory()
    {
        var pairs = Read("""
            {"prompt": "6×7?", "chosen": "42", "rejected": "41", "category": " math "}
            {"prompt": "Hi", "chosen": "Hello", "rejected": "Go away", "metadata": {"category": "chat"}}
            {"prompt": "Hi", "chosen": "Hello", "rejected": "Go away"}
            """, ItemShape.Pairwise);
        var likert = Read("""{"prompt": "Hi", "response": "Hello", "category": "chat"}""", ItemShape.Likert);
        var csv = Read("prompt,response_a,response_b,category\n6×7?,42,41,math\nHi,Hello,Yo,\n", ItemShape.Pairwise, csv: true);

        Assert.Equal(["math", "chat", null], pairs.Select(p => p.Category));
        Assert.Equal("chat", likert.Single().Category);
        Assert.Equal(["math", null], csv.Select(c => c.Category));
    }

    [Theory]
    [InlineData("""{"prompt": "q", "chosen": "a", "rejected": "b", "category": 7}""", "must be a string")]
    [InlineData("""{"prompt": "q", "chosen": "a", "rejected": "b", "category": "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}""", "at most 100")]
    public void Read_BadCategory_NamesTheLineAndTheField(string line, string problem)
    {
        var ex = Assert.Throws<ItemFormatException>(() => Read("{\"prompt\": \"q\", \"chosen\": \"a\", \"rejected\": \"b\"}\n" + line, ItemShape.Pairwise));

        Assert.Equal((2L, "category"), (ex.LineNumber, ex.Field));
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
    }
}
