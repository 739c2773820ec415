using Portal.App.Data;
using Portal.Core.Pairs;

namespace Portal.App.Features.Annotations;

public enum NextTaskStatus
{
    /// <summary>A task is leased to the annotator (a new one, or the one they already held).</summary>
    Assigned,

    /// <summary>Nothing in the project still needs this annotator.</summary>
    NothingLeft,

    /// <summary>The annotator is paused in this project (gold accuracy, or an admin).</summary>
    Paused,

    /// <summary>A guideline version was published that the annotator has not acknowledged yet.</summary>
    NeedsAcknowledgement,

    /// <summary>The annotator must pass the project's qualification test first (new to it, or after a major guideline change).</summary>
    NeedsQualification,

    /// <summary>An admin paused the whole project: no new tasks until it is resumed (a task already held still comes back).</summary>
    ProjectPaused,

    /// <summary>The project takes chosen annotators only, and this annotator is not one of them.</summary>
    NotChosen,
}

public sealed record NextTaskResult(NextTaskStatus Status, TaskView? Task, string? Message);

/// <summary>
/// A task as the annotator's page and the API show it. Responses are in display order (left, right): the engine
/// randomises which response is on the left per assignment.
/// </summary>
/// <remarks>Carries nothing that tells a gold item from another (no external id, no gold flag).</remarks>
public sealed record TaskView(
    Guid AssignmentId,
    Guid ProjectId,
    string ProjectName,
    ProjectKind Kind,
    IReadOnlyList<Turn> Conversation,
    string Left,
    string? Right,
    IReadOnlyList<AttributeDefinition> Attributes,
    PairwiseOptions Pairwise,
    DateTime LeaseExpiresAt,
    string? DraftJson)
{
    /// <summary>The left response's turns when it has several (the file's two sides parted before their last turn); null when it is one.</summary>
    public IReadOnlyList<Turn>? LeftTurns { get; init; }

    /// <summary>The right response's turns when it has several; null when it is one.</summary>
    public IReadOnlyList<Turn>? RightTurns { get; init; }
}

/// <summary>A pairwise answer in display terms; the engine maps it to the item's A and B.</summary>
public enum ShownChoice
{
    Left,
    Right,
    Tie,
    BothBad,
}

/// <summary>
/// An annotator's answer. <see cref="Scores"/> rates the single response (Likert) or the left one (Likert and
/// pairwise); <see cref="ScoresRight"/> the right one. <see cref="IdempotencyKey"/> makes a retried submit harmless.
/// </summary>
public sealed record AnnotationInput(
    string IdempotencyKey,
    IReadOnlyDictionary<string, int>? Scores = null,
    IReadOnlyDictionary<string, int>? ScoresRight = null,
    ShownChoice? Choice = null,
    int? Strength = null,
    IReadOnlyDictionary<string, ShownChoice>? AttributeChoices = null,
    string? Rationale = null,
    string? Comment = null,
    ContentFlags Flags = ContentFlags.None,
    int TimeOnTaskMs = 0);

/// <summary>
/// After a gold item, when the project shows explanations: whether the answer matched, why the expected one is right,
/// and the expected answer in the annotator's own terms (A and B as they were shown, attribute names and scores).
/// </summary>
public sealed record GoldFeedback(bool Correct, string Explanation, string? Expected = null);

/// <summary>The stored annotation. <see cref="Replayed"/> is true when the same submit had already been stored.</summary>
public sealed record SubmitResult(Guid AnnotationId, bool Replayed, GoldFeedback? Feedback);

/// <summary>
/// A project as an annotator sees it in their list. <see cref="Available"/> and <see cref="DoneByMe"/> count the same
/// things: the project's ordinary items (gold items and self-consistency repeats are mixed in silently and counted by neither).
/// </summary>
/// <see cref="Paused"/>: this annotator is paused in the project; <see cref="ProjectPaused"/>: an admin paused the whole project.
public sealed record AnnotatorProject(Guid ProjectId, string Name, ProjectKind Kind, int Available, int DoneByMe, bool Paused, bool ProjectPaused = false);

/// <summary>
/// The annotator's last answer in a project, brought back to be changed: the task as it was shown (same sides), the
/// answer as stored, in display terms, and until when it can still be revised.
/// </summary>
public sealed record RevisableAnswer(Guid AnnotationId, TaskView Task, AnnotationInput Answer, DateTime RevisableUntil, int Revisions);

/// <summary>The stored revision. <see cref="Replayed"/> is true when the same revision (idempotency key) had already been stored.</summary>
public sealed record ReviseResult(Guid AnnotationId, bool Replayed, DateTime RevisedAt, int Revisions);

/// <summary>The task is gone for this annotator: not theirs, or no longer theirs to answer. Answered with 409 and the message.</summary>
public sealed class TaskConflictException(string message) : Exception(message);

/// <summary>No such task for this annotator in this organisation. Answered with 404.</summary>
public sealed class TaskNotFoundException() : Exception("There is no such task for you in this organisation.");
