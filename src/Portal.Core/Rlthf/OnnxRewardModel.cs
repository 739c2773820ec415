using System.Text;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Portal.Core.Pairs;

namespace Portal.Core.Rlthf;

/// <summary>Where ONNX Runtime runs a reward model: <c>Rlthf:Onnx:Provider</c> = cpu | cuda.</summary>
public enum OnnxProvider
{
    Cpu,

    /// <summary>CUDA; needs the GPU build of ONNX Runtime (<c>dotnet build -p:OnnxGpu=true</c>, docs/gpu-worker.md).</summary>
    Cuda,
}

/// <summary>How reward models are scored by ONNX Runtime.</summary>
public sealed record OnnxScoringOptions
{
    public OnnxProvider Provider { get; init; } = OnnxProvider.Cpu;

    /// <summary>CUDA device ordinal.</summary>
    public int DeviceId { get; init; }

    /// <summary>Pairs per InferenceSession run.</summary>
    public int BatchSize { get; init; } = 4096;

    /// <summary>Parses the configuration value (cpu or cuda, any case; empty is cpu).</summary>
    /// <exception cref="ArgumentException">Anything else, naming the setting.</exception>
    public static OnnxProvider ParseProvider(string? value) => value?.Trim().ToUpperInvariant() switch
    {
        null or "" or "CPU" => OnnxProvider.Cpu,
        "CUDA" => OnnxProvider.Cuda,
        _ => throw new ArgumentException($"Rlthf:Onnx:Provider is '{value}'; use cpu or cuda.", nameof(value)),
    };

    internal SessionOptions CreateSessionOptions()
    {
        if (Provider == OnnxProvider.Cpu)
        {
            return new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        }
        try
        {
            var options = SessionOptions.MakeSessionOptionWithCudaProvider(DeviceId);
            options.LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR;
            return options;
        }
        catch (Exception ex) when (ex is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
        {
            throw new InvalidOperationException(
                $"Rlthf:Onnx:Provider is cuda, but ONNX Runtime cannot use CUDA device {DeviceId} here ({ex.Message}). Build with -p:OnnxGpu=true on a machine with CUDA and cuDNN, or set the provider to cpu.", ex);
        }
    }
}

/// <summary>The training set a model saw, by where its labels came from.</summary>
public sealed record TrainingComposition(int Pairs, int AiPairs, int HumanPairs, int AutoFlipPairs);

/// <summary>
/// What a reward model artifact says about itself besides its ONNX graph: the featurizer (name, version and options) whose output
/// it takes, who trained it on what, and how well it did out of fold. Stored as JSON in the ONNX file's metadata
/// (<see cref="OnnxRewardModel.MetadataKey"/>) and beside it in the artifact.
/// </summary>
public sealed record RewardModelMetadata
{
    public string Featurizer { get; init; } = HashedFeaturizer.Name;

    public int FeaturizerVersion { get; init; } = HashedFeaturizer.Version;

    public FeatureOptions Features { get; init; } = new();

    /// <summary>For the <see cref="EmbeddingFeaturizer"/> (<c>portal-minilm</c>): whether the hashed features come first, and the embedding model.</summary>
    public EmbeddingOptions? Embedding { get; init; }

    public string? Trainer { get; init; }

    public TrainingComposition? Training { get; init; }

    /// <summary>Out-of-fold pairwise accuracy against the labels it could be checked on (the human ones in the portal).</summary>
    public double? OutOfFoldAccuracy { get; init; }

    public TrainingSummary? Summary { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, RewardModelArtifact.Json);

    /// <exception cref="InvalidDataException">Not JSON of this shape, or a featurizer this build does not know.</exception>
    public static RewardModelMetadata Parse(string json)
    {
        RewardModelMetadata? metadata;
        try
        {
            metadata = JsonSerializer.Deserialize<RewardModelMetadata>(json, RewardModelArtifact.Json);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"The reward model's metadata is not valid JSON: {ex.Message}", ex);
        }
        if (metadata is null)
        {
            throw new InvalidDataException("The reward model has no metadata.");
        }
        metadata.Check();
        return metadata;
    }

    internal void Check()
    {
        var known = Featurizer switch
        {
            HashedFeaturizer.Name => HashedFeaturizer.Version,
            EmbeddingFeaturizer.Name => Embedding is null || FeaturizerVersion > EmbeddingFeaturizer.Version ? EmbeddingFeaturizer.Version : EmbeddingFeaturizer.VersionOf(Embedding),
            _ => throw new InvalidDataException(
                $"The reward model takes the featurizer '{Featurizer}'; this build only has '{HashedFeaturizer.Name}' and '{EmbeddingFeaturizer.Name}'."),
        };
        if (FeaturizerVersion != known)
        {
            throw new InvalidDataException(
                $"The reward model was made for featurizer {Featurizer} version {FeaturizerVersion}; this build's is version {known}, whose features differ. Retrain the model.");
        }
        if (Featurizer == EmbeddingFeaturizer.Name && Embedding is null)
        {
            throw new InvalidDataException($"The reward model takes the featurizer '{Featurizer}' but its metadata has no 'embedding' options.");
        }
        if (Features is null)
        {
            throw new InvalidDataException("The reward model's metadata has no feature options.");
        }
        try
        {
            Features.Validate();
        }
        catch (ArgumentOutOfRangeException ex)
        {
            throw new InvalidDataException($"The reward model's feature options are invalid: {ex.Message}", ex);
        }
    }
}

/// <summary>
/// A reward model that ONNX Runtime scores: every margin the portal selects on comes from an <see cref="InferenceSession"/>.
/// </summary>
/// <remarks>
/// The contract of the graph: inputs <c>indices</c> (int64 [N, K]) and <c>values</c> (float [N, K]) hold each pair's sparse
/// featurizer difference φ(A) − φ(B), padded with index 0 and value 0; output <c>margin</c> (float [N]) is r(A) − r(B).
/// The built-in linear model is Gather(weights, indices) · values summed over K (<see cref="LinearGraph"/>); an external trainer
/// may send any graph with that signature. Sparse inputs rather than a dense [N, 2^HashBits] tensor: a pair has a few hundred
/// non-zero features out of 262,144, so the dense input would be a thousand times larger.
/// </remarks>
public sealed class OnnxRewardModel : TrainedRewardModel, IDisposable
{
    public const string IndicesInput = "indices", ValuesInput = "values", MarginOutput = "margin";

    /// <summary>Key of the metadata JSON in the ONNX file's metadata_props.</summary>
    public const string MetadataKey = "portal.reward_model";

    internal const string Kind = "onnx";

    private readonly InferenceSession _session;
    private readonly OnnxScoringOptions _scoring;

    private OnnxRewardModel(byte[] onnx, InferenceSession session, RewardModelMetadata metadata, OnnxScoringOptions scoring)
    {
        Onnx = onnx;
        _session = session;
        Metadata = metadata;
        _scoring = scoring;
    }

    /// <summary>The ONNX file.</summary>
    public byte[] Onnx { get; }

    public RewardModelMetadata Metadata { get; }

    /// <summary>Computes the sentence embeddings of a <c>portal-minilm</c> model; <see cref="SentenceEmbedder.Shared"/> when not set.</summary>
    public SentenceEmbedder? Embedder { get; set; }

    /// <summary>
    /// Loads an ONNX reward model. The metadata is <paramref name="metadata"/> when given, else the JSON under
    /// <see cref="MetadataKey"/> in the file.
    /// </summary>
    /// <exception cref="InvalidDataException">A file ONNX Runtime cannot read, inputs or outputs other than the contract's, no or
    /// unknown featurizer metadata. The message says which.</exception>
    public static OnnxRewardModel Load(byte[] onnx, RewardModelMetadata? metadata = null, OnnxScoringOptions? scoring = null)
    {
        ArgumentNullException.ThrowIfNull(onnx);
        scoring ??= new OnnxScoringOptions();
        metadata?.Check();
        InferenceSession session;
        using (var options = scoring.CreateSessionOptions())
        {
            try
            {
                session = new InferenceSession(onnx, options);
            }
            catch (OnnxRuntimeException ex)
            {
                throw new InvalidDataException($"The reward model is not an ONNX model ONNX Runtime can load: {ex.Message}", ex);
            }
        }
        try
        {
            CheckSignature(session);
            if (metadata is null)
            {
                if (!session.ModelMetadata.CustomMetadataMap.TryGetValue(MetadataKey, out var json))
                {
                    throw new InvalidDataException($"The ONNX model has no '{MetadataKey}' metadata naming its featurizer and version.");
                }
                metadata = RewardModelMetadata.Parse(json);
            }
            return new OnnxRewardModel(onnx, session, metadata, scoring);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>The built-in linear model as an ONNX graph: margin[n] = Σₖ weights[indices[n, k]]·values[n, k].</summary>
    public static byte[] LinearGraph(ReadOnlySpan<float> weights, RewardModelMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return new OnnxModelBuilder()
            .AddInput(IndicesInput, OnnxElementType.Signed64, "N", "K")
            .AddInput(ValuesInput, OnnxElementType.Real32, "N", "K")
            .AddOutput(MarginOutput, OnnxElementType.Real32, "N")
            .AddInitializer("weights", weights, weights.Length)
            .AddInitializer("axes", [1L], 1)
            .AddNode("Gather", ["weights", IndicesInput], ["gathered"], ("axis", 0))
            .AddNode("Mul", ["gathered", ValuesInput], ["products"])
            .AddNode("ReduceSum", ["products", "axes"], [MarginOutput], ("keepdims", 0))
            .AddMetadata(MetadataKey, metadata.ToJson())
            .ToBytes();
    }

    public override Task<float[]> ScoreAsync(IReadOnlyList<PreferencePair> pairs, CancellationToken cancellationToken = default) =>
        Task.FromResult(Score(pairs, cancellationToken));

    /// <summary>Margins r(A) − r(B): the pairs are featurized on all cores, a batch at a time, and run through the session.</summary>
    /// <exception cref="InvalidDataException">ONNX Runtime refused to run the model on the features (an index beyond its weights, say).</exception>
    public float[] Score(IReadOnlyList<PreferencePair> pairs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var margins = new float[pairs.Count];
        var batch = Math.Max(1, _scoring.BatchSize);
        var vectors = new SparseVector[Math.Min(batch, pairs.Count)];
        using var runOptions = new RunOptions();
        for (var start = 0; start < pairs.Count; start += batch)
        {
            var count = Math.Min(batch, pairs.Count - start);
            var from = start;
            if (Metadata.Embedding is { } embedding)
            {
                var slice = new PreferencePair[count];
                for (var i = 0; i < count; i++)
                {
                    slice[i] = pairs[from + i];
                }
                new EmbeddingFeaturizer(Embedder ?? SentenceEmbedder.Shared, embedding, Metadata.Features).PairDifferences(slice, cancellationToken).CopyTo(vectors, 0);
            }
            else
            {
                HashedFeaturizer.ForEachChunk(count, Metadata.Features, (featurizer, a, b) =>
                {
                    for (var i = a; i < b; i++)
                    {
                        vectors[i] = featurizer.PairDifference(pairs[from + i]);
                    }
                }, cancellationToken);
            }
            var width = 1;
            for (var i = 0; i < count; i++)
            {
                width = Math.Max(width, vectors[i].Count);
            }
            var indices = new long[count * width];
            var values = new float[count * width];
            for (var i = 0; i < count; i++)
            {
                var v = vectors[i];
                for (var k = 0; k < v.Count; k++)
                {
                    indices[(i * width) + k] = v.Indices[k];
                    values[(i * width) + k] = v.Values[k];
                }
            }
            RunBatch(indices, values, count, width, runOptions).CopyTo(margins.AsSpan(start, count));
        }
        return margins;
    }

    /// <summary>Runs the session on one padded batch: <paramref name="indices"/> and <paramref name="values"/> are [rows, width], row-major.</summary>
    internal float[] RunBatch(long[] indices, float[] values, int rows, int width, RunOptions? runOptions = null)
    {
        long[] shape = [rows, width];
        using var indicesValue = OrtValue.CreateTensorValueFromMemory(indices, shape);
        using var valuesValue = OrtValue.CreateTensorValueFromMemory(values, shape);
        using var ownRunOptions = runOptions is null ? new RunOptions() : null;
        try
        {
            using var results = _session.Run(runOptions ?? ownRunOptions!, [IndicesInput, ValuesInput], [indicesValue, valuesValue], [MarginOutput]);
            var output = results[0].GetTensorDataAsSpan<float>();
            if (output.Length != rows)
            {
                throw new InvalidDataException($"The ONNX model returned {output.Length} margins for {rows} pairs; '{MarginOutput}' must be float [N].");
            }
            return output.ToArray();
        }
        catch (OnnxRuntimeException ex)
        {
            throw new InvalidDataException($"ONNX Runtime could not score the pairs with this reward model: {ex.Message}", ex);
        }
    }

    /// <summary>Writes the artifact: header, kind <c>onnx</c>, the metadata JSON, then the ONNX file (length-prefixed).</summary>
    public override async Task SaveAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var metadata = Provenance is null ? Metadata : Metadata with
        {
            Training = Provenance.Training ?? Metadata.Training,
            OutOfFoldAccuracy = Provenance.OutOfFoldAccuracy ?? Metadata.OutOfFoldAccuracy,
            Trainer = Provenance.Trainer ?? Metadata.Trainer,
        };
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            RewardModelArtifact.WriteHeader(writer, Kind);
            writer.Write(metadata.ToJson());
            writer.Write(Onnx.Length);
            writer.Write(Onnx);
        }
        buffer.Position = 0;
        await buffer.CopyToAsync(stream, cancellationToken);
    }

    internal static OnnxRewardModel Read(BinaryReader reader, OnnxScoringOptions? scoring)
    {
        var metadata = RewardModelMetadata.Parse(reader.ReadString());
        var length = reader.ReadInt32();
        if (length <= 0)
        {
            throw new InvalidDataException($"The reward model artifact has an ONNX file of {length} bytes.");
        }
        var onnx = reader.ReadBytes(length);
        if (onnx.Length != length)
        {
            throw new InvalidDataException("The reward model artifact is truncated.");
        }
        return Load(onnx, metadata, scoring);
    }

    public void Dispose() => _session.Dispose();

    private static void CheckSignature(InferenceSession session)
    {
        var inputs = session.InputMetadata;
        var outputs = session.OutputMetadata;
        if (inputs.Count != 2 || !inputs.ContainsKey(IndicesInput) || !inputs.ContainsKey(ValuesInput))
        {
            throw new InvalidDataException(
                $"The ONNX model's inputs are {Names(inputs.Keys)}; a reward model takes exactly '{IndicesInput}' (int64 [N, K]) and '{ValuesInput}' (float [N, K]).");
        }
        if (!outputs.ContainsKey(MarginOutput))
        {
            throw new InvalidDataException($"The ONNX model's outputs are {Names(outputs.Keys)}; a reward model returns '{MarginOutput}' (float [N]).");
        }
        Expect(inputs[IndicesInput], IndicesInput, typeof(long), 2, "int64 [N, K]");
        Expect(inputs[ValuesInput], ValuesInput, typeof(float), 2, "float [N, K]");
        Expect(outputs[MarginOutput], MarginOutput, typeof(float), 1, "float [N]");
    }

    private static void Expect(NodeMetadata node, string name, Type elementType, int rank, string expected)
    {
        if (!node.IsTensor || node.ElementType != elementType || node.Dimensions.Length != rank)
        {
            var actual = node.IsTensor ? $"{node.ElementType.Name} [{string.Join(", ", node.Dimensions.Select((d, k) => d < 0 ? node.SymbolicDimensions[k] : d.ToString(System.Globalization.CultureInfo.InvariantCulture)))}]" : node.OnnxValueType.ToString();
            throw new InvalidDataException($"The ONNX model's '{name}' is {actual}; it must be {expected}.");
        }
    }

    private static string Names(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"'{n}'"));
}
