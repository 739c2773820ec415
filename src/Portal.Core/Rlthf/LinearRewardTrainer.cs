using Portal.Core.Pairs;

namespace Portal.Core.Rlthf;

/// <summary>
/// The built-in reward model: r(conversation, response) = w·φ(conversation, response) over <see cref="HashedFeaturizer"/>
/// features, fitted as a Bradley–Terry model.
/// </summary>
/// <remarks>
/// Minimises the weighted mean loss plus an L2 penalty by full-batch L-BFGS from w = 0:
/// <c>L(w) = Σᵢ cᵢ·log(1 + exp(−w·xᵢ)) / Σᵢ cᵢ + λ/2·‖w‖²</c>, with <c>xᵢ = φ(chosenᵢ) − φ(rejectedᵢ)</c> and cᵢ the pair's weight.
/// The objective is strictly convex, so the result does not depend on a seed; it runs on the calling thread.
/// </remarks>
public sealed class LinearRewardTrainer(FeatureOptions? features = null, OnnxScoringOptions? scoring = null) : IRewardTrainer
{
    public FeatureOptions Features { get; } = features ?? new FeatureOptions();

    /// <summary>Where ONNX Runtime scores the models this trainer returns.</summary>
    public OnnxScoringOptions Scoring { get; } = scoring ?? new OnnxScoringOptions();

    public Task<TrainedRewardModel> TrainAsync(IReadOnlyList<TrainingPair> pairs, TrainOptions options, IProgress<double>? progress, CancellationToken cancellationToken) =>
        Task.FromResult<TrainedRewardModel>(Train(pairs, options, progress, cancellationToken));

    /// <inheritdoc cref="TrainAsync"/>
    public LinearRewardModel Train(IReadOnlyList<TrainingPair> pairs, TrainOptions options, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentNullException.ThrowIfNull(options);
        if (options.L2 < 0 || double.IsNaN(options.L2))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.L2, "L2 must be 0 or more.");
        }
        var rows = PairRows.Build(Features, pairs, cancellationToken);
        if (rows.TotalWeight <= 0)
        {
            throw new ArgumentException("Training needs at least one pair with a positive weight.", nameof(pairs));
        }

        var lambda = (float)options.L2;
        var margins = new float[rows.Count];
        var result = Lbfgs.Minimize(
            1 << Features.HashBits,
            (w, gradient) => rows.Objective(w, gradient, lambda, margins),
            options.MaxIterations,
            cancellationToken,
            progress);
        progress?.Report(1.0);
        return new LinearRewardModel(Features, result.X, new TrainingSummary(pairs.Count, result.Iterations, result.Value)) { Scoring = Scoring };
    }
}

/// <summary>How a model was fitted: pairs, optimiser iterations and the final value of the objective.</summary>
public sealed record TrainingSummary(int Pairs, int Iterations, double Loss);

/// <summary>The training pairs as sparse rows xᵢ = φ(label's response) − φ(other response), with weights.</summary>
internal sealed class PairRows
{
    private int[] _offsets = [0];
    private int[] _indices = new int[1024];
    private float[] _values = new float[1024];
    private float[] _weights = [];

    public int Count { get; private set; }

    public double TotalWeight { get; private set; }

    /// <summary>Featurises the pairs (in parallel: each row is independent, so the rows are the same) and packs them in order.</summary>
    public static PairRows Build(FeatureOptions features, IReadOnlyList<TrainingPair> pairs, CancellationToken cancellationToken)
    {
        CheckWeights(pairs);
        var vectors = new SparseVector[pairs.Count];
        HashedFeaturizer.ForEachChunk(pairs.Count, features, (featurizer, from, to) =>
        {
            for (var i = from; i < to; i++)
            {
                vectors[i] = pairs[i].Weight > 0 ? featurizer.PairDifference(pairs[i].Pair) : default;
            }
        }, cancellationToken);
        return Pack(pairs, vectors);
    }

    /// <summary>Throws when a pair's weight is negative, NaN or infinite.</summary>
    public static void CheckWeights(IReadOnlyList<TrainingPair> pairs)
    {
        for (var i = 0; i < pairs.Count; i++)
        {
            var weight = pairs[i].Weight;
            if (!(weight >= 0) || float.IsInfinity(weight))
            {
                throw new ArgumentException($"Pair {i} has weight {weight}; weights must be finite and 0 or more.", nameof(pairs));
            }
        }
    }

    /// <summary>Packs each pair's φ(A) − φ(B) (<paramref name="vectors"/>, unused where the weight is 0) as a row for its label.</summary>
    public static PairRows Pack(IReadOnlyList<TrainingPair> pairs, SparseVector[] vectors)
    {
        var rows = new PairRows { _offsets = new int[pairs.Count + 1], _weights = new float[pairs.Count] };
        var nnz = 0;
        for (var i = 0; i < pairs.Count; i++)
        {
            var p = pairs[i];
            if (p.Weight == 0)
            {
                continue;
            }
            var x = vectors[i];
            vectors[i] = default;
            if (nnz + x.Count > rows._indices.Length)
            {
                var size = Math.Max(nnz + x.Count, rows._indices.Length * 2);
                Array.Resize(ref rows._indices, size);
                Array.Resize(ref rows._values, size);
            }
            x.Indices.CopyTo(rows._indices, nnz);
            var values = rows._values.AsSpan(nnz, x.Count);
            x.Values.CopyTo(values);
            if (p.Label == Preference.B)
            {
                System.Numerics.Tensors.TensorPrimitives.Negate(values, values);
            }
            nnz += x.Count;
            rows._weights[rows.Count] = p.Weight;
            rows.TotalWeight += p.Weight;
            rows.Count++;
            rows._offsets[rows.Count] = nnz;
        }
        return rows;
    }

    /// <summary>L(w) as in <see cref="LinearRewardTrainer"/>, and its gradient.</summary>
    public double Objective(ReadOnlySpan<float> w, Span<float> gradient, float lambda, float[] margins)
    {
        var loss = 0.0;
        for (var i = 0; i < Count; i++)
        {
            var z = 0f;
            for (var k = _offsets[i]; k < _offsets[i + 1]; k++)
            {
                z += _values[k] * w[_indices[k]];
            }
            margins[i] = z;
            loss += _weights[i] * Logistic.Softplus(-z);
        }
        // ∂L/∂w = −Σ cᵢ·σ(−zᵢ)·xᵢ / Σ cᵢ + λ·w
        System.Numerics.Tensors.TensorPrimitives.Multiply(w, lambda, gradient);
        var scale = 1.0 / TotalWeight;
        for (var i = 0; i < Count; i++)
        {
            var coefficient = (float)(-_weights[i] * scale / (1.0 + Math.Exp(margins[i])));
            for (var k = _offsets[i]; k < _offsets[i + 1]; k++)
            {
                gradient[_indices[k]] += coefficient * _values[k];
            }
        }
        var wNorm = System.Numerics.Tensors.TensorPrimitives.Norm(w);
        return (loss * scale) + (0.5 * lambda * wNorm * wNorm);
    }
}

internal static class Logistic
{
    /// <summary>log(1 + eᶻ) without overflow; Softplus(−m) is the Bradley–Terry loss of a pair with margin m for its label.</summary>
    public static double Softplus(double z) => z > 0 ? z + Math.Log(1 + Math.Exp(-z)) : Math.Log(1 + Math.Exp(z));
}
