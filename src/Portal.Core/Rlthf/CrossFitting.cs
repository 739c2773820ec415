using Portal.Core.Pairs;

namespace Portal.Core.Rlthf;

/// <summary>Out-of-fold margins: each pair is scored by a model that was not trained on it.</summary>
public static class CrossFitting
{
    /// <summary>
    /// Splits the pairs into <paramref name="folds"/> folds by a seeded shuffle; for each fold trains on the other folds' pairs
    /// that have a positive weight and scores the fold's pairs that need a margin.
    /// </summary>
    /// <param name="labels">The label each pair is trained with.</param>
    /// <param name="weights">Each pair's training weight; 0 leaves it out of every training set (it can still be scored).</param>
    /// <param name="needsMargin">Which pairs to score; null scores all.</param>
    /// <returns>r(A) − r(B) per pair; NaN where no margin was asked for.</returns>
    public static async Task<float[]> OutOfFoldMarginsAsync(
        IRewardTrainer trainer,
        IReadOnlyList<PreferencePair> pairs,
        IReadOnlyList<Preference> labels,
        IReadOnlyList<float> weights,
        IReadOnlyList<bool>? needsMargin,
        int folds,
        int seed,
        TrainOptions trainOptions,
        IProgress<double>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(trainOptions);
        Common.Guard.SameLength(pairs.Count, labels.Count, nameof(pairs), nameof(labels));
        Common.Guard.SameLength(pairs.Count, weights.Count, nameof(pairs), nameof(weights));
        if (needsMargin is not null)
        {
            Common.Guard.SameLength(pairs.Count, needsMargin.Count, nameof(pairs), nameof(needsMargin));
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(folds, 2);

        var fold = FoldOf(pairs.Count, folds, seed);
        var margins = new float[pairs.Count];
        Array.Fill(margins, float.NaN);
        for (var f = 0; f < folds; f++)
        {
            var train = new List<TrainingPair>();
            var score = new List<int>();
            for (var i = 0; i < pairs.Count; i++)
            {
                if (fold[i] != f)
                {
                    if (weights[i] > 0)
                    {
                        train.Add(new TrainingPair(pairs[i], labels[i], weights[i]));
                    }
                }
                else if (needsMargin is null || needsMargin[i])
                {
                    score.Add(i);
                }
            }
            if (score.Count == 0)
            {
                continue;
            }
            if (train.Count == 0)
            {
                throw new InvalidOperationException($"Fold {f + 1} of {folds} has nothing to train on: every other pair has weight 0.");
            }
            var done = (double)f / folds;
            var model = await trainer.TrainAsync(
                train,
                trainOptions with { Seed = trainOptions.Seed + f },
                progress is null ? null : new ScaledProgress(progress, done, 1.0 / folds),
                cancellationToken);
            var scored = await model.ScoreAsync([.. score.Select(i => pairs[i])], cancellationToken);
            if (scored.Length != score.Count)
            {
                throw new InvalidOperationException($"The model returned {scored.Length} margins for {score.Count} pairs.");
            }
            for (var k = 0; k < score.Count; k++)
            {
                margins[score[k]] = scored[k];
            }
            progress?.Report((f + 1.0) / folds);
        }
        return margins;
    }

    /// <summary>Fold of each pair: a seeded shuffle dealt round-robin, so fold sizes differ by at most one.</summary>
    public static int[] FoldOf(int count, int folds, int seed)
    {
        var order = new int[count];
        for (var i = 0; i < count; i++)
        {
            order[i] = i;
        }
        new Random(seed).Shuffle(order);
        var fold = new int[count];
        for (var k = 0; k < count; k++)
        {
            fold[order[k]] = k % folds;
        }
        return fold;
    }
}

/// <summary>Reports a sub-task's 0–1 progress as a slice [offset, offset + scale] of its parent's, synchronously.</summary>
internal sealed class ScaledProgress(IProgress<double> parent, double offset, double scale) : IProgress<double>
{
    public void Report(double value) => parent.Report(offset + (value * scale));
}
