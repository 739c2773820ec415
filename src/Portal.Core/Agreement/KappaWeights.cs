namespace Portal.Core.Agreement;

/// <summary>How much Cohen's kappa counts a disagreement between the categories ranked i and j.</summary>
public enum KappaWeights
{
    /// <summary>Every disagreement counts fully: [i != j].</summary>
    None,

    /// <summary>In proportion to the distance in rank: |i - j|.</summary>
    Linear,

    /// <summary>In proportion to the squared distance in rank: (i - j)².</summary>
    Quadratic,
}
