using System.Text.Json;
using System.Text.Json.Serialization;
using Portal.Core.Pairs;

namespace Portal.Core.Rlthf;

/// <summary>Whether <see cref="SimulationOptions.Budget"/> is a share of all pairs for the whole run or for each round.</summary>
public enum BudgetScope
{
    /// <summary>The paper's way: one human budget for the run, spread evenly over the iterations.</summary>
    Run,

    /// <summary>The budget share again in every round.</summary>
    Round,
}

/// <summary>Knobs of <see cref="RlthfSimulator"/>.</summary>
public sealed record SimulationOptions
{
    /// <summary>Chance that the simulated AI labeller gets a pair wrong; ignored when <see cref="AiLabels"/> is given.</summary>
    public double AiError { get; init; } = 0.25;

    /// <summary>Real AI labels, one per pair in the file's A/B order, instead of simulated ones.</summary>
    public IReadOnlyList<Preference>? AiLabels { get; init; }

    /// <summary>Human labels as a share of all pairs (see <see cref="BudgetScope"/>).</summary>
    public double Budget { get; init; } = 0.07;

    public BudgetScope BudgetScope { get; init; } = BudgetScope.Run;

    public int Iterations { get; init; } = 4;

    public int Seed { get; init; } = 1;

    public SelectionStrategy Strategy { get; init; } = SelectionStrategy.Rlthf;

    /// <summary>Round knobs; its strategy and seed are replaced by <see cref="Strategy"/> and <see cref="Seed"/>.</summary>
    public RoundOptions Round { get; init; } = new();

    /// <summary>Humans available in round <paramref name="round"/> (0-based) of a run over <paramref name="pairs"/> pairs.</summary>
    /// <remarks>Run scope: round r gets ⌊B·n·(r+1)/T⌋ − ⌊B·n·r/T⌋, so the rounds add up to exactly ⌊B·n⌋.</remarks>
    public int BudgetForRound(int round, int pairs) => BudgetScope == BudgetScope.Round
        ? (int)Math.Floor(Budget * pairs)
        : (int)Math.Floor(Budget * pairs * (round + 1) / Iterations) - (int)Math.Floor(Budget * pairs * round / Iterations);
}

/// <summary>The outcome of a simulated run, serialised with <see cref="RlthfJson.Options"/> (snake_case).</summary>
public sealed record SimulationResult(
    int Pairs,
    SelectionStrategy Strategy,
    double Budget,
    int HumanLabels,
    double HumanFraction,
    double InitialLabelAccuracy,
    double FinalLabelAccuracy,
    double RandomFinalLabelAccuracy,
    IReadOnlyList<SimulationRound> Iterations)
{
    /// <summary>
    /// Out-of-fold pairwise accuracy against the truth of the first round's reward model, trained on the AI labels alone (every
    /// pair's margin from a model that did not see it); null for the random strategy, which trains none.
    /// </summary>
    public double? RewardModelOofAccuracy => Iterations.Count == 0 ? null : Iterations[0].RewardModelOofAccuracy;


    public string ToJson() => JsonSerializer.Serialize(this, RlthfJson.Options);
}

/// <summary>One simulated round: pairs sent to humans, how many of them the AI had wrong, label accuracy after the answers.</summary>
/// <param name="RewardModelOofAccuracy">Share of all pairs whose out-of-fold margin this round agrees with the truth (a margin of
/// 0 counts one half); null for the random strategy.</param>
public sealed record SimulationRound(int Selected, int AiWrongAmongSelected, double LabelAccuracy, double? RewardModelOofAccuracy = null);

/// <summary>JSON settings for RLTHF records: snake_case names and enum values.</summary>
public static class RlthfJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.General)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        WriteIndented = true,
    };
}

/// <summary>
/// Replays targeted human feedback on a labelled pair file, where the file's preference (chosen) is the truth: AI labels are the
/// truth flipped with probability <see cref="SimulationOptions.AiError"/> (or given), simulated humans answer with the truth,
/// and every round runs <see cref="RlthfRound"/> as the portal's round job does.
/// </summary>
/// <remarks>
/// The pairs' A/B order is shuffled with the seed first and their labels hidden, so neither a trainer nor the selection can read
/// the truth from position or from <see cref="PreferencePair.Label"/>; the truth reaches the labels only through human answers.
/// The random baseline runs on the same shuffled pairs, AI labels and budget.
/// </remarks>
public static class RlthfSimulator
{
    /// <summary>Runs the simulation with the built-in trainer, on the calling thread.</summary>
    public static SimulationResult Run(IReadOnlyList<PreferencePair> pairs, SimulationOptions options) =>
        RunAsync(pairs, options).GetAwaiter().GetResult();

    public static async Task<SimulationResult> RunAsync(
        IReadOnlyList<PreferencePair> pairs,
        SimulationOptions options,
        IRewardTrainer? trainer = null,
        IProgress<double>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentNullException.ThrowIfNull(options);
        if (options.AiError is < 0 or > 1 || double.IsNaN(options.AiError))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.AiError, "AiError must be between 0 and 1.");
        }
        if (options.Budget is < 0 or > 1 || double.IsNaN(options.Budget))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Budget, "Budget must be between 0 and 1.");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Iterations, 1, nameof(options));
        if (pairs.Count == 0)
        {
            throw new ArgumentException("A simulation needs pairs.", nameof(pairs));
        }
        if (options.AiLabels is not null)
        {
            Common.Guard.SameLength(pairs.Count, options.AiLabels.Count, nameof(pairs), "options.AiLabels");
        }
        trainer ??= new LinearRewardTrainer();

        var (hidden, truth, ai) = Prepare(pairs, options);
        var runs = options.Strategy == SelectionStrategy.Random ? 1 : 2;
        var main = await SimulateAsync(hidden, truth, ai, options, trainer, Slice(progress, 0, runs), cancellationToken);
        var random = options.Strategy == SelectionStrategy.Random
            ? main
            : await SimulateAsync(hidden, truth, ai, options with { Strategy = SelectionStrategy.Random }, trainer, Slice(progress, 1, runs), cancellationToken);
        return main with { RandomFinalLabelAccuracy = random.FinalLabelAccuracy };
    }

    private static (PreferencePair[] Hidden, Preference[] Truth, Preference[] Ai) Prepare(IReadOnlyList<PreferencePair> pairs, SimulationOptions options)
    {
        var random = new Random(options.Seed);
        var hidden = new PreferencePair[pairs.Count];
        var truth = new Preference[pairs.Count];
        var ai = new Preference[pairs.Count];
        for (var i = 0; i < pairs.Count; i++)
        {
            var label = pairs[i].Label ?? throw new ArgumentException($"Pair {i} has no label; a simulation needs the truth (the file's chosen response).", nameof(pairs));
            var swap = random.Next(2) == 1;
            hidden[i] = (swap ? pairs[i].Swap() : pairs[i]) with { Label = null };
            truth[i] = swap ? label.Flip() : label;
            ai[i] = options.AiLabels is { } given
                ? (swap ? given[i].Flip() : given[i])
                : (random.NextDouble() < options.AiError ? truth[i].Flip() : truth[i]);
        }
        return (hidden, truth, ai);
    }

    private static async Task<SimulationResult> SimulateAsync(
        PreferencePair[] pairs,
        Preference[] truth,
        Preference[] ai,
        SimulationOptions options,
        IRewardTrainer trainer,
        IProgress<double>? progress,
        CancellationToken cancellationToken)
    {
        var round = options.Round with
        {
            Seed = options.Seed,
            Selection = options.Round.Selection with { Strategy = options.Strategy, Seed = options.Seed },
        };
        var state = RlthfState.Start(ai);
        var initial = Accuracy(state.Labels, truth);
        var rounds = new List<SimulationRound>();
        for (var r = 0; r < options.Iterations; r++)
        {
            var plan = await RlthfRound.PlanAsync(
                trainer, pairs, state, options.BudgetForRound(r, pairs.Length), round, Slice(progress, r, options.Iterations), cancellationToken);
            var answers = plan.Selection.Selected.ToDictionary(i => i, i => truth[i]);
            var wrong = plan.Selection.Selected.Count(i => state.Labels[i] != truth[i]);
            state = RlthfRound.Apply(state, plan, answers, round);
            double? oof = options.Strategy != SelectionStrategy.Random && plan.Margins.All(float.IsFinite) ? TrainedRewardModel.Accuracy([.. plan.Margins], truth) : null;
            rounds.Add(new SimulationRound(answers.Count, wrong, Accuracy(state.Labels, truth), oof));
        }
        var humans = state.HumanLabels;
        return new SimulationResult(
            pairs.Length,
            options.Strategy,
            options.Budget,
            humans,
            pairs.Length == 0 ? 0 : (double)humans / pairs.Length,
            initial,
            Accuracy(state.Labels, truth),
            double.NaN,
            rounds);
    }

    private static double Accuracy(IReadOnlyList<Preference> labels, Preference[] truth)
    {
        var right = 0;
        for (var i = 0; i < truth.Length; i++)
        {
            right += labels[i] == truth[i] ? 1 : 0;
        }
        return truth.Length == 0 ? double.NaN : (double)right / truth.Length;
    }

    private static ScaledProgress? Slice(IProgress<double>? progress, int part, int parts) =>
        progress is null ? null : new ScaledProgress(progress, (double)part / parts, 1.0 / parts);
}
