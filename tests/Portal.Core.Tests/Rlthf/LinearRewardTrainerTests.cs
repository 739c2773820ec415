using Portal.Core.Pairs;
using Portal.Core.Rlthf;

namespace Portal.Core.Tests.Rlthf;

public class LinearRewardTrainerTests
{
    private static List<TrainingPair> Labelled(IEnumerable<PreferencePair> pairs) => [.. pairs.Select(p => new TrainingPair(p, p.Label!.Value))];

    [Fact]
    public async Task Train_SyntheticPairs_LearnsHeldOutTruth()
    {
        // The synthetic world is the same for every seed: train on seed 1's pairs, test on seed 2's. Measured 0.78.
        var train = TestPairs.Synthetic(3000, seed: 1);
        var test = TestPairs.Synthetic(1000, seed: 2);

        var model = await new LinearRewardTrainer().TrainAsync(Labelled(train), new TrainOptions { L2 = 1e-4 }, null, default);

        Assert.True(await model.AccuracyAsync(test) > 0.74);
        // Swapped pairs (truth B) must be learnt just as well: no position bias.
        Assert.True(await model.AccuracyAsync([.. test.Select(p => p.Swap())]) > 0.74);
    }

    [Fact]
    public void Train_NoisyLabels_StillBeatsChanceOnTruth()
    {
        var train = TestPairs.Synthetic(3000, seed: 1);
        var random = new Random(1);
        var noisy = train.Select(p => new TrainingPair(p, random.NextDouble() < 0.25 ? Preference.B : Preference.A)).ToList();

        var model = new LinearRewardTrainer().Train(noisy, new TrainOptions { L2 = 1e-4 });

        var test = TestPairs.Synthetic(1000, seed: 2);
        // Measured 0.68 with a quarter of the training labels wrong.
        Assert.True(TrainedRewardModel.Accuracy(model.Score(test), [.. test.Select(p => p.Label!.Value)]) > 0.63);
    }

    [Fact]
    public void Train_SameData_SameWeights()
    {
        var pairs = Labelled(TestPairs.Synthetic(300, seed: 4));

        var a = new LinearRewardTrainer().Train(pairs, new TrainOptions());
        var b = new LinearRewardTrainer().Train(pairs, new TrainOptions());

        Assert.True(a.Weights.SequenceEqual(b.Weights));
    }

    [Fact]
    public void Train_ZeroWeightPair_SameAsLeftOut()
    {
        var pairs = Labelled(TestPairs.Synthetic(200, seed: 4));
        var withZero = pairs.Append(new TrainingPair(TestPairs.Pair("odd one", "out"), Preference.A, 0f)).ToList();

        var a = new LinearRewardTrainer().Train(pairs, new TrainOptions());
        var b = new LinearRewardTrainer().Train(withZero, new TrainOptions());

        Assert.True(a.Weights.SequenceEqual(b.Weights));
    }

    [Fact]
    public void Train_HeavierPair_PulledHarder()
    {
        var pairs = Labelled(TestPairs.Synthetic(200, seed: 4));
        var extra = TestPairs.Pair("zebra zebra zebra", "quokka quokka");
        var light = new LinearRewardTrainer().Train([.. pairs, new TrainingPair(extra, Preference.A, 1f)], new TrainOptions());
        var heavy = new LinearRewardTrainer().Train([.. pairs, new TrainingPair(extra, Preference.A, 20f)], new TrainOptions());

        Assert.True(heavy.Score([extra])[0] > light.Score([extra])[0]);
    }

    [Fact]
    public void Objective_Gradient_MatchesFiniteDifferences()
    {
        var features = new FeatureOptions { HashBits = 10 };
        var pairs = TestPairs.Synthetic(40, seed: 6).Select((p, i) => new TrainingPair(p, i % 3 == 0 ? Preference.B : Preference.A, 1 + (i % 4))).ToList();
        var rows = PairRows.Build(features, pairs, default);
        var random = new Random(2);
        var w = Enumerable.Range(0, 1 << features.HashBits).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var gradient = new float[w.Length];
        var scratch = new float[rows.Count];
        const float lambda = 0.01f;

        rows.Objective(w, gradient, lambda, scratch);

        var probe = new float[w.Length];
        foreach (var j in Enumerable.Range(0, w.Length).Where(j => gradient[j] != lambda * w[j]).Take(20))
        {
            const float h = 1e-2f;
            var saved = w[j];
            w[j] = saved + h;
            var up = rows.Objective(w, probe, lambda, scratch);
            w[j] = saved - h;
            var down = rows.Objective(w, probe, lambda, scratch);
            w[j] = saved;
            Assert.Equal((up - down) / (2 * h), gradient[j], 3e-3);
        }
    }

    [Fact]
    public void Objective_AtZero_IsLogTwo()
    {
        var rows = PairRows.Build(new FeatureOptions { HashBits = 10 }, Labelled(TestPairs.Synthetic(10, seed: 1)), default);

        var value = rows.Objective(new float[1024], new float[1024], 0.1f, new float[rows.Count]);

        Assert.Equal(Math.Log(2), value, 1e-9);
    }

    [Fact]
    public async Task SaveAsync_RoundTrip_SameMarginsAndOptions()
    {
        var features = new FeatureOptions { HashBits = 14, CharNgramMin = 3, CharNgramMax = 4 };
        var model = new LinearRewardTrainer(features).Train(Labelled(TestPairs.Synthetic(200, seed: 1)), new TrainOptions());
        var test = TestPairs.Synthetic(50, seed: 2);

        using var stream = new MemoryStream();
        await model.SaveAsync(stream);
        stream.Position = 0;
        using var loaded = Assert.IsType<OnnxRewardModel>(await RewardModelArtifact.LoadAsync(stream));

        Assert.Equal(features, loaded.Metadata.Features);
        Assert.Equal(model.Summary, loaded.Metadata.Summary);
        var reference = model.Score(test);
        var margins = loaded.Score(test);
        for (var i = 0; i < test.Count; i++)
        {
            Assert.Equal(reference[i], margins[i], 1e-5f);
        }
        Assert.Equal("PRM1"u8.ToArray(), stream.ToArray()[..4]);
    }

    [Fact]
    public async Task LoadAsync_NotAnArtifactOrNewerVersion_ExplainsWhy()
    {
        var notOurs = await Assert.ThrowsAsync<InvalidDataException>(() => RewardModelArtifact.LoadAsync(new MemoryStream("hello world"u8.ToArray())));
        Assert.Contains("not a reward model artifact", notOurs.Message, StringComparison.Ordinal);

        var newer = new MemoryStream([.. "PRM1"u8, 99, 0, 0, 0]);
        var version = await Assert.ThrowsAsync<InvalidDataException>(() => RewardModelArtifact.LoadAsync(newer));
        Assert.Contains("format version 99", version.Message, StringComparison.Ordinal);

        var truncated = await Assert.ThrowsAsync<InvalidDataException>(() => RewardModelArtifact.LoadAsync(new MemoryStream("PRM1"u8.ToArray())));
        Assert.Contains("truncated", truncated.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AccuracyAsync_UnlabelledPair_Throws()
    {
        var model = new LinearRewardTrainer().Train(Labelled(TestPairs.Synthetic(20, seed: 1)), new TrainOptions());

        await Assert.ThrowsAsync<ArgumentException>(() => model.AccuracyAsync([TestPairs.Pair("a", "b")]));
        Assert.True(double.IsNaN(await model.AccuracyAsync([])));
    }

    [Fact]
    public void Accuracy_ZeroMargin_CountsHalf()
    {
        Assert.Equal(0.5, TrainedRewardModel.Accuracy([1f, -1f, 0f, 0f], [Preference.A, Preference.A, Preference.B, Preference.A]));
    }

    [Fact]
    public void Train_NothingWeighted_Throws()
    {
        Assert.Throws<ArgumentException>(() => new LinearRewardTrainer().Train([new TrainingPair(TestPairs.Pair("a", "b"), Preference.A, 0f)], new TrainOptions()));
        Assert.Throws<ArgumentException>(() => new LinearRewardTrainer().Train([new TrainingPair(TestPairs.Pair("a", "b"), Preference.A, float.NaN)], new TrainOptions()));
    }
}
