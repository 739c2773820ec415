using System.Globalization;

namespace Portal.Core.Agreement;

/// <summary>The coefficients <see cref="AgreementRunner"/> computes, named in results and on the command line in lower case.</summary>
public enum AgreementMetric
{
    /// <summary><see cref="AgreementMetrics.KrippendorffAlpha"/>: "krippendorff".</summary>
    Krippendorff,

    /// <summary><see cref="AgreementMetrics.FleissKappa"/>: "fleiss".</summary>
    Fleiss,

    /// <summary><see cref="AgreementMetrics.CohenKappa(RatingTable, KappaWeights, ReadOnlySpan{double})"/>: "cohen".</summary>
    Cohen,

    /// <summary><see cref="AgreementMetrics.PercentAgreement"/>: "percent".</summary>
    Percent,

    /// <summary><see cref="AgreementMetrics.GwetAc1"/>: "gwet".</summary>
    Gwet,
}

/// <summary>Which coefficient to compute, and its options.</summary>
/// <param name="Metric">The coefficient.</param>
/// <param name="Level">Krippendorff's alpha only; nominal when not given, as it assumes the least about the values.</param>
/// <param name="Weights">Cohen's kappa only; none when not given.</param>
/// <param name="Categories">
/// Cohen's kappa and Gwet's AC1 only: the full list of categories, including any no one used. Cohen's weights rank
/// among them and Gwet's chance agreement counts them; when not given, the values present are the categories.
/// </param>
public sealed record AgreementRequest(
    AgreementMetric Metric,
    MeasurementLevel? Level = null,
    KappaWeights? Weights = null,
    IReadOnlyList<double>? Categories = null)
{
    private static readonly string[] MetricNames = ["krippendorff", "fleiss", "cohen", "percent", "gwet"];
    private static readonly string[] LevelNames = ["nominal", "ordinal", "interval", "ratio"];
    private static readonly string[] WeightNames = ["none", "linear", "quadratic"];

    /// <summary>The lower-case name of a metric: krippendorff, fleiss, cohen, percent or gwet.</summary>
    public static string NameOf(AgreementMetric metric) => MetricNames[(int)metric];

    /// <summary>The lower-case name of a level: nominal, ordinal, interval or ratio.</summary>
    public static string NameOf(MeasurementLevel level) => LevelNames[(int)level];

    /// <summary>The lower-case name of a weighting: none, linear or quadratic.</summary>
    public static string NameOf(KappaWeights weights) => WeightNames[(int)weights];

    /// <summary>
    /// Reads a request from command-line text: <c>Parse("cohen", weights: "linear", categories: "1,2,3")</c>.
    /// Names are matched without regard to case; null or empty means not given.
    /// </summary>
    /// <exception cref="AgreementInputException">A name is unknown or a category is not a number.</exception>
    public static AgreementRequest Parse(string metric, string? level = null, string? weights = null, string? categories = null)
    {
        ArgumentNullException.ThrowIfNull(metric);
        return new AgreementRequest(
            (AgreementMetric)IndexOf(MetricNames, metric, "metric"),
            string.IsNullOrWhiteSpace(level) ? null : (MeasurementLevel)IndexOf(LevelNames, level, "level"),
            string.IsNullOrWhiteSpace(weights) ? null : (KappaWeights)IndexOf(WeightNames, weights, "weights"),
            string.IsNullOrWhiteSpace(categories) ? null : ParseCategories(categories));
    }

    private static int IndexOf(string[] names, string name, string option)
    {
        var index = Array.FindIndex(names, n => string.Equals(n, name.Trim(), StringComparison.OrdinalIgnoreCase));
        return index >= 0
            ? index
            : throw new AgreementInputException($"Unknown {option} '{name}'; expected one of {string.Join(", ", names)}.");
    }

    private static double[] ParseCategories(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var categories = new double[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out categories[i])
                || !double.IsFinite(categories[i]))
            {
                throw new AgreementInputException($"Category '{parts[i]}' in '{text}' is not a number; give categories as numbers separated by commas, such as 1,2,3.");
            }
        }

        return categories;
    }
}
