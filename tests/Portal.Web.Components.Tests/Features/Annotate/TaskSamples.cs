using Portal.App.Data;
using Portal.App.Features.Annotations;
using Portal.Core.Pairs;
using Portal.Web.Features.Annotate;

namespace Portal.Web.Components.Tests.Features.Annotate;

/// <summary>Tasks as the engine hands them to the page, for the components that only show one.</summary>
internal static class TaskSamples
{
    public static readonly AttributeDefinition Helpfulness = new("helpfulness", "Helpfulness", "Does what was asked.", 1, 5, "Useless", "Very useful");
    public static readonly AttributeDefinition Accuracy = new("accuracy", "Accuracy", "No false statements.", 1, 5);

    public static TaskView Task(ProjectKind kind, PairwiseOptions? options = null, params AttributeDefinition[] attributes) => new(
        Guid.NewGuid(), Guid.NewGuid(), "Sample project", kind, [new Turn("user", "What is 2 + 2?")], "Four.", kind == ProjectKind.Likert ? null : "Five.",
        attributes.Length == 0 ? [Helpfulness, Accuracy] : attributes, options ?? new PairwiseOptions(), DateTime.UtcNow.AddMinutes(30), null);

    public static TaskForm Form(ProjectKind kind, PairwiseOptions? options = null, params AttributeDefinition[] attributes) =>
        new(Task(kind, options, attributes), TaskDraft.Start(DateTime.UtcNow));
}
