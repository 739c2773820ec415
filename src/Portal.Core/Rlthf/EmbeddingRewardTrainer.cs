using Portal.Core.Pairs;

namespace Portal.Core.Rlthf;

/// <summary>
/// A reward model that reads the text: the same L2 Bradley–Terry fit as <see cref="LinearRewardTrainer"/>, over
/// <see cref="EmbeddingFeaturizer"/> features (sentence embeddings of the prompt and responses, optionally with the hashed
/// n-grams). The head is linear, so the model is the linear ONNX graph over those features; the portal computes the
/// embeddings before scoring.
/// </summary>
public sealed class EmbeddingRewardTrainer(SentenceEmbedder embedder, EmbeddingOptions? options = null, FeatureOptions? features = null, OnnxScoringOptions? scoring = null) : IRewardTrainer
{
    public SentenceEmbedder Embedder { get; } = embedder ?? throw new ArgumentNullException(nameof(embedder));

    public EmbeddingOptions Options { get; } = options ?? new EmbeddingOptions();

    /// <summary>The hashed features' options (used when <see cref="EmbeddingOptions.Hashed"/>).</summary>
    public FeatureOptions Features { get; } = features ?? new FeatureOptions();

    public OnnxScoringOptions Scoring { get; } = scoring ?? new OnnxScoringOptions();

    public Task<TrainedRewardModel> TrainAsync(IReadOnlyList<TrainingPair> pairs, TrainOptions options, IProgress<double>? progress, CancellationToken cancellationToken) =>
        Task.FromResult<TrainedRewardModel>(Train(pairs, options, progress, cancellationToken));

    /// <inheritdoc cref="TrainAsync"/>
    public EmbeddingRewardModel Train(IReadOnlyList<TrainingPair> pairs, TrainOptions options, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentNullException.ThrowIfNull(options);
        if (options.L2 < 0 || double.IsNaN(options.L2))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.L2, "L2 must be 0 or more.");
        }
        PairRows.CheckWeights(pairs);
        var featurizer = new EmbeddingFeaturizer(Embedder, Options, Features);
        var used = new List<int>(pairs.Count);
        for (var i = 0; i < pairs.Count; i++)
        {
            if (pairs[i].Weight > 0)
            {
                used.Add(i);
            }
        }
        var differences = featurizer.PairDifferences([.. used.Select(i => pairs[i].Pair)], cancellationToken);
        var vectors = new SparseVector[pairs.Count];
        for (var k = 0; k < used.Count; k++)
        {
            vectors[used[k]] = differences[k];
        }
        var rows = PairRows.Pack(pairs, vectors);
        if (rows.TotalWeight <= 0)
        {
            throw new ArgumentException("Training needs at least one pair with a positive weight.", nameof(pairs));
        }
        var lambda = (float)options.L2;
        var margins = new float[rows.Count];
        var result = Lbfgs.Minimize(
            featurizer.Dimension,
            (w, gradient) => rows.Objective(w, gradient, lambda, margins),
            options.MaxIterations,
            cancellationToken,
            progress);
        progress?.Report(1.0);
        return new EmbeddingRewardModel(Embedder, Options, Features, result.X, new TrainingSummary(pairs.Count, result.Iterations, result.Value)) { Scoring = Scoring };
    }
}

/// <summary>A trained <see cref="EmbeddingRewardTrainer"/> model: the linear head's weights over <see cref="EmbeddingFeaturizer"/> features.</summary>
public sealed class EmbeddingRewardModel : TrainedRewardModel
{
    private readonly float[] _weights;

    public EmbeddingRewardModel(SentenceEmbedder embedder, EmbeddingOptions options, FeatureOptions features, float[] weights, TrainingSummary summary)
    {
        ArgumentNullException.ThrowIfNull(weights);
        Featurizer = new EmbeddingFeaturizer(embedder, options, features);
        if (weights.Length != Featurizer.Dimension)
        {
            throw new ArgumentException($"Expected {Featurizer.Dimension} weights, got {weights.Length}.", nameof(weights));
        }
        Embedder = embedder;
        Options = options;
        Features = features;
        _weights = weights;
        Summary = summary;
    }

    public SentenceEmbedder Embedder { get; }

    public EmbeddingOptions Options { get; }

    public FeatureOptions Features { get; }

    public EmbeddingFeaturizer Featurizer { get; }

    public TrainingSummary Summary { get; }

    public ReadOnlySpan<float> Weights => _weights;

    public OnnxScoringOptions Scoring { get; init; } = new();

    public RewardModelMetadata Metadata => new()
    {
        Featurizer = EmbeddingFeaturizer.Name,
        FeaturizerVersion = EmbeddingFeaturizer.VersionOf(Options),
        Features = Features,
        Embedding = Options,
        Summary = Summary,
        Trainer = Provenance?.Trainer ?? "built-in linear Bradley–Terry (sentence embeddings" + (Options.Hashed ? " and hashed n-grams)" : ")"),
        Training = Provenance?.Training,
        OutOfFoldAccuracy = Provenance?.OutOfFoldAccuracy,
    };

    /// <summary>The linear head as an ONNX graph in an InferenceSession that embeds with this model's embedder; dispose it.</summary>
    public OnnxRewardModel ToOnnx()
    {
        var metadata = Metadata;
        var onnx = OnnxRewardModel.Load(OnnxRewardModel.LinearGraph(_weights, metadata), metadata, Scoring);
        onnx.Embedder = Embedder;
        return onnx;
    }

    /// <summary>Margins from ONNX Runtime: the embeddings are computed here, the linear head runs in the session.</summary>
    public override Task<float[]> ScoreAsync(IReadOnlyList<PreferencePair> pairs, CancellationToken cancellationToken = default)
    {
        using var onnx = ToOnnx();
        return Task.FromResult(onnx.Score(pairs, cancellationToken));
    }

    /// <summary>Margins computed in this process, without ONNX Runtime: the reference the ONNX path is checked against.</summary>
    public float[] Score(IReadOnlyList<PreferencePair> pairs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        return [.. Featurizer.PairDifferences(pairs, cancellationToken).Select(v => v.Dot(_weights))];
    }

    public override async Task SaveAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var onnx = ToOnnx();
        await onnx.SaveAsync(stream, cancellationToken);
    }
}
