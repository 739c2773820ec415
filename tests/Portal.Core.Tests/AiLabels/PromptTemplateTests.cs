using Portal.Core.AiLabels;

namespace Portal.Core.Tests.AiLabels;

public class PromptTemplateTests
{
    [Fact]
    public void Render_FillsEachPlaceholderOnce_EvenWhenAResponseContainsAPlaceholder()
    {
        var prompt = PromptTemplate.Render("C={{conversation}}|A={{response_a}}|B={{response_b}}",
            [("user", "Hi"), ("assistant", "Hello"), ("user", "Why?")], "see {{response_b}}", "because");

        Assert.Equal("C=user: Hi\n\nassistant: Hello\n\nuser: Why?|A=see {{response_b}}|B=because", prompt);
    }

    [Fact]
    public void Problem_MissingPlaceholder_SaysWhich()
    {
        Assert.Null(PromptTemplate.Problem(PromptTemplate.Default));
        Assert.Contains("{{response_b}}", PromptTemplate.Problem("{{conversation}} {{response_a}}"), StringComparison.Ordinal);
        Assert.NotNull(PromptTemplate.Problem("  "));
    }
}
