using Portal.Core.Aggregation;
using Portal.Core.AiLabels;

namespace Portal.Core.Tests.AiLabels;

public class AiLabelFileReaderTests
{
    private static async Task<List<AiLabelLine>> ReadAsync(string text)
    {
        var lines = new List<AiLabelLine>();
        await foreach (var line in AiLabelFileReader.ReadAsync(new StringReader(text)))
        {
            lines.Add(line);
        }

        return lines;
    }

    [Fact]
    public async Task ReadAsync_GoodLines_TakesEveryFieldAndSkipsBlankLines()
    {
        var labels = await ReadAsync("""
            {"item": "p1", "choice": "A", "confidence": 0.83, "model": "gpt-x", "rationale": "A answers the question."}

            {"item": "p2", "choice": "tie", "model": "gpt-x"}
            {"item": "p3", "choice": "b", "confidence": 1, "model": " judge-2 ", "rationale": null}
            """);

        Assert.Equal(3, labels.Count);
        Assert.Equal(new AiLabelLine(1, "p1", PreferenceChoice.A, 0.83, "gpt-x", "A answers the question."), labels[0]);
        Assert.Equal(new AiLabelLine(3, "p2", PreferenceChoice.Tie, null, "gpt-x", null), labels[1]);
        Assert.Equal(new AiLabelLine(4, "p3", PreferenceChoice.B, 1.0, "judge-2", null), labels[2]);
    }

    [Theory]
    [InlineData("""{"item": "p1", "choice": "C", "model": "m"}""", "choice", "'C' is not a choice")]
    [InlineData("""{"item": "p1", "choice": "bothbad", "model": "m"}""", "choice", "is not a choice")]
    [InlineData("""{"item": "p1", "choice": "A", "confidence": 1.2, "model": "m"}""", "confidence", "out of range")]
    [InlineData("""{"item": "p1", "choice": "A", "confidence": -0.1, "model": "m"}""", "confidence", "out of range")]
    [InlineData("""{"item": "p1", "choice": "A", "confidence": "high", "model": "m"}""", "confidence", "must be a number")]
    [InlineData("""{"choice": "A", "model": "m"}""", "item", "is missing")]
    [InlineData("""{"item": 12, "choice": "A", "model": "m"}""", "item", "must be a string")]
    [InlineData("""{"item": "p1", "choice": "A"}""", "model", "is missing")]
    [InlineData("""{"item": "p1", "choice": "A", "model": "  "}""", "model", "is empty")]
    [InlineData("""{"item": "p1", "choice": "A", "model": "m", "rationale": 3}""", "rationale", "must be a string")]
    public async Task ReadAsync_BadField_NamesTheLineAndTheField(string bad, string field, string problem)
    {
        var text = """{"item": "p0", "choice": "A", "model": "m"}""" + "\n" + bad + "\n";

        var ex = await Assert.ThrowsAsync<AiLabelFormatException>(() => ReadAsync(text));

        Assert.Equal(2, ex.LineNumber);
        Assert.Equal(field, ex.Field);
        Assert.Contains(problem, ex.Problem, StringComparison.Ordinal);
        Assert.StartsWith($"line 2: field '{field}' ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_NotJson_NamesTheLine()
    {
        var ex = await Assert.ThrowsAsync<AiLabelFormatException>(() => ReadAsync("{\"item\": \"p0\", \"choice\": \"A\", \"model\": \"m\"}\n{nope\n"));

        Assert.Equal(2, ex.LineNumber);
        Assert.Null(ex.Field);
        Assert.Contains("not valid JSON", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_SameItemTwice_FailsOnTheSecondLineNamingTheFirst()
    {
        var ex = await Assert.ThrowsAsync<AiLabelFormatException>(() => ReadAsync("""
            {"item": "p1", "choice": "A", "model": "m"}
            {"item": "p2", "choice": "B", "model": "m"}
            {"item": "p1", "choice": "B", "model": "m"}
            """));

        Assert.Equal((3L, "item"), (ex.LineNumber, ex.Field));
        Assert.Contains("first on line 1", ex.Message, StringComparison.Ordinal);
    }
}
