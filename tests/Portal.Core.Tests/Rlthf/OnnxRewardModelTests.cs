using Portal.Core.Pairs;
using Portal.Core.Rlthf;

namespace Portal.Core.Tests.Rlthf;

public class OnnxRewardModelTests
{
    private static readonly FeatureOptions Small = new() { HashBits = 10 };
    private static readonly RewardModelMetadata SmallMetadata = new() { Features = Small };

    private static List<TrainingPair> Labelled(IEnumerable<PreferencePair> pairs) => [.. pairs.Select(p => new TrainingPair(p, p.Label!.Value))];

    private static float[] Weights(int count, Func<int, float> weight) => [.. Enumerable.Range(0, count).Select(weight)];

    [Fact]
    public void RunBatch_LinearGraph_MatchesHandComputation()
    {
        var weights = new float[1024];
        (weights[0], weights[1], weights[2], weights[1023]) = (0.5f, -1f, 2f, 0.25f);
        using var model = OnnxRewardModel.Load(OnnxRewardModel.LinearGraph(weights, SmallMetadata));

        // Row 0: 1·w0 + 1·w2 = 2.5. Row 1: 3·w1 + 0.5·w1 = −3.5. Row 2: 4·w1023 + padding (index 0, value 0) = 1.
        var margins = model.RunBatch([0, 2, 1, 1, 1023, 0], [1f, 1f, 3f, 0.5f, 4f, 0f], rows: 3, width: 2);

        Assert.Equal(new[] { 2.5f, -3.5f, 1f }, margins);
    }

    [Fact]
    public async Task ScoreAsync_FeaturizedPairs_EqualsDotProductOfDifferences()
    {
        var weights = Weights(1024, i => ((i % 7) - 3) * 0.01f);
        using var model = OnnxRewardModel.Load(OnnxRewardModel.LinearGraph(weights, SmallMetadata), null, new OnnxScoringOptions { BatchSize = 7 });
        var pairs = TestPairs.Synthetic(40, seed: 3);

        var margins = await model.ScoreAsync(pairs);

        var featurizer = new HashedFeaturizer(Small);
        for (var i = 0; i < pairs.Count; i++)
        {
            var x = featurizer.PairDifference(pairs[i]);
            var hand = 0.0;
            for (var k = 0; k < x.Count; k++)
            {
                hand += (double)x.Values[k] * weights[x.Indices[k]];
            }
            Assert.Equal(hand, margins[i], 1e-5);
        }
        Assert.Contains(margins, m => m != 0f);
    }

    [Fact]
    public async Task LinearRewardModel_ScoreAsyncThroughOnnx_SameAsInProcess()
    {
        var model = new LinearRewardTrainer(new FeatureOptions { HashBits = 14 }).Train(Labelled(TestPairs.Synthetic(300, seed: 1)), new TrainOptions());
        var test = TestPairs.Synthetic(200, seed: 2);

        var onnx = await model.ScoreAsync(test);
        var reference = model.Score(test);

        for (var i = 0; i < test.Count; i++)
        {
            Assert.Equal(reference[i], onnx[i], 1e-5f);
        }
    }

    [Fact]
    public async Task SaveAsync_Artifact_IsOnnxWithMetadataAndScoresTheSame()
    {
        var features = new FeatureOptions { HashBits = 12 };
        var model = new LinearRewardTrainer(features).Train(Labelled(TestPairs.Synthetic(200, seed: 1)), new TrainOptions());
        model.Provenance = new RewardModelProvenance("built-in", new TrainingComposition(200, 150, 40, 10), 0.71);
        var test = TestPairs.Synthetic(50, seed: 2);

        using var stream = new MemoryStream();
        await model.SaveAsync(stream);
        stream.Position = 0;
        using var loaded = Assert.IsType<OnnxRewardModel>(await RewardModelArtifact.LoadAsync(stream));

        Assert.Equal(HashedFeaturizer.Name, loaded.Metadata.Featurizer);
        Assert.Equal(HashedFeaturizer.Version, loaded.Metadata.FeaturizerVersion);
        Assert.Equal(features, loaded.Metadata.Features);
        Assert.Equal(new TrainingComposition(200, 150, 40, 10), loaded.Metadata.Training);
        Assert.Equal(0.71, loaded.Metadata.OutOfFoldAccuracy);
        Assert.Equal(model.Summary, loaded.Metadata.Summary);
        var reference = model.Score(test);
        var margins = loaded.Score(test);
        for (var i = 0; i < test.Count; i++)
        {
            Assert.Equal(reference[i], margins[i], 1e-5f);
        }
        // The ONNX file carries the same metadata, so it stands alone too.
        using var alone = OnnxRewardModel.Load(loaded.Onnx);
        Assert.Equal(features, alone.Metadata.Features);
    }

    [Fact]
    public void Load_CorruptFile_ExplainsWhy()
    {
        var bytes = OnnxRewardModel.LinearGraph(new float[1024], SmallMetadata);
        var truncated = bytes[..(bytes.Length / 3)];

        var garbage = Assert.Throws<InvalidDataException>(() => OnnxRewardModel.Load("not an onnx model at all"u8.ToArray()));
        var cut = Assert.Throws<InvalidDataException>(() => OnnxRewardModel.Load(truncated));

        Assert.Contains("not an ONNX model ONNX Runtime can load", garbage.Message, StringComparison.Ordinal);
        Assert.Contains("not an ONNX model ONNX Runtime can load", cut.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WrongInputNames_NamesThem()
    {
        var bytes = new OnnxModelBuilder()
            .AddInput("x", OnnxElementType.Real32, "N", "K")
            .AddOutput("margin", OnnxElementType.Real32, "N")
            .AddInitializer("axes", [1L], 1)
            .AddNode("ReduceSum", ["x", "axes"], ["margin"], ("keepdims", 0))
            .AddMetadata(OnnxRewardModel.MetadataKey, SmallMetadata.ToJson())
            .ToBytes();

        var ex = Assert.Throws<InvalidDataException>(() => OnnxRewardModel.Load(bytes));

        Assert.Contains("inputs are 'x'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'indices' (int64 [N, K])", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WrongInputShape_NamesInputAndShape()
    {
        // indices of rank 1 instead of [N, K].
        var bytes = new OnnxModelBuilder()
            .AddInput("indices", OnnxElementType.Signed64, "N")
            .AddInput("values", OnnxElementType.Real32, "N", "K")
            .AddOutput("margin", OnnxElementType.Real32, "N")
            .AddInitializer("w", new float[1024], 1024)
            .AddInitializer("axes", [1L], 1)
            .AddNode("Gather", ["w", "indices"], ["g"], ("axis", 0))
            .AddNode("ReduceSum", ["values", "axes"], ["s"], ("keepdims", 0))
            .AddNode("Add", ["g", "s"], ["margin"])
            .AddMetadata(OnnxRewardModel.MetadataKey, SmallMetadata.ToJson())
            .ToBytes();

        var ex = Assert.Throws<InvalidDataException>(() => OnnxRewardModel.Load(bytes));

        Assert.Equal("The ONNX model's 'indices' is Int64 [N]; it must be int64 [N, K].", ex.Message);
    }

    [Fact]
    public void Load_UnknownFeaturizerVersionOrNoMetadata_Refused()
    {
        var future = SmallMetadata with { FeaturizerVersion = HashedFeaturizer.Version + 98 };
        var other = SmallMetadata with { Featurizer = "bert-tokens" };

        var version = Assert.Throws<InvalidDataException>(() => OnnxRewardModel.Load(OnnxRewardModel.LinearGraph(new float[1024], future)));
        var name = Assert.Throws<InvalidDataException>(() => OnnxRewardModel.Load(OnnxRewardModel.LinearGraph(new float[1024], other)));
        var none = new OnnxModelBuilder()
            .AddInput("indices", OnnxElementType.Signed64, "N", "K")
            .AddInput("values", OnnxElementType.Real32, "N", "K")
            .AddOutput("margin", OnnxElementType.Real32, "N")
            .AddInitializer("axes", [1L], 1)
            .AddNode("ReduceSum", ["values", "axes"], ["margin"], ("keepdims", 0))
            .ToBytes();
        var missing = Assert.Throws<InvalidDataException>(() => OnnxRewardModel.Load(none));

        Assert.Contains($"version {HashedFeaturizer.Version + 98}", version.Message, StringComparison.Ordinal);
        Assert.Contains("'bert-tokens'", name.Message, StringComparison.Ordinal);
        Assert.Contains("no 'portal.reward_model' metadata", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Score_WeightsShorterThanFeatures_ClearErrorNotCrash()
    {
        // Metadata says 2^12 features, the graph has 16 weights: Gather gets indices beyond them.
        var metadata = new RewardModelMetadata { Features = new FeatureOptions { HashBits = 12 } };
        using var model = OnnxRewardModel.Load(OnnxRewardModel.LinearGraph(new float[16], metadata));

        var ex = Assert.Throws<InvalidDataException>(() => model.Score(TestPairs.Synthetic(5, seed: 1)));

        Assert.Contains("ONNX Runtime could not score", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cpu", OnnxProvider.Cpu)]
    [InlineData("CUDA", OnnxProvider.Cuda)]
    [InlineData(null, OnnxProvider.Cpu)]
    public void ParseProvider_KnownValues(string? value, OnnxProvider expected) => Assert.Equal(expected, OnnxScoringOptions.ParseProvider(value));

    [Fact]
    public void ParseProvider_Unknown_NamesSetting()
    {
        var ex = Assert.Throws<ArgumentException>(() => OnnxScoringOptions.ParseProvider("gpu"));

        Assert.Contains("Rlthf:Onnx:Provider is 'gpu'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_CudaOnCpuBuild_SaysHowToGetIt()
    {
        var ex = Assert.Throws<InvalidOperationException>(() =>
            OnnxRewardModel.Load(OnnxRewardModel.LinearGraph(new float[1024], SmallMetadata), null, new OnnxScoringOptions { Provider = OnnxProvider.Cuda }));

        Assert.Contains("-p:OnnxGpu=true", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExternalTrainer_WritesOnnxModel_ScoredThroughOnnxRuntime()
    {
        var weights = Weights(1024, i => (i % 5) * 0.1f);
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(file, OnnxRewardModel.LinearGraph(weights, SmallMetadata));
            // cp stands in for a GPU trainer that exports its model to {model}; it writes no {out} at all.
            var trainer = new ExternalProcessTrainer(new ExternalTrainerOptions { FileName = "cp", Arguments = [file, "{model}"], ReturnsModel = true });
            var pairs = TestPairs.Synthetic(10, seed: 5);
            var model = await trainer.TrainAsync(Labelled(pairs), new TrainOptions(), null, default);

            var margins = await model.ScoreAsync(pairs);
            using var artifact = new MemoryStream();
            await model.SaveAsync(artifact);

            var featurizer = new HashedFeaturizer(Small);
            for (var i = 0; i < pairs.Count; i++)
            {
                Assert.Equal(featurizer.Margin(pairs[i], weights), margins[i], 1e-5f);
            }
            artifact.Position = 0;
            using var loaded = Assert.IsType<OnnxRewardModel>(await RewardModelArtifact.LoadAsync(artifact));
            Assert.Equal(margins, loaded.Score(pairs));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task ExternalTrainer_CorruptOnnxModel_FailsNamingModelFile()
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, "{\"not\": \"onnx\"}");
            var trainer = new ExternalProcessTrainer(new ExternalTrainerOptions { FileName = "cp", Arguments = [file, "{model}"] });
            var model = await trainer.TrainAsync(Labelled(TestPairs.Synthetic(4, seed: 5)), new TrainOptions(), null, default);

            var ex = await Assert.ThrowsAsync<ExternalTrainerException>(() => model.ScoreAsync(TestPairs.Synthetic(3, seed: 6)));

            Assert.StartsWith("{model}: The reward model is not an ONNX model", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
