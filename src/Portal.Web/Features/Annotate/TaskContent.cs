using Microsoft.AspNetCore.Components;
using Portal.App.Features.Annotations;
using Portal.Core.Pairs;
using Portal.Core.Text;

namespace Portal.Web.Features.Annotate;

/// <summary>A turn of a conversation as the page shows it: its role and its text rendered by <see cref="SafeMarkdown"/>.</summary>
public sealed record RenderedTurn(string Role, MarkupString Html);

/// <summary>
/// A task's texts rendered once, when the task arrives. The page keeps this safe HTML and a copy of the task without its
/// texts (<see cref="Strip"/>): an open task page then holds each text once, as the HTML the browser has, instead of the
/// source text, its HTML and the stored draft side by side for as long as the annotator looks at it.
/// </summary>
public sealed class TaskContent
{
    private TaskContent(IReadOnlyList<RenderedTurn> conversation, MarkupString left, MarkupString? right,
        IReadOnlyList<RenderedTurn>? leftTurns, IReadOnlyList<RenderedTurn>? rightTurns)
    {
        Conversation = conversation;
        Left = left;
        Right = right;
        LeftTurns = leftTurns;
        RightTurns = rightTurns;
    }

    public IReadOnlyList<RenderedTurn> Conversation { get; }

    /// <summary>The Likert response, or pairwise response A as shown on the left.</summary>
    public MarkupString Left { get; }

    public MarkupString? Right { get; }

    /// <summary>The left response's turns when it has several; null when it is one.</summary>
    public IReadOnlyList<RenderedTurn>? LeftTurns { get; }

    public IReadOnlyList<RenderedTurn>? RightTurns { get; }

    public static TaskContent Render(TaskView task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return new TaskContent(
            Turns(task.Conversation),
            Html(task.Left),
            task.Right is null ? null : Html(task.Right),
            task.LeftTurns is null ? null : Turns(task.LeftTurns),
            task.RightTurns is null ? null : Turns(task.RightTurns));
    }

    /// <summary>
    /// The task without what <see cref="Render"/> took from it (texts, turns) or the form has read (the stored draft):
    /// what submitting, the draft saver and the keyboard need.
    /// </summary>
    public static TaskView Strip(TaskView task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return task with
        {
            Conversation = [],
            Left = "",
            Right = task.Right is null ? null : "",
            DraftJson = null,
            LeftTurns = null,
            RightTurns = null,
        };
    }

    private static MarkupString Html(string text) => new(SafeMarkdown.ToHtml(text));

    private static RenderedTurn[] Turns(IReadOnlyList<Turn> turns) => [.. turns.Select(t => new RenderedTurn(t.Role, Html(t.Content)))];
}
