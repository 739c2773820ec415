using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Portal.Core.Pairs;
using Portal.Core.Rlthf;

namespace Portal.Benchmarks;

/// <summary>
/// The built-in reward model and targeted selection at the sizes a large project reaches: training on 100,000 pairs, scoring
/// and selecting over 1,000,000, and one whole round (three L2 values × 5 folds) on 20,000. Synthetic pairs from
/// <see cref="SyntheticPairs"/>. Each operation takes seconds, so few iterations:
/// <c>dotnet run -c Release --project tests/Portal.Benchmarks -- --filter *Rlthf*</c>.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class RlthfBenchmarks
{
    private List<TrainingPair> _train = [];
    private List<PreferencePair> _score = [];
    private List<PreferencePair> _round = [];
    private LinearRewardModel? _model;

    [GlobalSetup(Target = nameof(Train100k))]
    public void SetUpTraining() =>
        _train = [.. Synthetic(100_000, seed: 1).Select(p => new TrainingPair(p, p.Label!.Value))];

    [GlobalSetup(Target = nameof(ScoreAndSelect1M))]
    public void SetUpScoring()
    {
        _model = new LinearRewardTrainer().Train([.. Synthetic(20_000, seed: 1).Select(p => new TrainingPair(p, p.Label!.Value))], new TrainOptions());
        // 1,000,000 pairs over 100,000 distinct texts (every other copy with its sides swapped) keeps the set in memory.
        var pool = Synthetic(100_000, seed: 2);
        _score = new List<PreferencePair>(1_000_000);
        for (var i = 0; i < 1_000_000; i++)
        {
            var p = pool[i % pool.Count];
            _score.Add((i / pool.Count) % 2 == 0 ? p : p.Swap());
        }
    }

    [GlobalSetup(Target = nameof(Round20k))]
    public void SetUpRound() => _round = [.. Synthetic(20_000, seed: 3).Select(p => p with { Label = null })];

    [Benchmark]
    public LinearRewardModel Train100k() => new LinearRewardTrainer().Train(_train, new TrainOptions());

    [Benchmark]
    public SelectionResult ScoreAndSelect1M()
    {
        var margins = _model!.Score(_score);
        for (var i = 0; i < margins.Length; i++)
        {
            margins[i] *= _score[i].Label!.Value.Sign();
        }
        return Selection.Select(margins, 17_500, new SelectionOptions());
    }

    [Benchmark]
    public async Task<RoundPlan> Round20k()
    {
        var random = new Random(1);
        var labels = _round.Select(_ => random.NextDouble() < 0.25 ? Preference.B : Preference.A).ToArray();
        return await RlthfRound.PlanAsync(new LinearRewardTrainer(), _round, RlthfState.Start(labels), 350, new RoundOptions());
    }

    private static List<PreferencePair> Synthetic(int count, int seed)
    {
        using var text = new StringWriter();
        SyntheticPairs.Write(text, count, seed);
        using var reader = new StringReader(text.ToString());
        return [.. PreferencePairReader.Read(reader)];
    }
}
