using Portal.Core.Pairs;

namespace Portal.Core.Rlthf;

/// <summary>Where a pair's current label came from.</summary>
public enum LabelSource
{
    Ai,
    Human,
    AutoFlip,
}

/// <summary>
/// The labels of a targeted-feedback run between rounds: what the portal stores. Index i is the i-th pair of the run.
/// </summary>
/// <param name="Weights">Each pair's weight in the next round's training set; 0 leaves it out.</param>
public sealed record RlthfState(IReadOnlyList<Preference> Labels, IReadOnlyList<LabelSource> Sources, IReadOnlyList<float> Weights, int Round)
{
    /// <summary>A run's start: every pair carries its AI label, and the first round trains on all of them.</summary>
    public static RlthfState Start(IReadOnlyList<Preference> aiLabels)
    {
        ArgumentNullException.ThrowIfNull(aiLabels);
        var weights = new float[aiLabels.Count];
        Array.Fill(weights, 1f);
        return new RlthfState([.. aiLabels], new LabelSource[aiLabels.Count], weights, 0);
    }

    public int HumanLabels => Sources.Count(s => s == LabelSource.Human);
}

/// <summary>Knobs of one round.</summary>
public sealed record RoundOptions
{
    public SelectionOptions Selection { get; init; } = new();

    /// <summary>Weight of a human-labelled pair in training, relative to 1 for an AI-labelled one (the paper's amplification).</summary>
    public float AmplificationRatio { get; init; } = 2f;

    /// <summary>k of the k-fold cross-fitting that gives each pair a margin from a model not trained on it.</summary>
    public int Folds { get; init; } = 5;

    /// <summary>Seeds the fold split, which stays the same from round to round.</summary>
    public int Seed { get; init; } = 1;

    public TrainOptions Train { get; init; } = new();

    /// <summary>
    /// Fold splits whose out-of-fold margins are averaged (an ensemble of the folds' models over differently seeded splits); each
    /// pair's margin still comes only from models that never saw it. 1 = one split. Costs that many cross-fittings per L2 value.
    /// </summary>
    public int Repeats { get; init; } = 1;

    /// <summary>
    /// Divides each fold's out-of-fold margins by their root mean square, so the margins of the k fold models, each on its own
    /// scale, rank together (a crude calibration; the sign is kept).
    /// </summary>
    public bool CalibrateFolds { get; init; }

    /// <summary>
    /// With <see cref="Repeats"/> above 1, a committee: each pair's margin is moved towards its current label by this many standard
    /// deviations of the repeats' margins, so a pair is suspicious only when the fold models of every split agree that its label is
    /// wrong. 0 (the default) averages the repeats.
    /// </summary>
    public double CommitteeDoubt { get; init; }

    /// <summary>L2 penalties to choose from each round by out-of-fold log-loss; empty uses <see cref="TrainOptions.L2"/> of <see cref="Train"/>.</summary>
    public IReadOnlyList<double> L2Grid { get; init; } = [1e-4, 1e-3, 1e-2];
}

/// <summary>What a round proposes: margins, the curve, the pairs for humans and the automatic flips. Indices are pair indices.</summary>
/// <param name="Margins">
/// Out-of-fold r(A) − r(B) per pair, human-labelled pairs included (they are not candidates, but their margins measure the reward
/// model against human labels: <see cref="HumanAccuracy"/>). All NaN for the random strategy, which trains no model.
/// </param>
/// <param name="HumanAccuracy">Share of the human-labelled pairs whose out-of-fold margin agrees with their human label; NaN without any.</param>
/// <param name="HumanLabelled">Number of human-labelled pairs behind <see cref="HumanAccuracy"/>.</param>
public sealed record RoundPlan(int Round, int Budget, IReadOnlyList<float> Margins, SelectionResult Selection, double HumanAccuracy = double.NaN, int HumanLabelled = 0);

/// <summary>
/// One round of targeted human feedback. <see cref="PlanAsync"/>: retrain on the current labels and weights with k-fold
/// cross-fitting, take each candidate's out-of-fold margin in favour of its current label, select. Humans then answer (in the
/// portal, over days; in <see cref="RlthfSimulator"/>, at once) and <see cref="Apply"/> folds their answers in.
/// </summary>
/// <remarks>
/// With more than one value in <see cref="RoundOptions.L2Grid"/>, the round cross-fits once per value and keeps the margins of
/// the value with the lowest out-of-fold log-loss against the current labels: noisy labels, but noise that does not favour any
/// value, so no truth is needed to choose. That costs one cross-fitting per value.
/// </remarks>
public static class RlthfRound
{
    /// <param name="budget">Pairs humans can label this round.</param>
    public static async Task<RoundPlan> PlanAsync(
        IRewardTrainer trainer,
        IReadOnlyList<PreferencePair> pairs,
        RlthfState state,
        int budget,
        RoundOptions options,
        IProgress<double>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);
        Common.Guard.SameLength(pairs.Count, state.Labels.Count, nameof(pairs), "state.Labels");

        var candidate = state.Sources.Select(s => s != LabelSource.Human).ToArray();
        var strategy = options.Selection.Strategy;
        float[] margins;
        if (strategy == SelectionStrategy.Random)
        {
            // The random baseline needs no model: every candidate gets margin 0, the rest none.
            margins = [.. candidate.Select(c => c ? 0f : float.NaN)];
        }
        else
        {
            margins = await ChooseL2Async(trainer, pairs, state, candidate, options, progress, cancellationToken);
        }

        var candidates = new List<int>();
        var inFavour = new List<float>();
        for (var i = 0; i < pairs.Count; i++)
        {
            if (candidate[i])
            {
                candidates.Add(i);
                inFavour.Add(margins[i] * state.Labels[i].Sign());
            }
        }
        var selection = Selection.Select(
            System.Runtime.InteropServices.CollectionsMarshal.AsSpan(inFavour),
            budget,
            options.Selection with { Seed = options.Selection.Seed + state.Round });
        progress?.Report(1.0);
        var humanMargins = new List<float>();
        var humanLabels = new List<Preference>();
        for (var i = 0; i < pairs.Count; i++)
        {
            if (!candidate[i] && float.IsFinite(margins[i]))
            {
                humanMargins.Add(margins[i]);
                humanLabels.Add(state.Labels[i]);
            }
        }
        return new RoundPlan(state.Round, budget, margins, selection with
        {
            Selected = [.. selection.Selected.Select(k => candidates[k])],
            AutoFlip = [.. selection.AutoFlip.Select(k => candidates[k])],
            KeepForTraining = [.. selection.KeepForTraining.Select(k => candidates[k])],
        },
            TrainedRewardModel.Accuracy(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(humanMargins), System.Runtime.InteropServices.CollectionsMarshal.AsSpan(humanLabels)),
            humanMargins.Count);
    }

    private static async Task<float[]> ChooseL2Async(
        IRewardTrainer trainer,
        IReadOnlyList<PreferencePair> pairs,
        RlthfState state,
        bool[] candidate,
        RoundOptions options,
        IProgress<double>? progress,
        CancellationToken cancellationToken)
    {
        IReadOnlyList<double> grid = options.L2Grid.Count == 0 ? [options.Train.L2] : options.L2Grid;
        float[]? best = null;
        var bestLoss = double.PositiveInfinity;
        for (var g = 0; g < grid.Count; g++)
        {
            var repeats = Math.Max(1, options.Repeats);
            float[] margins = new float[pairs.Count];
            float[]? squares = null;
            for (var r = 0; r < repeats; r++)
            {
                var part = (double)((g * repeats) + r) / (grid.Count * repeats);
                var split = await CrossFitting.OutOfFoldMarginsAsync(
                    trainer,
                    pairs,
                    state.Labels,
                    state.Weights,
                    null,
                    options.Folds,
                    options.Seed + (r * 7919),
                    options.Train with { L2 = grid[g] },
                    progress is null ? null : new ScaledProgress(progress, part, 1.0 / (grid.Count * repeats)),
                    cancellationToken);
                if (options.CalibrateFolds)
                {
                    Calibrate(split, CrossFitting.FoldOf(pairs.Count, options.Folds, options.Seed + (r * 7919)), options.Folds);
                }
                if (repeats == 1)
                {
                    margins = split;
                    break;
                }
                for (var i = 0; i < margins.Length; i++)
                {
                    margins[i] += split[i] / repeats;
                    squares ??= new float[pairs.Count];
                    squares[i] += split[i] * split[i] / repeats;
                }
            }
            if (squares is not null && options.CommitteeDoubt != 0)
            {
                for (var i = 0; i < margins.Length; i++)
                {
                    var sd = MathF.Sqrt(MathF.Max(0, squares[i] - (margins[i] * margins[i])));
                    margins[i] += (float)options.CommitteeDoubt * sd * state.Labels[i].Sign();
                }
            }
            var loss = grid.Count == 1 ? 0 : LogLoss(margins, state.Labels, candidate);
            if (best is null || loss < bestLoss)
            {
                (best, bestLoss) = (margins, loss);
            }
        }
        return best!;
    }

    private static void Calibrate(float[] margins, int[] fold, int folds)
    {
        var sum = new double[folds];
        var count = new int[folds];
        for (var i = 0; i < margins.Length; i++)
        {
            if (float.IsFinite(margins[i]))
            {
                sum[fold[i]] += (double)margins[i] * margins[i];
                count[fold[i]]++;
            }
        }
        for (var i = 0; i < margins.Length; i++)
        {
            var rms = count[fold[i]] == 0 ? 0 : Math.Sqrt(sum[fold[i]] / count[fold[i]]);
            if (rms > 0)
            {
                margins[i] = (float)(margins[i] / rms);
            }
        }
    }

    // Mean Bradley–Terry loss log(1 + exp(−m)) over the candidates, m the margin in favour of the current label.
    private static double LogLoss(float[] margins, IReadOnlyList<Preference> labels, bool[] candidate)
    {
        var sum = 0.0;
        var count = 0;
        for (var i = 0; i < margins.Length; i++)
        {
            if (candidate[i])
            {
                sum += Logistic.Softplus(-margins[i] * labels[i].Sign());
                count++;
            }
        }
        return count == 0 ? 0 : sum / count;
    }

    /// <summary>
    /// Applies a round: human answers replace labels (any pair may be answered, selected or not), auto-flips flip AI labels
    /// nobody answered, and the next training set is the kept AI labels at weight 1 plus every human label at the amplification ratio.
    /// </summary>
    public static RlthfState Apply(RlthfState state, RoundPlan plan, IReadOnlyDictionary<int, Preference> humanAnswers, RoundOptions options)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(humanAnswers);
        ArgumentNullException.ThrowIfNull(options);
        var n = state.Labels.Count;
        var labels = state.Labels.ToArray();
        var sources = state.Sources.ToArray();
        var weights = new float[n];

        foreach (var i in plan.Selection.AutoFlip)
        {
            // Only labels still as the AI gave them: an automatic flip is never flipped back automatically.
            if (sources[i] == LabelSource.Ai && !humanAnswers.ContainsKey(i))
            {
                labels[i] = labels[i].Flip();
                sources[i] = LabelSource.AutoFlip;
            }
        }
        foreach (var i in plan.Selection.KeepForTraining)
        {
            weights[i] = 1f;
        }
        foreach (var (i, answer) in humanAnswers)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(i, n, nameof(humanAnswers));
            labels[i] = answer;
            sources[i] = LabelSource.Human;
        }
        for (var i = 0; i < n; i++)
        {
            if (sources[i] == LabelSource.Human)
            {
                weights[i] = options.AmplificationRatio;
            }
        }
        return new RlthfState(labels, sources, weights, state.Round + 1);
    }
}
