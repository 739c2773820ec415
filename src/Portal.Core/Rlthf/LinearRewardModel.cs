using System.Text.Json;
using Portal.Core.Pairs;

namespace Portal.Core.Rlthf;

/// <summary>A trained <see cref="LinearRewardTrainer"/> model: hashed-feature weights and the options that produced the features.</summary>
public sealed class LinearRewardModel : TrainedRewardModel
{
    internal const string Kind = "hashed-linear";
    private readonly float[] _weights;

    public LinearRewardModel(FeatureOptions features, float[] weights, TrainingSummary summary)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(weights);
        features.Validate();
        if (weights.Length != 1 << features.HashBits)
        {
            throw new ArgumentException($"Expected 2^{features.HashBits} weights, got {weights.Length}.", nameof(weights));
        }
        Features = features;
        _weights = weights;
        Summary = summary;
    }

    public FeatureOptions Features { get; }

    public TrainingSummary Summary { get; }

    public ReadOnlySpan<float> Weights => _weights;

    /// <summary>Where ONNX Runtime scores this model.</summary>
    public OnnxScoringOptions Scoring { get; init; } = new();

    /// <summary>Margins r(A) − r(B) from ONNX Runtime: the model is exported (<see cref="ToOnnx"/>) and run by an InferenceSession.</summary>
    public override Task<float[]> ScoreAsync(IReadOnlyList<PreferencePair> pairs, CancellationToken cancellationToken = default)
    {
        using var onnx = ToOnnx();
        return Task.FromResult(onnx.Score(pairs, cancellationToken));
    }

    /// <summary>The metadata its ONNX export carries: featurizer, options, training summary and <see cref="TrainedRewardModel.Provenance"/>.</summary>
    public RewardModelMetadata Metadata => new()
    {
        Features = Features,
        Summary = Summary,
        Trainer = Provenance?.Trainer ?? "built-in linear Bradley–Terry (hashed n-grams)",
        Training = Provenance?.Training,
        OutOfFoldAccuracy = Provenance?.OutOfFoldAccuracy,
    };

    /// <summary>The model as an ONNX graph (<see cref="OnnxRewardModel.LinearGraph"/>) in an InferenceSession; dispose it.</summary>
    public OnnxRewardModel ToOnnx()
    {
        var metadata = Metadata;
        return OnnxRewardModel.Load(OnnxRewardModel.LinearGraph(_weights, metadata), metadata, Scoring);
    }

    /// <summary>Margins computed in this process, without ONNX Runtime: the reference the ONNX path is checked against.</summary>
    public float[] Score(IReadOnlyList<PreferencePair> pairs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var margins = new float[pairs.Count];
        HashedFeaturizer.ForEachChunk(margins.Length, Features, (featurizer, from, to) =>
        {
            for (var i = from; i < to; i++)
            {
                margins[i] = featurizer.Margin(pairs[i], _weights);
            }
        }, cancellationToken);
        return margins;
    }

    /// <summary>The reward of one response: w·φ(conversation, response). Only differences between responses to the same conversation mean anything.</summary>
    public float Reward(IReadOnlyList<Turn> conversation, string response) => new HashedFeaturizer(Features).Features(conversation, response).Dot(_weights);

    /// <summary>Saves the model as an ONNX artifact (kind <c>onnx</c>, see <see cref="RewardModelArtifact"/>).</summary>
    public override async Task SaveAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var onnx = ToOnnx();
        await onnx.SaveAsync(stream, cancellationToken);
    }

    internal static LinearRewardModel Read(BinaryReader reader, OnnxScoringOptions? scoring)
    {
        var features = JsonSerializer.Deserialize<FeatureOptions>(reader.ReadString(), RewardModelArtifact.Json)
            ?? throw new InvalidDataException("The reward model artifact has no feature options.");
        var summary = JsonSerializer.Deserialize<TrainingSummary>(reader.ReadString(), RewardModelArtifact.Json)
            ?? throw new InvalidDataException("The reward model artifact has no training summary.");
        features.Validate();
        var weights = new float[1 << features.HashBits];
        var count = reader.ReadInt32();
        var previous = -1;
        for (var k = 0; k < count; k++)
        {
            var index = reader.ReadInt32();
            if (index <= previous || index >= weights.Length)
            {
                throw new InvalidDataException($"The reward model artifact has weight index {index} out of order or out of range.");
            }
            weights[index] = reader.ReadSingle();
            previous = index;
        }
        return new LinearRewardModel(features, weights, summary) { Scoring = scoring ?? new() };
    }
}
