using System.Text;
using System.Text.Json;

namespace Portal.Core.Rlthf;

/// <summary>
/// The stored form of a reward model: the bytes <c>PRM1</c>, a format version, the model kind, then the kind's own content.
/// </summary>
/// <remarks>Kind <c>onnx</c> (what every model is saved as now): the metadata JSON (<see cref="RewardModelMetadata"/>: featurizer name,
/// version and options, trainer, training-set composition, out-of-fold accuracy), then the ONNX file as an int32 length and its
/// bytes. Format version 1, kind <c>hashed-linear</c> (older artifacts, still read): feature options (JSON), training summary (JSON), then the non-zero
/// weights as (int32 index, float32 value) in increasing index order. Little-endian, strings length-prefixed as by BinaryWriter.</remarks>
public static class RewardModelArtifact
{
    public const int FormatVersion = 1;
    private static readonly byte[] Magic = "PRM1"u8.ToArray();

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Reads a model written by <see cref="TrainedRewardModel.SaveAsync"/>.</summary>
    /// <exception cref="InvalidDataException">Not an artifact, a newer format version, or an unknown kind.</exception>
    public static Task<TrainedRewardModel> LoadAsync(Stream stream, CancellationToken cancellationToken = default) =>
        LoadAsync(stream, null, cancellationToken);

    /// <summary>Reads a model, scoring with ONNX Runtime on <paramref name="scoring"/>'s provider.</summary>
    /// <exception cref="InvalidDataException">Not an artifact, a newer format version, an unknown kind, a corrupt ONNX file, or an
    /// unknown featurizer version.</exception>
    public static async Task<TrainedRewardModel> LoadAsync(Stream stream, OnnxScoringOptions? scoring, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken);
        buffer.Position = 0;
        using var reader = new BinaryReader(buffer, Encoding.UTF8);
        try
        {
            if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic))
            {
                throw new InvalidDataException("This is not a reward model artifact (it does not start with PRM1).");
            }
            var version = reader.ReadInt32();
            if (version is < 1 or > FormatVersion)
            {
                throw new InvalidDataException($"The reward model artifact has format version {version}; this build reads versions 1 to {FormatVersion}.");
            }
            var kind = reader.ReadString();
            return kind switch
            {
                LinearRewardModel.Kind => LinearRewardModel.Read(reader, scoring),
                OnnxRewardModel.Kind => OnnxRewardModel.Read(reader, scoring),
                _ => throw new InvalidDataException($"The reward model artifact is of kind '{kind}', which this build cannot load."),
            };
        }
        catch (EndOfStreamException ex)
        {
            throw new InvalidDataException("The reward model artifact is truncated.", ex);
        }
    }

    internal static void WriteHeader(BinaryWriter writer, string kind)
    {
        writer.Write(Magic);
        writer.Write(FormatVersion);
        writer.Write(kind);
    }
}
