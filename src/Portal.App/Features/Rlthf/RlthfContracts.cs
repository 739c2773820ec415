using Portal.App.Data;
using Portal.Core.Aggregation;

namespace Portal.App.Features.Rlthf;

/// <summary>What an admin asks for when starting a round. Null knobs take the defaults (or the previous round's).</summary>
/// <param name="Budget">Items for humans: a number ("50") or a share of the loop's pairs ("7%").</param>
/// <param name="Strategy">rlthf (default), random or uncertainty.</param>
/// <param name="Overlap">Human ratings per selected item, 1 by default.</param>
/// <param name="AutoRounds">Rounds to run in all, this one included: when one completes the next starts by itself. Null or 1 runs this one only.</param>
public sealed record StartRoundInput(
    string Budget,
    string? Strategy = null,
    int? Overlap = null,
    double? AmplificationRatio = null,
    double? BackOffRatio = null,
    bool AutoFlip = false,
    int? AutoRounds = null);

/// <summary>A point of the sorted-margin curve: rank 0 is the pair the reward model most disagrees with.</summary>
public sealed record CurvePointView(int Rank, float Margin);

/// <summary>A round as the round page and the API show it.</summary>
/// <param name="Precision">Overturned / answered: the share of the pairs sent to humans whose AI label was wrong.</param>
/// <param name="HumanShare">Pairs with a human label (before the round plus those answered in it) over the loop's pairs.</param>
public sealed record RoundView(
    Guid Id,
    int Number,
    RoundStatus Status,
    string Strategy,
    string BudgetRequested,
    int Budget,
    int Overlap,
    double AmplificationRatio,
    double BackOffRatio,
    bool AutoFlip,
    int? AutoUntilRound,
    DateTime CreatedAt,
    DateTime? PlannedAt,
    DateTime? CompletedAt,
    string? Error,
    Guid? JobRunId,
    int JobProgress,
    string? JobMessage,
    int Pairs,
    int Candidates,
    int HumanLabelsBefore,
    int Selected,
    int AutoFlipped,
    int KeptForTraining,
    int Answered,
    int Overturned,
    double? Precision,
    double? RewardModelAccuracy,
    double? HumanShare,
    int Knee,
    int Elbow,
    int Mirror,
    int ZeroCrossing,
    IReadOnlyList<CurvePointView> Curve,
    RewardModelView? Model);

public sealed record RewardModelView(int Version, string Trainer, int TrainingPairs, int AiPairs, int HumanPairs, int AutoFlipPairs,
    double? AccuracyOnHuman, int HumanPairsEvaluated, long ArtifactBytes);

/// <summary>An item a round sent to humans.</summary>
public sealed record RoundItemView(Guid ItemId, string? ExternalId, int Rank, float Margin, PreferenceChoice Label, PreferenceChoice? HumanChoice);

/// <summary>The loop's state for the round page: rounds newest first, and whether a new one can start.</summary>
/// <param name="CanStart">Null when a round can start; otherwise why not.</param>
public sealed record LoopView(int Pairs, int AiLabels, int HumanLabels, string? CanStart, IReadOnlyList<RoundView> Rounds);
