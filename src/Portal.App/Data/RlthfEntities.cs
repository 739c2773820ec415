namespace Portal.App.Data;

public enum RoundStatus
{
    /// <summary>The job retrains, scores and selects.</summary>
    Planning,

    /// <summary>The selected items are at the front of the queue; humans are answering.</summary>
    AwaitingHumans,

    /// <summary>Every selected item has its human ratings.</summary>
    Completed,

    /// <summary>The job failed; the error says why, and the round can be started again.</summary>
    Failed,
}

/// <summary>
/// One round of the targeted human feedback loop (RLTHF) on a pairwise project: its knobs, what the reward model said, what
/// went to humans and, once they answered, how often they overturned the AI label.
/// </summary>
public sealed class RlthfRound : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid ProjectId { get; set; }

    /// <summary>1, 2, … within the project.</summary>
    public int Number { get; set; }

    public RoundStatus Status { get; set; }

    /// <summary>rlthf, random or uncertainty.</summary>
    public string Strategy { get; set; } = "rlthf";

    /// <summary>The budget as the admin gave it: a number of items ("50") or a share of the loop's pairs ("7%").</summary>
    public string BudgetRequested { get; set; } = "";

    /// <summary>The budget in items, resolved when the round was planned.</summary>
    public int Budget { get; set; }

    /// <summary>Human ratings each selected item gets.</summary>
    public int Overlap { get; set; } = 1;

    public double AmplificationRatio { get; set; } = 2;
    public double BackOffRatio { get; set; } = 0.1;
    public bool AutoFlip { get; set; }

    /// <summary>When this round completes, start the next with the same knobs, until round <see cref="AutoUntilRound"/>.</summary>
    public int? AutoUntilRound { get; set; }

    public Guid? JobRunId { get; set; }
    public Guid? StartedByUserId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? PlannedAt { get; set; }
    public DateTime? CompletedAt { get; set; }
    public string? Error { get; set; }

    /// <summary>Pairs in the loop: pairwise items with an AI label (A or B) or a human label.</summary>
    public int Pairs { get; set; }

    /// <summary>Pairs whose label is still the AI's (or an automatic flip): the ones a round can select.</summary>
    public int Candidates { get; set; }

    /// <summary>Pairs with a human label when the round was planned.</summary>
    public int HumanLabelsBefore { get; set; }

    public int Selected { get; set; }
    public int AutoFlipped { get; set; }

    /// <summary>Pairs the next training set keeps at weight 1 (the sanitised AI labels).</summary>
    public int KeptForTraining { get; set; }

    public int Knee { get; set; }
    public int Elbow { get; set; }
    public int Mirror { get; set; }
    public int ZeroCrossing { get; set; }

    /// <summary>The sorted-margin curve (rank, margin), downsampled, as JSON.</summary>
    public string CurveJson { get; set; } = "[]";

    /// <summary>The reward model's out-of-fold accuracy on the pairs humans had labelled when the round was planned.</summary>
    public double? RewardModelAccuracy { get; set; }

    /// <summary>Selected items whose human label is in.</summary>
    public int Answered { get; set; }

    /// <summary>Answered items whose human label differs from the AI label: the targeting's hits.</summary>
    public int Overturned { get; set; }
}

/// <summary>What one round did with one candidate pair.</summary>
public enum RoundItemRole
{
    /// <summary>Sent to humans.</summary>
    Selected,

    /// <summary>Its AI label was flipped without a human.</summary>
    AutoFlipped,

    /// <summary>Kept in the next training set at weight 1.</summary>
    Kept,

    /// <summary>Left out of the next training set (between the knee and the back-off point, or not chosen).</summary>
    Excluded,
}

/// <summary>A candidate of a round: its margin, rank and role. The next round derives its training weights from these.</summary>
public sealed class RlthfRoundItem : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid RoundId { get; set; }
    public Guid ItemId { get; set; }

    /// <summary>Out-of-fold margin in favour of the pair's label at planning (negative: the reward model disagrees).</summary>
    public float Margin { get; set; }

    /// <summary>0 = most suspicious.</summary>
    public int Rank { get; set; }

    public RoundItemRole Role { get; set; }

    /// <summary>The label the pair carried at planning (A or B).</summary>
    public Core.Aggregation.PreferenceChoice Label { get; set; }

    /// <summary>For selected items, once answered: the human curated choice.</summary>
    public Core.Aggregation.PreferenceChoice? HumanChoice { get; set; }
}

/// <summary>A reward model trained in a round: a versioned artifact with its training-set composition.</summary>
public sealed class RewardModelVersion : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid ProjectId { get; set; }
    public Guid RoundId { get; set; }

    /// <summary>1, 2, … within the project.</summary>
    public int Version { get; set; }

    /// <summary>Which trainer made it (built-in linear Bradley–Terry, or the external command).</summary>
    public string Trainer { get; set; } = "";

    public int TrainingPairs { get; set; }
    public int AiPairs { get; set; }
    public int HumanPairs { get; set; }
    public int AutoFlipPairs { get; set; }

    /// <summary>Out-of-fold accuracy on the human-labelled pairs (see <see cref="RlthfRound.RewardModelAccuracy"/>).</summary>
    public double? AccuracyOnHuman { get; set; }

    public int HumanPairsEvaluated { get; set; }

    /// <summary>The model as <c>RewardModelArtifact</c> writes it; null when the trainer keeps its model outside the portal.</summary>
    public byte[]? Artifact { get; set; }

    public DateTime CreatedAt { get; set; }
}
