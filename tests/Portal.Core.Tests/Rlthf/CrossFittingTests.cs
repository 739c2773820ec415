using Portal.Core.Pairs;
using Portal.Core.Rlthf;

namespace Portal.Core.Tests.Rlthf;

public class CrossFittingTests
{
    /// <summary>Records what each model was trained on and what it was asked to score.</summary>
    private sealed class RecordingTrainer : IRewardTrainer
    {
        public List<(HashSet<PreferencePair> Trained, List<PreferencePair> Scored, TrainOptions Options)> Models { get; } = [];

        public Task<TrainedRewardModel> TrainAsync(IReadOnlyList<TrainingPair> pairs, TrainOptions options, IProgress<double>? progress, CancellationToken cancellationToken)
        {
            var record = (new HashSet<PreferencePair>(pairs.Select(p => p.Pair), ReferenceEqualityComparer.Instance), new List<PreferencePair>(), options);
            Models.Add(record);
            return Task.FromResult<TrainedRewardModel>(new Model(record.Item1, record.Item2));
        }

        private sealed class Model(HashSet<PreferencePair> trained, List<PreferencePair> scored) : TrainedRewardModel
        {
            public override Task<float[]> ScoreAsync(IReadOnlyList<PreferencePair> pairs, CancellationToken cancellationToken = default)
            {
                scored.AddRange(pairs);
                // Margin 1 for a pair the model never saw, −1 for a leak.
                return Task.FromResult(pairs.Select(p => trained.Contains(p) ? -1f : 1f).ToArray());
            }

            public override Task SaveAsync(Stream stream, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        }
    }

    private static List<PreferencePair> Pairs(int n) => [.. Enumerable.Range(0, n).Select(i => TestPairs.Pair($"a{i}", $"b{i}", id: $"{i}"))];

    [Fact]
    public async Task OutOfFoldMargins_EveryPairScoredOnceByAModelNotTrainedOnIt()
    {
        var pairs = Pairs(103);
        var trainer = new RecordingTrainer();

        var margins = await CrossFitting.OutOfFoldMarginsAsync(
            trainer, pairs, [.. pairs.Select(_ => Preference.A)], [.. pairs.Select(_ => 1f)], null, 5, seed: 4, new TrainOptions());

        Assert.Equal(5, trainer.Models.Count);
        Assert.All(margins, m => Assert.Equal(1f, m));
        Assert.All(trainer.Models, m => Assert.DoesNotContain(m.Scored, p => m.Trained.Contains(p)));
        var scored = trainer.Models.SelectMany(m => m.Scored).ToList();
        Assert.Equal(pairs.Count, scored.Count);
        Assert.Equal(pairs.Count, scored.Distinct(ReferenceEqualityComparer.Instance).Count());
        Assert.All(trainer.Models, m => Assert.InRange(m.Trained.Count, 82, 83));
    }

    [Fact]
    public async Task OutOfFoldMargins_ZeroWeightNeverTrainedOn_UnneededNotScored()
    {
        var pairs = Pairs(40);
        var weights = pairs.Select((_, i) => i % 4 == 0 ? 0f : 1f).ToArray();
        var needed = pairs.Select((_, i) => i % 2 == 0).ToArray();
        var trainer = new RecordingTrainer();

        var margins = await CrossFitting.OutOfFoldMarginsAsync(
            trainer, pairs, [.. pairs.Select(_ => Preference.B)], weights, needed, 4, seed: 1, new TrainOptions());

        Assert.All(trainer.Models, m => Assert.DoesNotContain(m.Trained, p => weights[pairs.IndexOf(p)] == 0f));
        for (var i = 0; i < pairs.Count; i++)
        {
            Assert.Equal(needed[i], !float.IsNaN(margins[i]));
        }
    }

    [Fact]
    public async Task OutOfFoldMargins_WithTheLinearTrainer_NoPairInItsOwnTrainingFold()
    {
        // A pair's margin from cross-fitting differs from the margin a model trained on it gives: the check that the built-in
        // path honours the folds too, not only the recording trainer.
        var pairs = TestPairs.Synthetic(200, seed: 3);
        var labels = pairs.Select(p => p.Label!.Value).ToArray();
        var weights = pairs.Select(_ => 1f).ToArray();
        var options = new TrainOptions { L2 = 1e-4 };
        var trainer = new LinearRewardTrainer();

        var outOfFold = await CrossFitting.OutOfFoldMarginsAsync(trainer, pairs, labels, weights, null, 5, seed: 2, options);
        var inSample = trainer.Train([.. pairs.Select(p => new TrainingPair(p, p.Label!.Value))], options).Score(pairs);

        Assert.True(TrainedRewardModel.Accuracy(inSample, labels) > TrainedRewardModel.Accuracy(outOfFold, labels) + 0.1);
    }

    [Fact]
    public void FoldOf_Seeded_BalancedAndRepeatable()
    {
        var folds = CrossFitting.FoldOf(1001, 5, seed: 8);

        Assert.Equal(folds, CrossFitting.FoldOf(1001, 5, seed: 8));
        Assert.NotEqual(folds, CrossFitting.FoldOf(1001, 5, seed: 9));
        Assert.All(folds.CountBy(f => f), g => Assert.InRange(g.Value, 200, 201));
    }

    [Fact]
    public async Task OutOfFoldMargins_AllWeightsZero_Throws()
    {
        var pairs = Pairs(10);

        await Assert.ThrowsAsync<InvalidOperationException>(() => CrossFitting.OutOfFoldMarginsAsync(
            new RecordingTrainer(), pairs, [.. pairs.Select(_ => Preference.A)], new float[10], null, 2, 1, new TrainOptions()));
    }
}
