using System.Text.Json.Serialization;

namespace Portal.Core.Agreement;

/// <summary>A computed coefficient and the data it was computed from; serializes to JSON with lower-case names.</summary>
/// <param name="Metric">krippendorff, fleiss, cohen, percent or gwet.</param>
/// <param name="Value">
/// The coefficient, or null when it is undefined for these data (JSON has no NaN); <see cref="Reason"/> then says why.
/// </param>
/// <param name="Units">
/// The units that entered the computation: those with two or more ratings (for cohen, those rated by both raters).
/// Units with a single rating drop out, except that Gwet's AC1 also counts them in its category shares.
/// </param>
/// <param name="Raters">The raters with a rating in those units.</param>
/// <param name="Ratings">The ratings in those units.</param>
/// <param name="Level">The measurement level for krippendorff; null for the other metrics.</param>
/// <param name="Weights">The weights for cohen; null for the other metrics.</param>
/// <param name="Reason">Why <see cref="Value"/> is null; null when there is a value.</param>
public sealed record AgreementResult(
    [property: JsonPropertyName("metric")] string Metric,
    [property: JsonPropertyName("value")] double? Value,
    [property: JsonPropertyName("units")] int Units,
    [property: JsonPropertyName("raters")] int Raters,
    [property: JsonPropertyName("ratings")] int Ratings,
    [property: JsonPropertyName("level")] string? Level,
    [property: JsonPropertyName("weights")] string? Weights,
    [property: JsonPropertyName("reason")] string? Reason);
