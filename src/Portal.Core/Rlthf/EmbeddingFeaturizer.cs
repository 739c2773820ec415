using Portal.Core.Pairs;

namespace Portal.Core.Rlthf;

/// <summary>What <see cref="EmbeddingFeaturizer"/> puts beside the sentence-embedding features.</summary>
public sealed record EmbeddingOptions
{
    /// <summary>Also the <see cref="HashedFeaturizer"/> features (with the model's <see cref="RewardModelMetadata.Features"/>), first in the vector.</summary>
    public bool Hashed { get; init; }

    /// <summary>The embedding model, informational (<see cref="SentenceEmbedder.ModelName"/>).</summary>
    public string Model { get; init; } = SentenceEmbedder.ModelName;
}

/// <summary>
/// Features of a response read by a pretrained sentence encoder: with e_r and e_p the unit embeddings of the response and of
/// the user's last message, φ(conversation, response) = [e_r, e_r ⊙ e_p, e_r·e_p, ln(1 + characters)/10] (770 floats),
/// optionally after the hashed n-gram features. A pair's vector is φ(A) − φ(B), sparse in form (every embedding slot
/// is set) so the same linear ONNX graph (<see cref="OnnxRewardModel.LinearGraph"/>) scores it.
/// </summary>
public sealed class EmbeddingFeaturizer
{
    /// <summary>The featurizer's name in a model's metadata.</summary>
    public const string Name = "portal-minilm";

    /// <summary>Changes whenever the same options give different features; a model made for another version is refused.</summary>
    public const int Version = 1;

    /// <summary>Embedding features per response.</summary>
    public const int EmbeddingFeatures = (2 * SentenceEmbedder.Dimension) + 2;

    private readonly SentenceEmbedder _embedder;
    private readonly FeatureOptions _hashed;
    private readonly EmbeddingOptions _options;

    public EmbeddingFeaturizer(SentenceEmbedder embedder, EmbeddingOptions options, FeatureOptions hashed)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(hashed);
        hashed.Validate();
        _embedder = embedder;
        _options = options;
        _hashed = hashed;
    }

    /// <summary>Index of the first embedding feature: 2^HashBits with the hashed features, else 0.</summary>
    public int Offset => _options.Hashed ? 1 << _hashed.HashBits : 0;

    /// <summary>Length of the weight vector.</summary>
    public int Dimension => Offset + EmbeddingFeatures;

    /// <summary>The text the prompt's embedding is taken of: the user's last message (empty when there is none).</summary>
    public static string PromptText(IReadOnlyList<Turn> conversation)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        for (var i = conversation.Count - 1; i >= 0; i--)
        {
            if (conversation[i].Role == Turn.User)
            {
                return conversation[i].Content;
            }
        }
        return "";
    }

    /// <summary>φ(A) − φ(B) of each pair; every new prompt and response is embedded first, in one pass.</summary>
    public SparseVector[] PairDifferences(IReadOnlyList<PreferencePair> pairs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var texts = new string[pairs.Count * 3];
        for (var i = 0; i < pairs.Count; i++)
        {
            texts[3 * i] = PromptText(pairs[i].Conversation);
            texts[(3 * i) + 1] = pairs[i].ResponseA;
            texts[(3 * i) + 2] = pairs[i].ResponseB;
        }
        var embeddings = _embedder.Embed(texts, cancellationToken);
        var vectors = new SparseVector[pairs.Count];
        var offset = Offset;
        HashedFeaturizer.ForEachChunk(pairs.Count, _hashed, (hashed, from, to) =>
        {
            for (var i = from; i < to; i++)
            {
                var head = _options.Hashed ? hashed.PairDifference(pairs[i]) : new SparseVector([], []);
                var indices = new int[head.Count + EmbeddingFeatures];
                var values = new float[indices.Length];
                head.Indices.CopyTo(indices, 0);
                head.Values.CopyTo(values, 0);
                var tail = values.AsSpan(head.Count);
                Response(embeddings[3 * i], embeddings[(3 * i) + 1], pairs[i].ResponseA.Length, tail, 1f);
                Response(embeddings[3 * i], embeddings[(3 * i) + 2], pairs[i].ResponseB.Length, tail, -1f);
                for (var k = 0; k < EmbeddingFeatures; k++)
                {
                    indices[head.Count + k] = offset + k;
                }
                vectors[i] = new SparseVector(indices, values);
            }
        }, cancellationToken);
        return vectors;
    }

    /// <summary>Adds sign·φ of one response to <paramref name="into"/> (the embedding part).</summary>
    private static void Response(float[] prompt, float[] response, int characters, Span<float> into, float sign)
    {
        const int d = SentenceEmbedder.Dimension;
        var cosine = 0f;
        for (var k = 0; k < d; k++)
        {
            into[k] += sign * response[k];
            into[d + k] += sign * response[k] * prompt[k];
            cosine += response[k] * prompt[k];
        }
        into[2 * d] += sign * cosine;
        into[(2 * d) + 1] += sign * MathF.Log(1 + characters) / 10f;
    }
}
