using Microsoft.AspNetCore.Components;

namespace Portal.Web.Features.Annotate;

/// <summary>
/// The problems of one section of the task form, where the annotator looks: under the field. Markup, not a component:
/// the task page shows several sections, and a component each would be live state in every open circuit (see MudMarkup).
/// </summary>
internal static class TaskFieldErrors
{
    /// <summary>One alert per problem of <paramref name="section"/> (as <see cref="TaskSections.Of"/> names it).</summary>
    public static RenderFragment For(IReadOnlyList<TaskProblem> problems, string section) => builder =>
    {
        foreach (var problem in problems)
        {
            if (TaskSections.Of(problem.Field) != section)
            {
                continue;
            }

            builder.OpenElement(0, "div");
            builder.AddAttribute(1, "class", "task-field-error mud-error-text");
            builder.AddAttribute(2, "role", "alert");
            builder.AddAttribute(3, "data-testid", "error-" + section);
            builder.AddContent(4, problem.Message);
            builder.CloseElement();
        }
    };
}
