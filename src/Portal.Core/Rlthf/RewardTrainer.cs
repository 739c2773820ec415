using Portal.Core.Pairs;

namespace Portal.Core.Rlthf;

/// <summary>A pair to train on, with the label to learn (not necessarily the file's) and its weight in the loss.</summary>
public sealed record TrainingPair(PreferencePair Pair, Preference Label, float Weight = 1f);

/// <summary>Knobs every trainer receives; a trainer without the knob ignores it.</summary>
public sealed record TrainOptions
{
    /// <summary>L2 penalty λ on the weights, added to the weighted mean loss as λ/2·‖w‖².</summary>
    public double L2 { get; init; } = 1e-3;

    /// <summary>Optimiser iterations (L-BFGS steps for the built-in trainer, epochs for others).</summary>
    public int MaxIterations { get; init; } = 150;

    /// <summary>For anything random inside the trainer.</summary>
    public int Seed { get; init; } = 1;
}

/// <summary>Trains a reward model on labelled pairs. The built-in <see cref="LinearRewardTrainer"/> runs on the CPU; <see cref="ExternalProcessTrainer"/> hands the work to a command (a GPU trainer).</summary>
public interface IRewardTrainer
{
    Task<TrainedRewardModel> TrainAsync(IReadOnlyList<TrainingPair> pairs, TrainOptions options, IProgress<double>? progress, CancellationToken cancellationToken);
}

/// <summary>Scores pairs: the margin r(A) − r(B) of each, positive when the model prefers A.</summary>
public interface IPairScorer
{
    Task<float[]> ScoreAsync(IReadOnlyList<PreferencePair> pairs, CancellationToken cancellationToken = default);
}

/// <summary>Provenance of a trained model, stored in its artifact's metadata.</summary>
public sealed record RewardModelProvenance(string? Trainer, TrainingComposition? Training, double? OutOfFoldAccuracy);

/// <summary>What a trainer returns: a scorer that can say how well it agrees with labels, and be saved.</summary>
public abstract class TrainedRewardModel : IPairScorer
{
    /// <summary>What the caller knows about the model beyond its parameters (trainer, training set, out-of-fold accuracy); <see cref="SaveAsync"/> writes it into the artifact's metadata.</summary>
    public RewardModelProvenance? Provenance { get; set; }

    public abstract Task<float[]> ScoreAsync(IReadOnlyList<PreferencePair> pairs, CancellationToken cancellationToken = default);

    /// <summary>Writes a versioned artifact that <see cref="RewardModelArtifact.LoadAsync"/> reads back.</summary>
    /// <exception cref="NotSupportedException">The model lives outside this process (an external trainer's).</exception>
    public abstract Task SaveAsync(Stream stream, CancellationToken cancellationToken = default);

    /// <summary>
    /// Share of <paramref name="labelled"/> pairs whose margin has the sign of their <see cref="PreferencePair.Label"/>; a margin of
    /// exactly 0 counts one half. Returns NaN for an empty list.
    /// </summary>
    /// <exception cref="ArgumentException">A pair has no label.</exception>
    public async Task<double> AccuracyAsync(IReadOnlyList<PreferencePair> labelled, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(labelled);
        var labels = new Preference[labelled.Count];
        for (var i = 0; i < labels.Length; i++)
        {
            labels[i] = labelled[i].Label ?? throw new ArgumentException($"Pair {i} has no label; accuracy needs labelled pairs.", nameof(labelled));
        }
        if (labels.Length == 0)
        {
            return double.NaN;
        }
        var margins = await ScoreAsync(labelled, cancellationToken);
        return Accuracy(margins, labels);
    }

    /// <summary>Share of margins whose sign agrees with the label (0 counts one half).</summary>
    public static double Accuracy(ReadOnlySpan<float> margins, ReadOnlySpan<Preference> labels)
    {
        Common.Guard.SameLength(margins.Length, labels.Length, nameof(margins), nameof(labels));
        var score = 0.0;
        for (var i = 0; i < margins.Length; i++)
        {
            var m = margins[i] * labels[i].Sign();
            score += m > 0 ? 1 : m == 0 ? 0.5 : 0;
        }
        return margins.Length == 0 ? double.NaN : score / margins.Length;
    }
}
