using Microsoft.AspNetCore.Identity;

namespace Portal.App.Data;

/// <summary>A row that belongs to one organisation. The global query filter and the save guard key on it.</summary>
public interface ITenantOwned
{
    Guid TenantId { get; set; }
}

/// <summary>A person who signs in. Organisation roles live on <see cref="Membership"/>, not here.</summary>
public sealed class PortalUser : IdentityUser<Guid>
{
    public string DisplayName { get; set; } = "";

    /// <summary>Platform admins create organisations; they see no tenant data by virtue of this flag alone.</summary>
    public bool IsPlatformAdmin { get; set; }

    public DateTime CreatedAt { get; set; }
}

/// <summary>A tenant. Its <see cref="Id"/> is the <c>TenantId</c> of everything it owns.</summary>
public sealed class Organisation
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string Name { get; set; } = "";
    public DateTime CreatedAt { get; set; }
}

[Flags]
public enum OrgRoles
{
    None = 0,
    OrgAdmin = 1,
    ProjectAdmin = 2,
    Annotator = 4,
    Client = 8,
}

public sealed class Membership : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid UserId { get; set; }
    public OrgRoles Roles { get; set; }
    public DateTime CreatedAt { get; set; }
    public PortalUser? User { get; set; }
}

/// <summary>A single-use invitation. Only the SHA-256 of its token is stored; the link is shown once.</summary>
public sealed class Invite : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public string TokenHash { get; set; } = "";
    public OrgRoles Roles { get; set; }
    public string? Note { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
    public Guid CreatedByUserId { get; set; }
    public DateTime? UsedAt { get; set; }
    public Guid? UsedByUserId { get; set; }
    public DateTime? RevokedAt { get; set; }
}

public enum ProjectKind
{
    Likert = 1,
    Pairwise = 2,
    LikertAndPairwise = 3,
}

public sealed class Project : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public string Name { get; set; } = "";
    public string Description { get; set; } = "";
    public ProjectKind Kind { get; set; }

    /// <summary>How many distinct annotators rate each item.</summary>
    public int Overlap { get; set; } = 1;

    public int LeaseMinutes { get; set; } = 30;

    /// <summary>Attributes, pairwise options and gold settings; stored as one JSON column.</summary>
    public ProjectSettings Settings { get; set; } = ProjectSettings.Default;

    public DateTime CreatedAt { get; set; }

    /// <summary>Set while an admin has paused the whole project: nobody gets a new task; leases already held may still be submitted.</summary>
    public DateTime? PausedAt { get; set; }

    /// <summary>
    /// Set while the project is archived: hidden from annotators and from the default project list, read-only for admins,
    /// its releases still downloadable. Archiving keeps everything; unarchiving clears this.
    /// </summary>
    public DateTime? ArchivedAt { get; set; }

    /// <summary>
    /// False (the default): every annotator of the organisation may work on the project. True: only those whose
    /// <see cref="ProjectAnnotator.Chosen"/> is set.
    /// </summary>
    public bool ChosenAnnotatorsOnly { get; set; }

    /// <summary>The prompt the LLM labeler asks first about an item without a category (<c>{{conversation}}</c>, <c>{{categories}}</c>); null: it does not ask.</summary>
    public string? CategoryPrompt { get; set; }
}

/// <summary>A prompt or conversation with one response (Likert) or two (pairwise).</summary>
public sealed class Item : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid ProjectId { get; set; }
    public string? ExternalId { get; set; }

    /// <summary>The conversation before the response(s), as JSON: <c>[{"role":"user","content":"…"}, …]</c>.</summary>
    public string ConversationJson { get; set; } = "[]";

    public string ResponseA { get; set; } = "";
    public string? ResponseB { get; set; }

    /// <summary>
    /// Response A's turns as JSON (<c>[{"role","content"}, …]</c>) when it has several: a pair whose two sides parted before
    /// their last turn, split as TRL's <c>extract_prompt</c> does. <see cref="ResponseA"/> then holds the same turns as one text.
    /// </summary>
    public string? ResponseTurnsAJson { get; set; }

    /// <summary>Response B's turns as JSON when it has several (see <see cref="ResponseTurnsAJson"/>).</summary>
    public string? ResponseTurnsBJson { get; set; }

    /// <summary>The imported line's <c>metadata</c> object, as JSON.</summary>
    public string? MetadataJson { get; set; }

    /// <summary>Higher goes first. Targeted selection pushes items to the front by raising it.</summary>
    public int Priority { get; set; }

    /// <summary>
    /// Live leases plus submitted annotations of this item. The assignment engine raises it only with a conditional
    /// update (<c>Claimed &lt; Overlap</c>), so an item never collects more than its project's overlap. Gold items do not count.
    /// </summary>
    public int Claimed { get; set; }

    /// <summary>A gold item is mixed into annotators' streams to measure them; it looks like any other item to them.</summary>
    public bool IsGold { get; set; }

    /// <summary>Human ratings this item needs, when not the project's overlap: the targeted-feedback loop sets 0 for AI-labelled
    /// items no round selected, and the round's overlap for those it did.</summary>
    public int? Overlap { get; set; }

    /// <summary>The item's category (math, coding, …): imported with it, set by an admin or by the LLM labeler; its project's route for it
    /// decides whether AI labels, AI labels after a correctness check, or only humans label it. Null: uncategorised.</summary>
    public string? Category { get; set; }

    /// <summary>The expected answer of a gold item; null otherwise.</summary>
    public GoldAnswer? Gold { get; set; }

    public DateTime CreatedAt { get; set; }
}

public enum AssignmentStatus
{
    Leased = 1,
    Submitted = 2,
    Expired = 3,
    Skipped = 4,
}

/// <summary>What an annotator can flag about an item's content, on a submit or a skip.</summary>
[Flags]
public enum ContentFlags
{
    None = 0,
    Unsafe = 1,
    Broken = 2,
    WrongLanguage = 4,
}

/// <summary>An item leased to one annotator until <see cref="LeaseExpiresAt"/>.</summary>
public sealed class Assignment : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid ProjectId { get; set; }
    public Guid ItemId { get; set; }
    public Guid AnnotatorId { get; set; }
    public AssignmentStatus Status { get; set; } = AssignmentStatus.Leased;
    public DateTime LeasedAt { get; set; }
    public DateTime LeaseExpiresAt { get; set; }
    public DateTime? ClosedAt { get; set; }

    /// <summary>Pairwise: whether response A was shown on the left. Randomised per assignment and kept with the annotation.</summary>
    public bool LeftIsA { get; set; } = true;

    /// <summary>The annotator's unsaved answer, as the page last sent it; lets a reload or a dropped connection resume.</summary>
    public string? DraftJson { get; set; }

    public string? SkipReason { get; set; }

    public ContentFlags Flags { get; set; }

    /// <summary>
    /// Set on a self-consistency check: the annotation this re-shows, sides swapped. Such an assignment claims nothing
    /// against the overlap, and its annotation counts in no agreement or label, only in the annotator's self-consistency.
    /// </summary>
    public Guid? RepeatOf { get; set; }
}

/// <summary>
/// One annotator's answer to one item, made through one assignment (unique). Choices are in the item's terms
/// (A is <see cref="Item.ResponseA"/>), whichever side it was shown on.
/// </summary>
public sealed class Annotation : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid ProjectId { get; set; }
    public Guid ItemId { get; set; }

    /// <summary>The assignment this was made through; null for an external rater's label, which no task preceded.</summary>
    public Guid? AssignmentId { get; set; }

    /// <summary>The annotator's user id, or for an external rater its <see cref="ExternalRater.Id"/> (so per-rater counts need no join).</summary>
    public Guid AnnotatorId { get; set; }

    /// <summary>
    /// Set when the label came with an imported file: the <see cref="ExternalRater"/> who gave it. Such annotations count in
    /// agreement and aggregation but not towards an item's overlap, progress or any annotator's workload.
    /// </summary>
    public Guid? ExternalRaterId { get; set; }

    /// <summary>The client's key for this submit: a retry with the same key gets the stored annotation back.</summary>
    public string IdempotencyKey { get; set; } = "";

    /// <summary>Likert scores of response A by attribute key; null when the project rates no Likert attributes.</summary>
    public Dictionary<string, int>? Scores { get; set; }

    /// <summary>Likert scores of response B (projects that rate both responses and compare them).</summary>
    public Dictionary<string, int>? ScoresB { get; set; }

    public Core.Aggregation.PreferenceChoice? Choice { get; set; }

    /// <summary>How strongly <see cref="Choice"/> is preferred, 1 to the project's strength levels; null on plain A/B, ties and both bad.</summary>
    public int? Strength { get; set; }

    /// <summary>Per-attribute choices of pairwise projects that ask for them, by attribute key.</summary>
    public Dictionary<string, Core.Aggregation.PreferenceChoice>? AttributeChoices { get; set; }

    public string? Rationale { get; set; }
    public string? Comment { get; set; }

    /// <summary>Copied from the assignment: whether A was on the left when this was made.</summary>
    public bool LeftIsA { get; set; } = true;

    /// <summary>Milliseconds from the task being shown to the submit, as the page measured them.</summary>
    public int TimeOnTaskMs { get; set; }

    /// <summary>The guideline version the annotator worked under; null until the project has guidelines.</summary>
    public int? GuidelineVersion { get; set; }

    /// <summary>The project's attribute-set version the scores were given under (<see cref="AttributeSetVersion"/>); null reads as 1.</summary>
    public int? AttributeVersion { get; set; }

    /// <summary>For gold items: whether the answer matched the expected one. Null on other items.</summary>
    public bool? GoldCorrect { get; set; }

    /// <summary>Set on a self-consistency check's answer: the annotator's earlier annotation of the same item.</summary>
    public Guid? RepeatOf { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>When the annotator last revised this answer (the same row, replaced in place); null when never revised.</summary>
    public DateTime? RevisedAt { get; set; }

    /// <summary>How many times the annotator revised this answer; each revision keeps the answer it replaced in <see cref="AnnotationRevision"/>.</summary>
    public int Revisions { get; set; }
}

/// <summary>
/// The audit of one revision of an annotation: the answer as it was before, who revised it and when, and the revision's
/// idempotency key (a retried revision is stored once).
/// </summary>
public sealed class AnnotationRevision : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid ProjectId { get; set; }
    public Guid AnnotationId { get; set; }
    public Guid AnnotatorId { get; set; }
    public string IdempotencyKey { get; set; } = "";

    /// <summary>The replaced answer (choice, strength, scores, rationale, comment, time on task) as JSON.</summary>
    public string PreviousJson { get; set; } = "{}";

    public DateTime RevisedAt { get; set; }
}

/// <summary>An annotator's standing in one project: gold record and whether they are paused.</summary>
public sealed class ProjectAnnotator : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid ProjectId { get; set; }
    public Guid AnnotatorId { get; set; }

    /// <summary>Tasks leased to this annotator in this project, gold included; the gold rate is kept against it.</summary>
    public int TasksServed { get; set; }

    public int GoldServed { get; set; }

    /// <summary>Self-consistency checks leased to this annotator in this project.</summary>
    public int RepeatsServed { get; set; }

    public int GoldAnswered { get; set; }
    public int GoldCorrect { get; set; }

    /// <summary>Set when the annotator may not take tasks in this project; cleared when an admin reinstates them.</summary>
    public DateTime? PausedAt { get; set; }

    public string? PauseReason { get; set; }

    /// <summary>The admin who paused them, or null when the gold threshold did.</summary>
    public Guid? PausedByUserId { get; set; }

    /// <summary>Gold answers counted before this point are ignored for the automatic pause (set on reinstatement).</summary>
    public int GoldAnsweredAtReinstate { get; set; }

    public int GoldCorrectAtReinstate { get; set; }

    /// <summary>Chosen by an admin to work on a project that takes chosen annotators only (<see cref="Project.ChosenAnnotatorsOnly"/>).</summary>
    public bool Chosen { get; set; }

    public DateTime CreatedAt { get; set; }
}

/// <summary>Something a project admin should know, such as an annotator paused by the gold threshold.</summary>
public sealed class ProjectNotice : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid ProjectId { get; set; }
    public string Message { get; set; } = "";
    public Guid? AnnotatorId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? DismissedAt { get; set; }
}

public enum RunStatus
{
    Queued = 1,
    Running = 2,
    Succeeded = 3,
    Failed = 4,
}

/// <summary>One run of a background job, as the admin pages show it. <see cref="TenantId"/> is null for platform-wide runs.</summary>
public sealed class JobRun
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid? TenantId { get; set; }

    /// <summary>The project the run works on, so a project's pages show its runs only; null for organisation-wide work.</summary>
    public Guid? ProjectId { get; set; }

    public string JobName { get; set; } = "";
    public RunStatus Status { get; set; }
    public int Progress { get; set; }
    public string? Message { get; set; }
    public string? Error { get; set; }
    public string? Node { get; set; }
    public DateTime QueuedAt { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? EndedAt { get; set; }
    public Guid? RequestedByUserId { get; set; }
}

/// <summary>A personal API token. Belongs to a user, not to an organisation: it acts with the user's memberships.</summary>
public sealed class ApiToken
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid UserId { get; set; }
    public string Name { get; set; } = "";
    public string TokenHash { get; set; } = "";

    /// <summary>The token's first characters, to tell tokens apart in a list.</summary>
    public string DisplayPrefix { get; set; } = "";

    public DateTime CreatedAt { get; set; }
    public DateTime? ExpiresAt { get; set; }
    public DateTime? LastUsedAt { get; set; }
    public DateTime? RevokedAt { get; set; }

    /// <summary>
    /// Set on a feedback token: it may only post deployment feedback to this project of <see cref="FeedbackTenantId"/>, and is
    /// refused everywhere else (docs/deployment-feedback.md). Null on a personal token.
    /// </summary>
    public Guid? FeedbackProjectId { get; set; }

    public Guid? FeedbackTenantId { get; set; }
}

/// <summary>
/// The latest agreement and annotator-quality report of a project, as the recompute job left it, with the
/// annotations it saw (so the job can tell when there is something new).
/// </summary>
public sealed class ProjectMetrics : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid ProjectId { get; set; }
    public DateTime ComputedAt { get; set; }

    /// <summary>How many annotations the project had, and the newest one's time, when this was computed.</summary>
    public int AnnotationCount { get; set; }

    public DateTime? LastAnnotationAt { get; set; }

    /// <summary>The report (<c>Features.Quality.QualityReport</c>) as JSON.</summary>
    public string ReportJson { get; set; } = "{}";
}

/// <summary>An item's aggregated label: what its ratings add up to, and how that was reached.</summary>
public sealed class CuratedLabel : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid ProjectId { get; set; }
    public Guid ItemId { get; set; }

    /// <summary>majority, trust-weighted or dawid-skene for choices; mean or median for Likert scores.</summary>
    public string Method { get; set; } = "";

    public Core.Aggregation.PreferenceChoice? Choice { get; set; }

    /// <summary>The mean signed strength (−levels…+levels, negative favours A) of the annotations, when the project asks for strength.</summary>
    public double? Strength { get; set; }

    /// <summary>Votes per choice (A, B, tie, both bad), as JSON.</summary>
    public string? VotesJson { get; set; }

    /// <summary>The curated choice's share of the votes, weights or posterior.</summary>
    public double? Confidence { get; set; }

    /// <summary>Likert: per attribute the centre, mean, median and spread, as JSON.</summary>
    public string? ScoresJson { get; set; }

    public int Ratings { get; set; }

    /// <summary>Share of the item's annotations that agree with the curated label (choice), or within one point of it (Likert, all attributes).</summary>
    public double? Agreement { get; set; }

    public DateTime ComputedAt { get; set; }
}

/// <summary>
/// An AI labeler's preference on a pairwise item: the label the targeted-feedback loop starts from. Visible to project
/// admins, never to annotators. One per item; a later import or LLM call replaces it.
/// </summary>
public sealed class AiLabel : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid ProjectId { get; set; }
    public Guid ItemId { get; set; }

    /// <summary>A, B or tie (both bad is a human judgement the loop does not train on).</summary>
    public Core.Aggregation.PreferenceChoice Choice { get; set; }

    /// <summary>The labeler's confidence in <see cref="Choice"/>, 0…1, when it gave one.</summary>
    public double? Confidence { get; set; }

    /// <summary>The labeler model's name, as the file or the endpoint gave it.</summary>
    public string Model { get; set; } = "";

    public string? Rationale { get; set; }

    /// <summary>import (file, API, CLI) or llm (asked by the portal).</summary>
    public string Origin { get; set; } = "import";

    /// <summary>For labels the portal asked for: the version of the project's prompt template that asked.</summary>
    public int? PromptVersion { get; set; }

    /// <summary>The correctness check that came before the preference (items of an <c>ai-checked</c> category), as JSON; null when there was none.</summary>
    public string? CheckJson { get; set; }

    public DateTime CreatedAt { get; set; }
}
