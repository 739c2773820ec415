using Portal.Core.Aggregation;
using Portal.Core.AiLabels;

namespace Portal.Core.Tests.AiLabels;

public class LlmAnswerTests
{
    [Theory]
    [InlineData("""{"choice": "A", "confidence": 0.9, "rationale": "A is right."}""", PreferenceChoice.A, 0.9, "A is right.")]
    [InlineData("Sure! Here is my verdict:\n```json\n{\"choice\": \"Response B\", \"confidence\": \"75%\", \"reason\": \"B is safer.\"}\n```", PreferenceChoice.B, 0.75, "B is safer.")]
    [InlineData("""{"Preference": "tie", "confidence": 60}""", PreferenceChoice.Tie, 0.6, null)]
    [InlineData("""{"choice": "b", "confidence": 7.5e-1,}""", PreferenceChoice.B, 0.75, null)]
    [InlineData("""{"choice": "A", "confidence": 250}""", PreferenceChoice.A, null, null)]
    public void TryParse_JsonAnswers_ReadLeniently(string content, PreferenceChoice choice, double? confidence, string? rationale)
    {
        Assert.True(LlmAnswer.TryParse(content, out var verdict, out var error), error);

        Assert.Equal(choice, verdict!.Choice);
        Assert.Equal(confidence, verdict.Confidence);
        Assert.Equal(rationale, verdict.Rationale);
    }

    [Fact]
    public void TryParse_PlainTextChoiceLine_ReadsChoiceAndConfidence()
    {
        Assert.True(LlmAnswer.TryParse("Both are fine, but\nChoice: B\nConfidence: 0.7\n", out var verdict, out _));

        Assert.Equal(PreferenceChoice.B, verdict!.Choice);
        Assert.Equal(0.7, verdict.Confidence);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("I cannot decide which is better.", "no JSON object")]
    [InlineData("""{"choice": "C"}""", "is not A, B or tie")]
    [InlineData("""{"verdict": "A"}""", "no \"choice\"")]
    [InlineData("""{"choice": 1}""", "is not A, B or tie")]
    public void TryParse_UnreadableAnswers_AreErrorsWithAReason(string content, string reason)
    {
        Assert.False(LlmAnswer.TryParse(content, out var verdict, out var error));

        Assert.Null(verdict);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }
}
