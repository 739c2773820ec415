using System.Text;
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

    public override Task<float[]> ScoreAsync(IReadOnlyList<PreferencePair> pairs, CancellationToken cancellationToken = default) =>
        Task.FromResult(Score(pairs, cancellationToken));

    /// <summary>Margins r(A) − r(B), on all cores for large lists (each margin is independent, so the result is the same).</summary>
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

    public override async Task SaveAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            RewardModelArtifact.WriteHeader(writer, Kind);
            writer.Write(JsonSerializer.Serialize(Features, RewardModelArtifact.Json));
            writer.Write(JsonSerializer.Serialize(Summary, RewardModelArtifact.Json));
            var nonZero = 0;
            foreach (var w in _weights)
            {
                nonZero += w != 0f ? 1 : 0;
            }
            writer.Write(nonZero);
            for (var i = 0; i < _weights.Length; i++)
            {
                if (_weights[i] != 0f)
                {
                    writer.Write(i);
                    writer.Write(_weights[i]);
                }
            }
        }
        buffer.Position = 0;
        await buffer.CopyToAsync(stream, cancellationToken);
    }

    internal static LinearRewardModel Read(BinaryReader reader)
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
        return new LinearRewardModel(features, weights, summary);
    }
}
