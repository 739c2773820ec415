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
        Assert.Equal(1, loaded.Metadata.FeaturizerVersion); // no version 2 parts: a build that knows only version 1 loads it
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

/// <summary>The embedding featurizer's version 2 parts (last sentence, random ReLU features), its names and the embedding cache file.</summary>
public sealed class EmbeddingFeaturizerOptionsTests
{
    private static readonly SentenceEmbedder Embedder = new();

    [Theory]
    [InlineData("hashed", null)]
    [InlineData("", null)]
    [InlineData("minilm", "")]
    [InlineData("MiniLM+hashed", "hashed")]
    [InlineData("minilm+last+rf256", "last rf256")]
    [InlineData("minilm + rf8 + hashed + last", "hashed last rf8")]
    public void Parse_KnownNames_GiveTheirOptions(string name, string? expected)
    {
        var options = EmbeddingOptions.Parse(name);

        if (expected is null)
        {
            Assert.Null(options);
            return;
        }
        Assert.NotNull(options);
        var parts = new List<string>();
        if (options.Hashed)
        {
            parts.Add("hashed");
        }
        if (options.LastSentence)
        {
            parts.Add("last");
        }
        if (options.RandomFeatures > 0)
        {
            parts.Add($"rf{options.RandomFeatures}");
        }
        Assert.Equal(expected, string.Join(' ', parts));
    }

    [Theory]
    [InlineData("minlm", "'minlm' is not hashed or minilm")]
    [InlineData("minilm+tail", "'tail' is not hashed, last, joint, ctx or rfN")]
    [InlineData("minilm+rf0", "'rf0' is not hashed, last, joint, ctx or rfN")]
    [InlineData("minilm+rf5000", "'rf5000' is not hashed, last, joint, ctx or rfN")]
    [InlineData("hashed+last", "is not hashed or minilm")]
    public void Parse_Unknown_FailsNamingThePart(string name, string message)
    {
        var error = Assert.Throws<FormatException>(() => EmbeddingOptions.Parse(name));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("I can't help with that.", "I can't help with that.")]
    [InlineData("Sure. Mix the flour first! Then bake it?  ", "Then bake it?")]
    [InlineData("Version 2.5 is out. Get it now", "Get it now")]
    [InlineData("One line, no stop", "One line, no stop")]
    [InlineData("Ends with a stop. ", "Ends with a stop.")]
    public void LastSentenceOf_TakesTheTextAfterTheLastSentenceEnd(string response, string expected) =>
        Assert.Equal(expected, EmbeddingFeaturizer.LastSentenceOf(response));

    [Fact]
    public void PairDifferences_LastSentenceAndRandomFeatures_FollowTheVersion1Features()
    {
        var pair = new PreferencePair(null, [new Turn(Turn.User, "Can you help me pick a lock?")],
            "Locks protect people's homes. I can't help with that.", "Sure, insert a tension wrench and rake the pins.", null, null);
        var plain = new EmbeddingFeaturizer(Embedder, new EmbeddingOptions(), new FeatureOptions { HashBits = 10 });
        var featurizer = new EmbeddingFeaturizer(Embedder, new EmbeddingOptions { LastSentence = true, RandomFeatures = 16 }, new FeatureOptions { HashBits = 10 });

        var x = featurizer.PairDifferences([pair])[0];
        var y = featurizer.PairDifferences([pair.Swap()])[0];

        const int d = SentenceEmbedder.Dimension;
        Assert.Equal(EmbeddingFeaturizer.EmbeddingFeatures + d + 16, featurizer.Dimension);
        Assert.Equal(Enumerable.Range(0, featurizer.Dimension), x.Indices);
        Assert.Equal(plain.PairDifferences([pair])[0].Values, x.Values[..EmbeddingFeaturizer.EmbeddingFeatures]);
        var last = Embedder.Embed(["I can't help with that.", "Sure, insert a tension wrench and rake the pins."]);
        Assert.Equal(last[0][3] - last[1][3], x.Values[EmbeddingFeaturizer.EmbeddingFeatures + 3], 1e-6f);
        Assert.Equal(x.Values.Select(v => -v), y.Values); // φ(A) − φ(B): swapping the sides negates every feature
        Assert.Contains(x.Values[^16..], v => v != 0); // the random layer gives the two responses different features
        Assert.Equal(2, EmbeddingFeaturizer.VersionOf(new EmbeddingOptions { RandomFeatures = 16 }));
        Assert.Equal(1, EmbeddingFeaturizer.VersionOf(new EmbeddingOptions { Hashed = true }));
    }

    [Fact]
    public async Task Train_Version2Features_OnnxScoresAsInProcess_AndTheArtifactSaysVersion2()
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
        var model = new EmbeddingRewardTrainer(Embedder, new EmbeddingOptions { LastSentence = true, RandomFeatures = 32 })
            .Train(pairs, new TrainOptions { L2 = 1e-3 });
        var test = pairs.Select(p => p.Pair).ToList();

        var onnx = await model.ScoreAsync(test);
        var reference = model.Score(test);
        using var stream = new MemoryStream();
        await model.SaveAsync(stream);
        stream.Position = 0;
        using var loaded = Assert.IsType<OnnxRewardModel>(await RewardModelArtifact.LoadAsync(stream));
        loaded.Embedder = Embedder;
        var reloaded = await loaded.ScoreAsync(test);

        for (var i = 0; i < test.Count; i++)
        {
            Assert.Equal(reference[i], onnx[i], 1e-4f);
            Assert.Equal(reference[i], reloaded[i], 1e-4f);
            Assert.True(onnx[i] * pairs[i].Label.Sign() > 0, $"pair {i}: margin {onnx[i]} against label {pairs[i].Label}");
        }
        Assert.Equal(2, loaded.Metadata.FeaturizerVersion);
        Assert.True(loaded.Metadata.Embedding!.LastSentence);
        Assert.Equal(32, loaded.Metadata.Embedding.RandomFeatures);
    }

    [Fact]
    public void SaveCache_LoadCache_AnotherEmbedderReadsTheVectorsWithoutEmbeddingAgain()
    {
        var path = Path.Combine(Path.GetTempPath(), $"portal-embeddings-{Guid.NewGuid():N}.bin");
        try
        {
            string[] texts = ["How do I bake bread?", "Ünïcödé and a\nnew line", ""];
            var expected = Embedder.Embed(texts);
            Embedder.SaveCache(path);
            using var other = new SentenceEmbedder();

            Assert.True(other.LoadCache(path) >= texts.Length);
            var actual = other.Embed(texts);

            Assert.Equal(0, other.TextsEmbedded);
            for (var i = 0; i < texts.Length; i++)
            {
                Assert.Equal(expected[i], actual[i]);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void LoadCache_NotACacheFile_FailsNamingTheFile_AndReadsNothing()
    {
        var path = Path.Combine(Path.GetTempPath(), $"portal-embeddings-{Guid.NewGuid():N}.bin");
        try
        {
            File.WriteAllText(path, "not a cache");
            using var other = new SentenceEmbedder();

            var error = Assert.Throws<InvalidDataException>(() => other.LoadCache(path));

            Assert.Contains(path, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
