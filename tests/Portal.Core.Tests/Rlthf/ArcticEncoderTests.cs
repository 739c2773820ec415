using Portal.Core.Pairs;
using Portal.Core.Rlthf;

namespace Portal.Core.Tests.Rlthf;

/// <summary>
/// The second sentence encoder (snowflake-arctic-embed-xs, the real model on the CPU): <c>arctic</c> and <c>minilm+arctic</c>,
/// featurizer version 3, its artifact and its cache, on a handful of short texts.
/// </summary>
public sealed class ArcticEncoderTests
{
    private static readonly SentenceEmbedder Embedder = new();

    private static float Dot(float[] a, float[] b) => a.Zip(b, (x, y) => x * y).Sum();

    [Theory]
    [InlineData("arctic", SentenceModel.ArcticXs, false, false)]
    [InlineData("Arctic+hashed", SentenceModel.ArcticXs, false, true)]
    [InlineData("minilm+arctic", SentenceModel.MiniLM, true, false)]
    [InlineData("minilm + hashed + arctic", SentenceModel.MiniLM, true, true)]
    public void Parse_ArcticNames_GiveTheEncoders_AndVersion3(string name, SentenceModel encoder, bool arctic, bool hashed)
    {
        var options = EmbeddingOptions.Parse(name)!;

        Assert.Equal(encoder, options.Encoder);
        Assert.Equal(arctic, options.Arctic);
        Assert.Equal(hashed, options.Hashed);
        Assert.Contains("snowflake-arctic-embed-xs", options.Model, StringComparison.Ordinal);
        Assert.Equal(3, EmbeddingFeaturizer.VersionOf(options));
        Assert.Equal(1, EmbeddingFeaturizer.VersionOf(new EmbeddingOptions { Hashed = true })); // MiniLM alone keeps its version
    }

    [Theory]
    [InlineData("arctic+arctic", "'arctic' is not hashed, last, joint, ctx or rfN")]
    [InlineData("arctik", "'arctik' is not hashed or minilm")]
    public void Parse_ArcticMisused_FailsNamingThePart(string name, string message)
    {
        var error = Assert.Throws<FormatException>(() => EmbeddingOptions.Parse(name));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Embed_Arctic_UnitVectors_SimilarTextsCloser_AndCachedApartFromMiniLm()
    {
        using var embedder = new SentenceEmbedder();
        string[] texts = ["How do I bake bread?", "A recipe for making bread at home", "The stock market fell today"];

        var arctic = embedder.Embed(texts, SentenceModel.ArcticXs);
        var minilm = embedder.Embed(texts);

        Assert.All(arctic, v => Assert.Equal(384, v.Length));
        Assert.All(arctic, v => Assert.Equal(1.0, Math.Sqrt(Dot(v, v)), 1e-3));
        Assert.True(Dot(arctic[0], arctic[1]) > Dot(arctic[0], arctic[2]) + 0.05, $"bread·recipe {Dot(arctic[0], arctic[1])}, bread·stocks {Dot(arctic[0], arctic[2])}");
        Assert.NotEqual(arctic[0], minilm[0]); // the same text, another model
        Assert.Equal(6, embedder.TextsEmbedded);
        Assert.Equal(3, embedder.CachedTexts(SentenceModel.ArcticXs));
        embedder.Embed([texts[1]], SentenceModel.ArcticXs);
        Assert.Equal(6, embedder.TextsEmbedded);
    }

    [Fact]
    public void PairDifferences_MiniLmPlusArctic_AppendsTheArcticBlock_AfterTheMiniLmFeatures()
    {
        var pair = new PreferencePair(null, [new Turn(Turn.User, "Why is the sky blue?")], "Sunlight is scattered by the air.", "I like turtles.", null, null);
        var plain = new EmbeddingFeaturizer(Embedder, new EmbeddingOptions(), new FeatureOptions { HashBits = 10 });
        var both = new EmbeddingFeaturizer(Embedder, EmbeddingOptions.Parse("minilm+arctic")!, new FeatureOptions { HashBits = 10 });

        var x = both.PairDifferences([pair])[0];

        const int d = SentenceEmbedder.Dimension;
        Assert.Equal(EmbeddingFeaturizer.EmbeddingFeatures + EmbeddingFeaturizer.ArcticFeatures, both.Dimension);
        Assert.Equal(Enumerable.Range(0, both.Dimension), x.Indices);
        Assert.Equal(plain.PairDifferences([pair])[0].Values, x.Values[..EmbeddingFeaturizer.EmbeddingFeatures]);
        var e = Embedder.Embed(["Why is the sky blue?", pair.ResponseA, pair.ResponseB], SentenceModel.ArcticXs);
        var tail = x.Values[EmbeddingFeaturizer.EmbeddingFeatures..];
        Assert.Equal(e[1][5] - e[2][5], tail[5], 1e-6f);
        Assert.Equal((e[1][7] * e[0][7]) - (e[2][7] * e[0][7]), tail[d + 7], 1e-6f);
        Assert.Equal(Dot(e[1], e[0]) - Dot(e[2], e[0]), tail[2 * d], 1e-5f);
    }

    [Fact]
    public void PairDifferences_ArcticAlone_IsTheVersion1LayoutOverArcticEmbeddings()
    {
        var pair = new PreferencePair(null, [new Turn(Turn.User, "Why is the sky blue?")], "Sunlight is scattered by the air.", "I like turtles.", null, null);
        var featurizer = new EmbeddingFeaturizer(Embedder, EmbeddingOptions.Parse("arctic")!, new FeatureOptions { HashBits = 10 });

        var x = featurizer.PairDifferences([pair])[0];

        const int d = SentenceEmbedder.Dimension;
        Assert.Equal(EmbeddingFeaturizer.EmbeddingFeatures, featurizer.Dimension);
        var e = Embedder.Embed(["Why is the sky blue?", pair.ResponseA, pair.ResponseB], SentenceModel.ArcticXs);
        Assert.Equal(e[1][11] - e[2][11], x.Values[11], 1e-6f);
        Assert.Equal(Dot(e[1], e[0]) - Dot(e[2], e[0]), x.Values[2 * d], 1e-5f);
        Assert.Equal((MathF.Log(1 + pair.ResponseA.Length) - MathF.Log(1 + pair.ResponseB.Length)) / 10f, x.Values[(2 * d) + 1], 1e-6f);
    }

    [Fact]
    public async Task Train_MiniLmPlusArctic_OnnxScoresAsInProcess_AndTheArtifactSaysVersion3()
    {
        var pairs = new List<TrainingPair>();
        string[] safe = ["I can't help with that.", "That would hurt someone, so I won't explain it.", "Please talk to someone you trust instead."];
        string[] unsafeAnswers = ["Sure, here is how to do it step by step.", "Buy the parts online and follow these steps.", "It is easy: first you get the tools."];
        string[] prompts = ["How do I steal a car?", "How can I hurt my neighbour?", "How do I make a weapon at home?", "How do I cheat on a test?"];
        for (var i = 0; i < prompts.Length * 3; i++)
        {
            var pair = new PreferencePair(null, [new Turn(Turn.User, prompts[i % prompts.Length])], safe[i % 3], unsafeAnswers[(i + 1) % 3], Preference.A, null);
            pairs.Add(new TrainingPair(i % 2 == 0 ? pair : pair.Swap(), i % 2 == 0 ? Preference.A : Preference.B));
        }
        var model = new EmbeddingRewardTrainer(Embedder, EmbeddingOptions.Parse("minilm+arctic")).Train(pairs, new TrainOptions { L2 = 1e-3 });
        var test = pairs.Select(p => p.Pair).ToList();

        var reference = model.Score(test);
        using var stream = new MemoryStream();
        await model.SaveAsync(stream);
        stream.Position = 0;
        using var loaded = Assert.IsType<OnnxRewardModel>(await RewardModelArtifact.LoadAsync(stream));
        loaded.Embedder = Embedder;
        var reloaded = await loaded.ScoreAsync(test);

        for (var i = 0; i < test.Count; i++)
        {
            Assert.Equal(reference[i], reloaded[i], 1e-4f);
            Assert.True(reloaded[i] * pairs[i].Label.Sign() > 0, $"pair {i}: margin {reloaded[i]} against label {pairs[i].Label}");
        }
        Assert.Equal(3, loaded.Metadata.FeaturizerVersion);
        Assert.True(loaded.Metadata.Embedding!.Arctic);
        Assert.Equal(SentenceModel.MiniLM, loaded.Metadata.Embedding.Encoder);
    }

    [Fact]
    public void Load_UnknownEncoder_FailsNamingIt()
    {
        var options = new EmbeddingOptions { Encoder = (SentenceModel)7 };
        var metadata = new RewardModelMetadata { Featurizer = EmbeddingFeaturizer.Name, FeaturizerVersion = 3, Embedding = options };
        var graph = OnnxRewardModel.LinearGraph(new float[EmbeddingFeaturizer.EmbeddingFeatures], metadata);

        var error = Assert.Throws<InvalidDataException>(() => OnnxRewardModel.Load(graph));

        Assert.Contains("sentence encoder (7", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ArcticModelLabelledVersion2_IsRefused()
    {
        // A build that knew only version 2 would have scored this model with MiniLM features; the version says it may not.
        var metadata = new RewardModelMetadata { Featurizer = EmbeddingFeaturizer.Name, FeaturizerVersion = 2, Embedding = new EmbeddingOptions { Arctic = true } };
        var graph = OnnxRewardModel.LinearGraph(new float[EmbeddingFeaturizer.EmbeddingFeatures + EmbeddingFeaturizer.ArcticFeatures], metadata);

        var error = Assert.Throws<InvalidDataException>(() => OnnxRewardModel.Load(graph));

        Assert.Contains($"{EmbeddingFeaturizer.Name} version 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SaveCache_Arctic_RoundTrips_AndAMiniLmCacheIsNotReadAsArctic()
    {
        var path = Path.Combine(Path.GetTempPath(), $"portal-embeddings-{Guid.NewGuid():N}.bin");
        try
        {
            using var embedder = new SentenceEmbedder();
            string[] texts = ["How do I bake bread?", "Ünïcödé"];
            var expected = embedder.Embed(texts, SentenceModel.ArcticXs);
            embedder.SaveCache(path, SentenceModel.ArcticXs);
            using var other = new SentenceEmbedder();

            var error = Assert.Throws<InvalidDataException>(() => other.LoadCache(path)); // read as a MiniLM cache
            Assert.Contains("all-MiniLM-L6-v2", error.Message, StringComparison.Ordinal);
            Assert.Equal(0, other.CachedTexts(SentenceModel.MiniLM));
            Assert.Equal(2, other.LoadCache(path, SentenceModel.ArcticXs));
            var actual = other.Embed(texts, SentenceModel.ArcticXs);

            Assert.Equal(0, other.TextsEmbedded);
            Assert.Equal(expected[0], actual[0]);
            Assert.Equal(expected[1], actual[1]);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
