using System.Globalization;
using Microsoft.Extensions.Configuration;
using Portal.App.Features.Organisations;
using Portal.Core.Common;

namespace Portal.App.Features.Import;

/// <summary>An upload larger than <see cref="UploadLimits.MaxUploadBytes"/>; nothing of it was kept.</summary>
public sealed class UploadTooLargeException(long limit)
    : Exception($"The upload is larger than {limit.ToString("N0", CultureInfo.InvariantCulture)} bytes, the most one upload may hold (Limits:UploadBytes). Nothing was kept.")
{
    public long Limit { get; } = limit;
}

/// <summary>
/// The limits on uploaded and imported files, from configuration: <c>Limits:UploadBytes</c> (default 1 GiB),
/// <c>Limits:DecompressedBytes</c> (2 GiB), <c>Limits:LineChars</c> (8 Mi characters; for Parquet, one string value),
/// <c>Limits:ExpansionRatio</c> (100) and <c>Limits:RowGroupBytes</c> (256 MiB, the uncompressed size a Parquet row group may declare).
/// </summary>
/// <remarks>Every import opens its file through <see cref="OpenText"/>, so a decompression bomb or an endless line fails
/// the import with a message naming the limit before the import holds more than the limits allow.</remarks>
public sealed class UploadLimits(IConfiguration configuration)
{
    public const long DefaultUploadBytes = 1L << 30;

    public long MaxUploadBytes => Positive("Limits:UploadBytes", DefaultUploadBytes);

    public InputLimits Input => new(
        Positive("Limits:DecompressedBytes", InputLimits.Default.MaxDecompressedBytes),
        (int)Math.Min(int.MaxValue, Positive("Limits:LineChars", InputLimits.Default.MaxLineChars)),
        configuration.GetValue("Limits:ExpansionRatio", InputLimits.Default.MaxExpansionRatio))
    {
        MaxRowGroupBytes = Positive("Limits:RowGroupBytes", InputLimits.DefaultRowGroupBytes),
    };

    /// <summary>Opens a stored upload as text (decompressed when its name ends in .gz) with the limits checked as it is read.</summary>
    /// <param name="file">The file itself, whose position tells how much has been read (for progress).</param>
    public TextReader OpenText(string path, string fileName, out FileStream file)
    {
        file = File.OpenRead(path);
        return BoundedInput.OpenText(file, BoundedInput.IsGzip(fileName), Input);
    }

    /// <summary>The limit <paramref name="ex"/> reports, as the validation error of the field <c>file</c>.</summary>
    public static PortalValidationException Explain(InputLimitException ex, string fileName) =>
        new("file", $"{fileName} {ex.Message} Nothing was imported.");

    /// <summary>
    /// Copies an upload to <paramref name="path"/> without holding it in memory, stopping at <see cref="MaxUploadBytes"/>.
    /// A partial file is deleted whatever went wrong (too large, the client gone, the disk full).
    /// </summary>
    /// <exception cref="UploadTooLargeException">The upload is larger than the limit.</exception>
    public async Task CopyBoundedAsync(Stream content, string path, CancellationToken ct)
    {
        var limit = MaxUploadBytes;
        try
        {
            await using (var file = File.Create(path))
            {
                var buffer = new byte[1 << 16];
                long total = 0;
                int n;
                while ((n = await content.ReadAsync(buffer, ct)) > 0)
                {
                    total += n;
                    if (total > limit)
                    {
                        throw new UploadTooLargeException(limit);
                    }

                    await file.WriteAsync(buffer.AsMemory(0, n), ct);
                }
            }
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    private long Positive(string key, long fallback) => configuration.GetValue(key, fallback) is > 0 and var v ? v : fallback;
}
