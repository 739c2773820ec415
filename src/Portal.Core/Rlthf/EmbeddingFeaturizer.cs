using Portal.Core.Pairs;

namespace Portal.Core.Rlthf;

/// <summary>What <see cref="EmbeddingFeaturizer"/> puts beside the sentence-embedding features.</summary>
public sealed record EmbeddingOptions
{
    /// <summary>Also the <see cref="HashedFeaturizer"/> features (with the model's <see cref="RewardModelMetadata.Features"/>), first in the vector.</summary>
    public bool Hashed { get; init; }

    /// <summary>
    /// Multiplies the hashed features (with <see cref="Hashed"/>): below 1 the shared L2 penalty weighs on them more than on the
    /// embedding features (λ/s² in effect). 1 by default.
    /// </summary>
    public float HashedScale { get; init; } = 1f;

    /// <summary>The embedding model, informational (<see cref="SentenceEmbedder.ModelName"/>).</summary>
    public string Model { get; init; } = SentenceEmbedder.ModelName;

    /// <summary>
    /// Also the embedding of the response's last sentence (384 floats more per response): the encoder reads at most 256 word
    /// pieces, so a long response's end is lost, and a refusal or a caveat is often in its last sentence.
    /// </summary>
    public bool LastSentence { get; init; }

    /// <summary>
    /// Also this many fixed random ReLU features of [e_r, e_p] (a hidden layer drawn once from a fixed seed, not trained), so the
    /// linear head can fit a non-linear function of the embeddings and the ONNX graph stays linear; 0 = none.
    /// </summary>
    public int RandomFeatures { get; init; }

    /// <summary>
    /// Also the embedding of the response read together with the user's last message (<see cref="EmbeddingFeaturizer.JointText"/>,
    /// 384 floats more per response): the encoder then attends across the two, which separate embeddings cannot.
    /// </summary>
    public bool Joint { get; init; }

    /// <summary>
    /// Also the response against the whole conversation, newest turn first (<see cref="EmbeddingFeaturizer.ConversationText"/>):
    /// [e_r ⊙ e_c, e_r·e_c], 385 floats more per response.
    /// </summary>
    public bool Context { get; init; }

    /// <summary>
    /// Parses a featurizer name: <c>hashed</c> (null: the <see cref="HashedFeaturizer"/>), or <c>minilm</c> followed by any of
    /// <c>+hashed</c>, <c>+last</c> (<see cref="LastSentence"/>) and <c>+rf</c>N (<see cref="RandomFeatures"/> = N), in any order.
    /// </summary>
    /// <exception cref="FormatException">Anything else, with what is wrong in it.</exception>
    public static EmbeddingOptions? Parse(string? value)
    {
        var parts = (value ?? "").Trim().ToUpperInvariant().Split('+', StringSplitOptions.TrimEntries);
        if (parts is [""] or ["HASHED"])
        {
            return null;
        }
        if (parts[0] != "MINILM")
        {
            throw new FormatException($"'{value}' is not hashed or minilm[+hashed][+last][+joint][+ctx][+rfN].");
        }
        var options = new EmbeddingOptions();
        foreach (var part in parts.Skip(1))
        {
            options = part switch
            {
                "HASHED" => options with { Hashed = true },
                _ when part.StartsWith("HASHED", StringComparison.Ordinal) && float.TryParse(part.AsSpan(6), System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var scale) && scale is > 0 and <= 10
                    => options with { Hashed = true, HashedScale = scale },
                "LAST" => options with { LastSentence = true },
                "JOINT" => options with { Joint = true },
                "CTX" => options with { Context = true },
                _ when part.StartsWith("RF", StringComparison.Ordinal) && int.TryParse(part.AsSpan(2), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n is > 0 and <= 4096
                    => options with { RandomFeatures = n },
                _ => throw new FormatException($"'{value}': '{part.ToLowerInvariant()}' is not hashed, last, joint, ctx or rfN (N from 1 to 4096)."),
            };
        }
        return options;
    }
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

    /// <summary>
    /// The newest version this build knows; changes whenever the same options give different features. Version 2 added
    /// <see cref="EmbeddingOptions.LastSentence"/> and <see cref="EmbeddingOptions.RandomFeatures"/>; a model without them is
    /// still version 1 (<see cref="VersionOf"/>), so a build that knows only version 1 refuses just the models it cannot score.
    /// </summary>
    public const int Version = 2;

    /// <summary>The version a model with these options is made for: 1 without the parts version 2 added, else 2.</summary>
    public static int VersionOf(EmbeddingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.LastSentence || options.RandomFeatures > 0 || options.Joint || options.Context || options.HashedScale != 1f ? 2 : 1;
    }

    /// <summary>Embedding features per response with the default options (no last sentence, no random features).</summary>
    public const int EmbeddingFeatures = (2 * SentenceEmbedder.Dimension) + 2;

    private const int RandomFeatureSeed = 152;

    private readonly SentenceEmbedder _embedder;
    private readonly FeatureOptions _hashed;
    private readonly EmbeddingOptions _options;
    private readonly float[]? _random;

    public EmbeddingFeaturizer(SentenceEmbedder embedder, EmbeddingOptions options, FeatureOptions hashed)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(hashed);
        hashed.Validate();
        _embedder = embedder;
        _options = options;
        _hashed = hashed;
        if (options.RandomFeatures is < 0 or > 4096)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.RandomFeatures, "RandomFeatures must be between 0 and 4096.");
        }
        _random = options.RandomFeatures == 0 ? null : RandomLayer(options.RandomFeatures);
    }

    /// <summary>Index of the first embedding feature: 2^HashBits with the hashed features, else 0.</summary>
    public int Offset => _options.Hashed ? 1 << _hashed.HashBits : 0;

    /// <summary>Embedding features per response with these options.</summary>
    public int FeaturesPerResponse => EmbeddingFeatures
        + (_options.LastSentence ? SentenceEmbedder.Dimension : 0)
        + (_options.Joint ? SentenceEmbedder.Dimension : 0)
        + (_options.Context ? SentenceEmbedder.Dimension + 1 : 0)
        + _options.RandomFeatures;

    /// <summary>The text of a response read with the user's last message: the response first, so the encoder's cut falls on the message.</summary>
    public static string JointText(string prompt, string response) => $"{response}\n\nQuestion: {prompt}";

    /// <summary>The conversation before the response, newest turn first, so the encoder's cut drops the oldest turns.</summary>
    public static string ConversationText(IReadOnlyList<Turn> conversation)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        return string.Join("\n", conversation.Reverse().Select(t => $"{(t.Role == Turn.User ? "User" : "Assistant")}: {t.Content}"));
    }

    /// <summary>Length of the weight vector.</summary>
    public int Dimension => Offset + FeaturesPerResponse;

    /// <summary>
    /// The last sentence of a response: the text after the last '.', '!' or '?' that is followed by white space and more text
    /// (the whole response when it has one sentence).
    /// </summary>
    public static string LastSentenceOf(string response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var text = response.TrimEnd();
        for (var i = text.Length - 2; i > 0; i--)
        {
            if (char.IsWhiteSpace(text[i]) && text[i - 1] is '.' or '!' or '?' && i + 1 < text.Length)
            {
                return text[(i + 1)..].TrimStart();
            }
        }
        return text;
    }

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
        // Texts per pair: prompt, A, B, then A's and B's last sentences, A and B read with the prompt, the conversation.
        var last = _options.LastSentence ? 3 : -1;
        var joint = _options.Joint ? 3 + (_options.LastSentence ? 2 : 0) : -1;
        var context = _options.Context ? 3 + (_options.LastSentence ? 2 : 0) + (_options.Joint ? 2 : 0) : -1;
        var stride = 3 + (_options.LastSentence ? 2 : 0) + (_options.Joint ? 2 : 0) + (_options.Context ? 1 : 0);
        var texts = new string[pairs.Count * stride];
        for (var i = 0; i < pairs.Count; i++)
        {
            var at = stride * i;
            texts[at] = PromptText(pairs[i].Conversation);
            texts[at + 1] = pairs[i].ResponseA;
            texts[at + 2] = pairs[i].ResponseB;
            if (last >= 0)
            {
                texts[at + last] = LastSentenceOf(pairs[i].ResponseA);
                texts[at + last + 1] = LastSentenceOf(pairs[i].ResponseB);
            }
            if (joint >= 0)
            {
                texts[at + joint] = JointText(texts[at], pairs[i].ResponseA);
                texts[at + joint + 1] = JointText(texts[at], pairs[i].ResponseB);
            }
            if (context >= 0)
            {
                texts[at + context] = ConversationText(pairs[i].Conversation);
            }
        }
        var embeddings = _embedder.Embed(texts, cancellationToken);
        var vectors = new SparseVector[pairs.Count];
        var offset = Offset;
        var perResponse = FeaturesPerResponse;
        HashedFeaturizer.ForEachChunk(pairs.Count, _hashed, (hashed, from, to) =>
        {
            var hidden = new float[_options.RandomFeatures];
            for (var i = from; i < to; i++)
            {
                var head = _options.Hashed ? hashed.PairDifference(pairs[i]) : new SparseVector([], []);
                var indices = new int[head.Count + perResponse];
                var values = new float[indices.Length];
                head.Indices.CopyTo(indices, 0);
                head.Values.CopyTo(values, 0);
                if (_options.HashedScale != 1f)
                {
                    foreach (ref var v in values.AsSpan(0, head.Count))
                    {
                        v *= _options.HashedScale;
                    }
                }
                var tail = values.AsSpan(head.Count);
                var e = embeddings.AsSpan(stride * i, stride);
                Response(e[0], e[1], pairs[i].ResponseA.Length, tail, 1f);
                Response(e[0], e[2], pairs[i].ResponseB.Length, tail, -1f);
                var next = EmbeddingFeatures;
                const int d = SentenceEmbedder.Dimension;
                if (last >= 0)
                {
                    Add(e[last], tail.Slice(next, d), 1f);
                    Add(e[last + 1], tail.Slice(next, d), -1f);
                    next += d;
                }
                if (joint >= 0)
                {
                    Add(e[joint], tail.Slice(next, d), 1f);
                    Add(e[joint + 1], tail.Slice(next, d), -1f);
                    next += d;
                }
                if (context >= 0)
                {
                    Against(e[1], e[context], tail.Slice(next, d + 1), 1f);
                    Against(e[2], e[context], tail.Slice(next, d + 1), -1f);
                    next += d + 1;
                }
                if (_random is not null)
                {
                    Add(Hidden(e[0], e[1], hidden), tail.Slice(next, hidden.Length), 1f);
                    Add(Hidden(e[0], e[2], hidden), tail.Slice(next, hidden.Length), -1f);
                }
                for (var k = 0; k < perResponse; k++)
                {
                    indices[head.Count + k] = offset + k;
                }
                vectors[i] = new SparseVector(indices, values);
            }
        }, cancellationToken);
        return vectors;
    }

    // sign·[r ⊙ c, r·c] into into (d + 1 floats).
    private static void Against(float[] response, float[] context, Span<float> into, float sign)
    {
        var cosine = 0f;
        for (var k = 0; k < response.Length; k++)
        {
            into[k] += sign * response[k] * context[k];
            cosine += response[k] * context[k];
        }
        into[response.Length] += sign * cosine;
    }

    private static void Add(ReadOnlySpan<float> from, Span<float> into, float sign)
    {
        for (var k = 0; k < into.Length; k++)
        {
            into[k] += sign * from[k];
        }
    }

    // relu(W·[e_r, e_p] + b) / √H into hidden; W ~ N(0, 1/2) so W·x ~ N(0, 1) for unit e_r and e_p, b ~ N(0, 1/4).
    private float[] Hidden(float[] prompt, float[] response, float[] hidden)
    {
        const int d = SentenceEmbedder.Dimension;
        var h = hidden.Length;
        var scale = 1f / MathF.Sqrt(h);
        for (var j = 0; j < h; j++)
        {
            var row = _random!.AsSpan(j * ((2 * d) + 1), (2 * d) + 1);
            var z = row[2 * d];
            for (var k = 0; k < d; k++)
            {
                z += (row[k] * response[k]) + (row[d + k] * prompt[k]);
            }
            hidden[j] = z > 0 ? z * scale : 0f;
        }
        return hidden;
    }

    private static float[] RandomLayer(int h)
    {
        const int d = SentenceEmbedder.Dimension;
        var random = new Random(RandomFeatureSeed);
        var layer = new float[h * ((2 * d) + 1)];
        for (var j = 0; j < h; j++)
        {
            for (var k = 0; k <= 2 * d; k++)
            {
                // Box–Muller: a standard normal from two uniforms.
                var normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
                layer[(j * ((2 * d) + 1)) + k] = (float)(normal * (k == 2 * d ? 0.5 : Math.Sqrt(0.5)));
            }
        }
        return layer;
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
