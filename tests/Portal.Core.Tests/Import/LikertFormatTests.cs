using System.Text.Json;
using Portal.Core.Import;

namespace Portal.Core.Tests.Import;

/// <summary>Likert files in the exact shape of public datasets: HelpSteer2 and OpenAI chat fine-tuning lines.</summary>
public class LikertFormatTests
{
    private static List<ImportedItem> Read(params string[] lines) =>
        [.. ItemFileReader.Read(new StringReader(string.Join("\n", lines)), ItemShape.Likert, csv: false)];

    // nvidia/HelpSteer2: prompt, response and five attributes as integers 0-4.
    private const string HelpSteer2 =
        """{"prompt":"c#","response":"C# is a high-level, object-oriented programming language developed by Microsoft.","helpfulness":3,"correctness":4,"coherence":4,"complexity":2,"verbosity":1}""";

    [Fact]
    public void Read_HelpSteer2_KeepsTheFiveAttributesAsMetadata()
    {
        var item = Assert.Single(Read(HelpSteer2));

        Assert.Equal("c#", item.Conversation.Single().Content);
        Assert.StartsWith("C# is", item.ResponseA, StringComparison.Ordinal);
        using var metadata = JsonDocument.Parse(item.MetadataJson!);
        Assert.Equal([3, 4, 4, 2, 1], ItemFileReader.HelpSteerAttributes.Select(a => metadata.RootElement.GetProperty(a).GetInt32()));
        Assert.Equal([3, 4, 4, 2, 1], ItemFileReader.HelpSteerAttributes.Select(a => item.FileScores![a]));
    }

    [Theory]
    [InlineData("\"verbosity\":1", "\"verbosity\":5", "verbosity")]
    [InlineData("\"helpfulness\":3", "\"helpfulness\":\"3\"", "helpfulness")]
    [InlineData(",\"coherence\":4", "", "coherence")]
    public void Read_HelpSteer2BadAttribute_NamesTheLineAndAttribute(string from, string to, string field)
    {
        var ex = Assert.Throws<ItemFormatException>(() => Read(HelpSteer2, HelpSteer2.Replace(from, to, StringComparison.Ordinal)));

        Assert.Equal(2, ex.LineNumber);
        Assert.Equal(field, ex.Field);
        Assert.Contains("0 to 4", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_OpenAiChatMessages_LastAssistantMessageIsTheResponse()
    {
        var item = Assert.Single(Read("""
            {"messages":[{"role":"system","content":"Marv is a sarcastic chatbot."},{"role":"user","content":"What's the capital of France?"},{"role":"assistant","content":"Paris, as if everyone doesn't know that already."}]}
            """));

        Assert.Equal(["system", "user"], item.Conversation.Select(t => t.Role));
        Assert.Equal("Paris, as if everyone doesn't know that already.", item.ResponseA);
        Assert.Null(item.MetadataJson);
    }

    [Theory]
    [InlineData("""{"messages":[{"role":"user","content":"Hi"}]}""", "messages", "must end in the assistant's message")]
    [InlineData("""{"messages":[{"role":"user","content":"Hi"},{"role":"assistant"}]}""", "messages[1]", "string content")]
    [InlineData("""{"messages":"Hi"}""", "messages", "must be a list")]
    public void Read_BadChatMessages_NamesTheField(string line, string field, string problem)
    {
        var ex = Assert.Throws<ItemFormatException>(() => Read(line));

        Assert.Equal(field, ex.Field);
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_UnknownLikertShape_NamesTheShapesItKnows()
    {
        var ex = Assert.Throws<ItemFormatException>(() => Read("""{"prompt":"q","answer":"a"}"""));

        Assert.Contains("HelpSteer2", ex.Message, StringComparison.Ordinal);
        Assert.Contains("OpenAI chat", ex.Message, StringComparison.Ordinal);
    }
}
