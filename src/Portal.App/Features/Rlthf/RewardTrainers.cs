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
    /// <exception cref="ArgumentException">An unknown provider, naming the setting.</exception>
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
            return new LinearRewardTrainer(scoring: scoring);
        }

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
}
