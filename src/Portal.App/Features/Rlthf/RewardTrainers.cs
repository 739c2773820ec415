using Microsoft.Extensions.Configuration;
using Portal.Core.Rlthf;

namespace Portal.App.Features.Rlthf;

/// <summary>
/// The reward trainer the portal's rounds use: the built-in CPU trainer, or, when <c>Rlthf:ExternalTrainer:FileName</c> is
/// configured, a command that follows the contract in docs/external-trainer.md (a GPU trainer, say).
/// </summary>
public static class RewardTrainers
{
    /// <example>
    /// appsettings.json: <c>"Rlthf": { "ExternalTrainer": { "FileName": "python3", "Arguments": ["/opt/rm/train.py", "--train", "{train}",
    /// "--score", "{score}", "--out", "{out}"], "TimeoutMinutes": 120 } }</c>
    /// </example>
    /// <remarks><c>Rlthf:Onnx:Provider</c> (cpu, the default, or cuda) says where ONNX Runtime scores the models; cuda needs the GPU
    /// build (docs/gpu-worker.md). <c>Rlthf:ExternalTrainer:ReturnsModel</c> = true when the command writes an ONNX model to
    /// <c>{model}</c> (docs/external-trainer.md).</remarks>
    /// <remarks><c>Rlthf:Featurizer</c> picks the built-in trainer's features: <c>hashed</c> (word n-grams, the default),
    /// <c>minilm</c> (sentence embeddings of all-MiniLM-L6-v2, computed on the CPU before training and scoring) or
    /// <c>minilm+hashed</c> (both), with the version 2 parts of <see cref="EmbeddingOptions.Parse"/> after them; docs/rlthf.md has
    /// their accuracy and cost.</remarks>
    /// <exception cref="ArgumentException">An unknown provider or featurizer, naming the setting.</exception>
    public static IRewardTrainer FromConfiguration(IConfiguration? configuration)
    {
        var scoring = new OnnxScoringOptions
        {
            Provider = OnnxScoringOptions.ParseProvider(configuration?["Rlthf:Onnx:Provider"]),
            DeviceId = configuration?.GetValue("Rlthf:Onnx:DeviceId", 0) ?? 0,
        };
        var section = configuration?.GetSection("Rlthf:ExternalTrainer");
        if (section?["FileName"] is not { Length: > 0 } fileName)
        {
            return ParseFeaturizer(configuration?["Rlthf:Featurizer"]) is { } embedding
                ? new EmbeddingRewardTrainer(new SentenceEmbedder(), embedding, scoring: scoring)
                : new LinearRewardTrainer(scoring: scoring);
        }

        _ = ParseFeaturizer(configuration?["Rlthf:Featurizer"]); // a typo fails at start-up even when an external trainer is used
        return new ExternalProcessTrainer(new ExternalTrainerOptions
        {
            FileName = fileName,
            Arguments = section.GetSection("Arguments").Get<string[]>() ?? [],
            WorkingDirectory = section["WorkingDirectory"],
            Timeout = TimeSpan.FromMinutes(section.GetValue("TimeoutMinutes", 240)),
            ReturnsModel = section.GetValue("ReturnsModel", false),
            Scoring = scoring,
        });
    }

    /// <summary>Null for the hashed featurizer (empty is hashed), else the embedding options.</summary>
    /// <exception cref="ArgumentException">Anything else, naming the setting.</exception>
    public static EmbeddingOptions? ParseFeaturizer(string? value)
    {
        try
        {
            return EmbeddingOptions.Parse(value);
        }
        catch (FormatException ex)
        {
            throw new ArgumentException($"Rlthf:Featurizer is '{value}'; use hashed, minilm or minilm+hashed, optionally with +last, +joint, +ctx, +rfN or +hashedS ({ex.Message})", nameof(value), ex);
        }
    }
}
