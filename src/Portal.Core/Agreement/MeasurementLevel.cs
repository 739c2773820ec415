namespace Portal.Core.Agreement;

/// <summary>The scale of the values, which fixes the difference function of Krippendorff's alpha.</summary>
public enum MeasurementLevel
{
    /// <summary>Categories without order: two values differ or they do not.</summary>
    Nominal,

    /// <summary>Ranks: the difference counts how many pairable values lie between two values.</summary>
    Ordinal,

    /// <summary>Equal steps: the squared difference of the values.</summary>
    Interval,

    /// <summary>Equal steps from an absolute zero: the squared difference relative to the sum. Values must be non-negative.</summary>
    Ratio,
}
