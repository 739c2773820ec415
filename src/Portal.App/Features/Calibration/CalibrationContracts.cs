using Portal.App.Data;
using Portal.Core.Aggregation;
using Portal.Core.Pairs;

namespace Portal.App.Features.Calibration;

/// <summary>What an admin gives to open a round: a title, the items in the order shown, and optional explanations by item.</summary>
public sealed record OpenCalibrationInput(string? Title, IReadOnlyList<Guid>? ItemIds, IReadOnlyDictionary<Guid, string>? Explanations = null);

/// <summary>A participant's answer: a choice (pairwise projects) and/or scores of response A by attribute key (Likert projects), and why.</summary>
public sealed record CalibrationAnswerInput(PreferenceChoice? Choice = null, IReadOnlyDictionary<string, int>? Scores = null, string? Rationale = null);

/// <summary>An item the admin can put in a new round, as the picker lists it.</summary>
public sealed record CalibrationItemChoice(Guid Id, string? ExternalId, string Prompt, bool IsGold);

/// <summary>One page of a paged list and how many rows match in all.</summary>
public sealed record CalibrationPage<T>(IReadOnlyList<T> Rows, int Total);

/// <summary>One participant's answer in a round's list of every answer (paged in the database).</summary>
public sealed record CalibrationAnswerRow(Guid ItemId, int Position, string? ExternalId, string Annotator, PreferenceChoice? Choice,
    IReadOnlyDictionary<string, int>? Scores, string? Rationale, DateTime UpdatedAt);

/// <summary>A round as lists show it.</summary>
public sealed record CalibrationRoundView(
    int Number,
    string Title,
    CalibrationStatus Status,
    int? GuidelineVersion,
    DateTime OpenedAt,
    string OpenedBy,
    DateTime? ClosedAt,
    int Items,
    int Participants,
    int Answers);

/// <summary>An annotator's own round in their list: how far they are, and whether the feedback is there to read.</summary>
public sealed record MyCalibrationRound(Guid ProjectId, string ProjectName, int Number, string Title, CalibrationStatus Status, int Items, int Answered,
    DateTime OpenedAt, DateTime? ClosedAt);

/// <summary>One participant's answer as the admin sees it, and where it left the consensus ("choice", attribute keys).</summary>
public sealed record CalibrationAnswerView(Guid AnnotatorId, string Annotator, PreferenceChoice? Choice, IReadOnlyDictionary<string, int>? Scores,
    string? Rationale, IReadOnlyList<string> DifferedOn, DateTime UpdatedAt);

/// <summary>How the group scored one attribute of an item.</summary>
public sealed record CalibrationScoreView(string Key, string Name, double Median, double MeanDistance, IReadOnlyDictionary<int, int> Counts);

/// <summary>
/// One item of the round for the admin: the group's answers, the consensus, how many answered away from it, the
/// explanation and whether it is gold. <see cref="Disagreement"/> is the share of answers that differed, and
/// <see cref="ChoiceAgreement"/> the share of choices that named the most chosen one; both null without answers.
/// </summary>
public sealed record CalibrationItemReport(
    Guid ItemId,
    string? ExternalId,
    int Position,
    string Prompt,
    string Explanation,
    bool IsGold,
    DateTime? PromotedAt,
    int Answers,
    IReadOnlyDictionary<PreferenceChoice, int> Choices,
    PreferenceChoice? Consensus,
    bool Split,
    double? ChoiceAgreement,
    IReadOnlyList<CalibrationScoreView> Scores,
    int Differed,
    double? Disagreement,
    IReadOnlyList<CalibrationAnswerView> AnswerList);

/// <summary>One participant over the round: items answered, items compared with a consensus, and on how many they differed (shares null when nothing was compared).</summary>
public sealed record CalibrationAnnotatorReport(Guid AnnotatorId, string Name, int Answered, int Compared, int Differed, double? DifferedShare,
    double? MeanScoreDistance);

/// <summary>
/// The admin's view of a round. <see cref="Alpha"/> is Krippendorff's α: nominal over the choices of a pairwise project,
/// ordinal over the scores of a Likert one; null when it is undefined (no item with two answers, or no variation at all).
/// </summary>
public sealed record CalibrationReport(CalibrationRoundView Round, ProjectKind Kind, IReadOnlyList<CalibrationItemReport> Items,
    IReadOnlyList<CalibrationAnnotatorReport> Annotators, double? Alpha);

/// <summary>The group's answer to an item, as a participant sees it once the round is closed: counts only, no names.</summary>
public sealed record CalibrationItemFeedback(
    int Answers,
    IReadOnlyDictionary<PreferenceChoice, int> Choices,
    PreferenceChoice? Consensus,
    bool Split,
    IReadOnlyList<CalibrationScoreView> Scores,
    IReadOnlyList<string> DifferedOn,
    string Explanation,
    IReadOnlyList<string> Rationales);

/// <summary>A participant's own answer.</summary>
public sealed record MyCalibrationAnswer(PreferenceChoice? Choice, IReadOnlyDictionary<string, int>? Scores, string? Rationale, DateTime UpdatedAt);

/// <summary>An item of the sheet; <see cref="Feedback"/> is null while the round is open.</summary>
public sealed record CalibrationSheetItem(Guid ItemId, int Position, IReadOnlyList<Turn> Conversation, string ResponseA, string? ResponseB,
    MyCalibrationAnswer? Mine, CalibrationItemFeedback? Feedback);

/// <summary>The round as a participant sees it: the items to rate while open, the feedback once closed.</summary>
public sealed record CalibrationSheet(
    CalibrationRoundView Round,
    string ProjectName,
    ProjectKind Kind,
    PairwiseOptions Pairwise,
    IReadOnlyList<AttributeDefinition> Attributes,
    IReadOnlyList<CalibrationSheetItem> Items,
    int Answered,
    int Differed);

/// <summary>The round is not in a state for this: answering a closed round, closing it twice. Answered with 409 and the message.</summary>
public sealed class CalibrationConflictException(string message) : Exception(message);
