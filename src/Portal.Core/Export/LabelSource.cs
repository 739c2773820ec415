namespace Portal.Core.Export;

/// <summary>Where a curated pair's label came from.</summary>
public enum LabelSource
{
    /// <summary>Aggregated from human ratings only.</summary>
    Human,

    /// <summary>An AI label that no human checked.</summary>
    Ai,

    /// <summary>An AI label that human ratings agreed with.</summary>
    AiConfirmedByHumans,

    /// <summary>An AI label that human ratings overturned; the human aggregate is the label.</summary>
    AiOverturnedByHumans,
}
