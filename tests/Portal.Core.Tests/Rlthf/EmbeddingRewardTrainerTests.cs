using Portal.Core.Pairs;
using Portal.Core.Rlthf;

namespace Portal.Core.Tests.Rlthf;

/// <summary>The sentence-embedding reward model on a few dozen short texts (the real all-MiniLM-L6-v2, on the CPU).</summary>
public sealed class EmbeddingRewardTrainerTests
{
    // One embedder for the class: loading the model takes seconds, embedding a short text milliseconds.
    private static readonly SentenceEmbedder Embedder = new();

    private static readonly (string Prompt, string OnTopic)[] Topics =
    [
        ("How do I bake bread at home?", "Mix flour, water, yeast and salt, knead the dough, let it rise, then bake it in a hot oven."),
        ("What is a good way to learn to swim?", "Take lessons in a shallow pool and practise floating and kicking before strokes."),
        ("How can I save money each month?", "Write a budget, track your spending and move some of each pay cheque into savings."),
        ("Why is the sky blue?", "Air scatters short blue wavelengths of sunlight more than red ones, so the sky looks blue."),
        ("How do I change a flat tyre?", "Loosen the wheel nuts, jack up the car, swap in the spare wheel and tighten the nuts."),
        ("What should I feed a puppy?", "Give a puppy food made for young dogs, in small meals several times a day."),
        ("How do plants make food?", "Plants use sunlight, water and carbon dioxide to make sugar by photosynthesis."),
        ("How do I fix a slow laptop?", "Close programs you do not need, remove startup apps and check the disk for space."),
        ("What helps me fall asleep?", "Keep a regular bedtime, avoid screens late at night and keep your bedroom dark."),
        ("How do I plant tomatoes?", "Plant tomato seedlings in sunny soil, water them deeply and tie them to stakes."),
        ("How do volcanoes erupt?", "Molten rock rises from deep underground and bursts out when pressure builds up."),
        ("How do I write a cover letter?", "Say which job you want, show how your experience fits it and end with a thank you."),
    ];

    /// <summary>Pairs whose preferred response answers the prompt and whose other one answers another prompt.</summary>
    private static List<PreferencePair> OnTopicPairs(int shift) =>
        [.. Topics.Select((t, i) => new PreferencePair($"p{i}", [new Turn(Turn.User, t.Prompt)], t.OnTopic, Topics[(i + shift) % Topics.Length].OnTopic, Preference.A, null))];

    private static List<TrainingPair> Labelled(IEnumerable<PreferencePair> pairs) => [.. pairs.Select(p => new TrainingPair(p, p.Label!.Value))];

    private static float Dot(float[] a, float[] b) => a.Zip(b, (x, y) => x * y).Sum();

    [Fact]
    public void Embed_SimilarTexts_AreCloserThanUnrelatedOnes_AndCachedByText()
    {
        var embedder = new SentenceEmbedder();
        using (embedder)
        {
            var e = embedder.Embed(["How do I bake bread?", "A recipe for making bread at home", "The stock market fell today", "How do I bake bread?"]);

            Assert.All(e, v => Assert.Equal(1.0, Math.Sqrt(Dot(v, v)), 1e-3));
            Assert.True(Dot(e[0], e[1]) > Dot(e[0], e[2]) + 0.3, $"bread·recipe {Dot(e[0], e[1])}, bread·stocks {Dot(e[0], e[2])}");
            Assert.Same(e[0], e[3]);
            Assert.Equal(3, embedder.TextsEmbedded);

            embedder.Embed(["The stock market fell today"]);
            Assert.Equal(3, embedder.TextsEmbedded);
        }
    }

    [Fact]
    public void PairDifferences_EmbeddingPart_IsTheDifferenceOfTheResponsesFeatures_AfterTheHashedPart()
    {
        var hashed = new FeatureOptions { HashBits = 10 };
        var pair = new PreferencePair(null, [new Turn(Turn.User, "Old question"), new Turn(Turn.Assistant, "Old answer"), new Turn(Turn.User, "Why is the sky blue?")],
            "Sunlight is scattered by the air.", "I like turtles.", null, null);
        var featurizer = new EmbeddingFeaturizer(Embedder, new EmbeddingOptions { Hashed = true }, hashed);

        var x = featurizer.PairDifferences([pair])[0];

        var head = new HashedFeaturizer(hashed).PairDifference(pair);
        Assert.Equal(1024, featurizer.Offset);
        Assert.Equal(1024 + EmbeddingFeaturizer.EmbeddingFeatures, featurizer.Dimension);
        Assert.Equal(head.Indices, x.Indices[..head.Count]);
        Assert.Equal(head.Values, x.Values[..head.Count]);
        Assert.Equal(Enumerable.Range(1024, EmbeddingFeaturizer.EmbeddingFeatures), x.Indices[head.Count..]);
        var tail = x.Values[head.Count..];
        var e = Embedder.Embed(["Why is the sky blue?", pair.ResponseA, pair.ResponseB]); // the prompt is the user's last message
        const int d = SentenceEmbedder.Dimension;
        Assert.Equal(e[1][5] - e[2][5], tail[5], 1e-6f);
        Assert.Equal((e[1][7] * e[0][7]) - (e[2][7] * e[0][7]), tail[d + 7], 1e-6f);
        Assert.Equal(Dot(e[1], e[0]) - Dot(e[2], e[0]), tail[2 * d], 1e-5f);
        Assert.Equal((MathF.Log(1 + pair.ResponseA.Length) - MathF.Log(1 + pair.ResponseB.Length)) / 10f, tail[(2 * d) + 1], 1e-6f);
    }

    [Fact]
    public async Task Train_OnTopicAnswers_PrefersThemInUnseenPairings_AndOnnxScoresAsInProcess()
    {
        // Every response is preferred once (to its own prompt) and rejected once (to another), so only the prompt-response
        // features (e_r ⊙ e_p, e_r·e_p) can tell the pairs apart; the test pairs put each answer against a different one.
        var trainer = new EmbeddingRewardTrainer(Embedder);
        var train = OnTopicPairs(shift: 5).Select((p, i) => i % 2 == 0 ? p : p.Swap()).ToList();
        var test = OnTopicPairs(shift: 2).Select((p, i) => i % 2 == 1 ? p : p.Swap()).ToList();

        var model = trainer.Train(Labelled(train), new TrainOptions { L2 = 1e-3 });
        var onnx = await model.ScoreAsync(test);
        var reference = model.Score(test);

        for (var i = 0; i < test.Count; i++)
        {
            Assert.Equal(reference[i], onnx[i], 1e-4f);
            Assert.True(onnx[i] * test[i].Label!.Value.Sign() > 0, $"pair {i}: margin {onnx[i]} against label {test[i].Label}");
        }
    }

    [Fact]
    public async Task SaveAsync_Artifact_NamesTheFeaturizerAndScoresTheSame()
    {
        var model = new EmbeddingRewardTrainer(Embedder, new EmbeddingOptions { Hashed = true }, new FeatureOptions { HashBits = 10 })
            .Train(Labelled(OnTopicPairs(shift: 3)), new TrainOptions());
        model.Provenance = new RewardModelProvenance(null, new TrainingComposition(12, 12, 0, 0), 0.75);
        var test = OnTopicPairs(shift: 7);

        using var stream = new MemoryStream();
        await model.SaveAsync(stream);
        stream.Position = 0;
        using var loaded = Assert.IsType<OnnxRewardModel>(await RewardModelArtifact.LoadAsync(stream));
        loaded.Embedder = Embedder;

        Assert.Equal(EmbeddingFeaturizer.Name, loaded.Metadata.Featurizer);
        Assert.Equal(EmbeddingFeaturizer.Version, loaded.Metadata.FeaturizerVersion);
        Assert.True(loaded.Metadata.Embedding!.Hashed);
        Assert.Equal(SentenceEmbedder.ModelName, loaded.Metadata.Embedding.Model);
        Assert.Equal(0.75, loaded.Metadata.OutOfFoldAccuracy);
        var expected = model.Score(test);
        var actual = await loaded.ScoreAsync(test);
        for (var i = 0; i < test.Count; i++)
        {
            Assert.Equal(expected[i], actual[i], 1e-4f);
        }
    }

    [Fact]
    public void Load_UnknownEmbeddingFeaturizerVersion_FailsNamingIt()
    {
        var metadata = new RewardModelMetadata { Featurizer = EmbeddingFeaturizer.Name, FeaturizerVersion = EmbeddingFeaturizer.Version + 1, Embedding = new EmbeddingOptions() };
        var graph = OnnxRewardModel.LinearGraph(new float[EmbeddingFeaturizer.EmbeddingFeatures], metadata);

        var error = Assert.Throws<InvalidDataException>(() => OnnxRewardModel.Load(graph));

        Assert.Contains($"{EmbeddingFeaturizer.Name} version {EmbeddingFeaturizer.Version + 1}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_EmbeddingFeaturizerWithoutItsOptions_Fails()
    {
        var metadata = new RewardModelMetadata { Featurizer = EmbeddingFeaturizer.Name, FeaturizerVersion = EmbeddingFeaturizer.Version };
        var graph = OnnxRewardModel.LinearGraph(new float[EmbeddingFeaturizer.EmbeddingFeatures], metadata);

        var error = Assert.Throws<InvalidDataException>(() => OnnxRewardModel.Load(graph));

        Assert.Contains("'embedding'", error.Message, StringComparison.Ordinal);
    }
}
