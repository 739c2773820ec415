using Portal.App.Data;
using Portal.Core.Pairs;
using Portal.Web.Features.Annotate;

namespace Portal.Web.Components.Tests.Features.Annotate;

/// <summary>The task's texts rendered once for the page, and the task it keeps without them.</summary>
public class TaskContentTests : PortalComponentTest
{
    [Fact]
    public void Render_PairWithScriptAndTurns_KeepsSafeHtmlOfEveryText()
    {
        var task = TaskSamples.Task(ProjectKind.Pairwise) with
        {
            Left = "**A** <script>alert(1)</script>",
            RightTurns = [new Turn("user", "And then?"), new Turn("assistant", "*Then* this.")],
        };

        var content = TaskContent.Render(task);

        Assert.Equal("What is 2 + 2?", Assert.Single(content.Conversation).Html.Value.Replace("<p>", "", StringComparison.Ordinal)
            .Replace("</p>", "", StringComparison.Ordinal).Trim());
        Assert.Contains("<strong>A</strong>", content.Left.Value, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", content.Left.Value, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Five.", content.Right!.Value.Value, StringComparison.Ordinal);
        Assert.Null(content.LeftTurns);
        Assert.Equal(["user", "assistant"], content.RightTurns!.Select(t => t.Role));
        Assert.Contains("<em>Then</em>", content.RightTurns![1].Html.Value, StringComparison.Ordinal);
    }

    [Fact]
    public void Strip_Task_DropsTextsAndDraftButKeepsWhatSubmittingNeeds()
    {
        var task = TaskSamples.Task(ProjectKind.Pairwise) with { DraftJson = """{"comment":"x"}""", LeftTurns = [new Turn("user", "a")] };

        var stripped = TaskContent.Strip(task);

        Assert.Empty(stripped.Conversation);
        Assert.Equal("", stripped.Left);
        Assert.Equal("", stripped.Right);
        Assert.Null(stripped.DraftJson);
        Assert.Null(stripped.LeftTurns);
        Assert.Equal((task.AssignmentId, task.Kind, task.Attributes, task.Pairwise, task.LeaseExpiresAt),
            (stripped.AssignmentId, stripped.Kind, stripped.Attributes, stripped.Pairwise, stripped.LeaseExpiresAt));
        Assert.Null(TaskContent.Strip(TaskSamples.Task(ProjectKind.Likert)).Right);
    }

    [Fact]
    public void ConversationView_GivenRenderedTurns_ShowsTheirSafeHtmlAsItIs()
    {
        var content = TaskContent.Render(TaskSamples.Task(ProjectKind.Likert) with { Left = "# Title\n\n<img src=x onerror=alert(1)>" });

        var view = Render<ConversationView>(p => p.Add(v => v.Rendered, new[] { new RenderedTurn("assistant", content.Left) }).Add(v => v.TestId, "response"));

        Assert.NotNull(view.Find("[data-testid=response] .chat-bubble .portal-markdown h1"));
        Assert.Empty(view.FindAll("[data-testid=response] img[onerror]"));
        Assert.Empty(view.FindComponents<MarkdownView>());
    }
}
