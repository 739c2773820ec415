using Portal.Core.Aggregation;
using Portal.Core.AiLabels;

namespace Portal.Core.Tests.AiLabels;

public class CorrectnessCheckTests
{
    [Theory]
    [InlineData("""{"a_correct": false, "b_correct": true}""", PreferenceChoice.A, PreferenceChoice.B, true)]
    [InlineData("""Sure. {"a_correct": "yes", "b_correct": "wrong"}""", PreferenceChoice.B, PreferenceChoice.A, true)]
    [InlineData("""{"a_correct": true, "b_correct": true}""", PreferenceChoice.B, PreferenceChoice.B, false)]
    [InlineData("""{"a_correct": false, "b_correct": false}""", PreferenceChoice.A, PreferenceChoice.A, false)]
    [InlineData("""{"a_correct": false}""", PreferenceChoice.A, PreferenceChoice.A, false)]
    [InlineData("No idea.", PreferenceChoice.Tie, PreferenceChoice.Tie, false)]
    public void Decide_ExactlyOneRight_WinsWhateverThePreference(string answer, PreferenceChoice preference, PreferenceChoice expected, bool byCheck)
    {
        var verdict = CorrectnessCheck.Parse(answer, hasReference: true);

        Assert.Equal((expected, byCheck), CorrectnessCheck.Decide(verdict, preference));
    }

    [Fact]
    public void Render_WithAndWithoutReference_AsksAgainstItOrToSolveFirst_AndFillsEachPlaceholderOnce()
    {
        var withRef = CorrectnessCheck.Render("user: 6×7?", "It is {{reference}}", "42", "42");
        var self = CorrectnessCheck.Render("user: 6×7?", "41", "42", null);

        Assert.Contains("Reference answer:\n42", withRef, StringComparison.Ordinal);
        Assert.Contains("Response A:\nIt is {{reference}}", withRef, StringComparison.Ordinal);
        Assert.Contains("First solve the problem", self, StringComparison.Ordinal);
        Assert.DoesNotContain("{{", self, StringComparison.Ordinal);
        Assert.Equal("self", CorrectnessCheck.Parse("""{"solution": "42", "a_correct": false, "b_correct": true}""", false).Reference);
    }

    [Theory]
    [InlineData("""{"category": "Math"}""", "math")]
    [InlineData("coding.\nBecause it asks for code.", "coding")]
    [InlineData("\"Chat\"", "chat")]
    [InlineData("poetry", null)]
    public void CategoryParse_MatchesAKnownCategoryIgnoringCase(string answer, string? expected) =>
        Assert.Equal(expected, CategoryPrompt.Parse(answer, ["math", "coding", "chat"]));

    [Fact]
    public void CategoryRender_FillsTheListButNotInsideTheConversation()
    {
        var prompt = CategoryPrompt.Render("Of {{categories}}: {{conversation}} ({{categories}})", "user: say {{categories}}", ["math", "chat"]);

        Assert.Equal("Of math, chat: user: say {{categories}} (math, chat)", prompt);
    }
}
