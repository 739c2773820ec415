namespace Portal.Core.Export;

/// <summary>Where a curated pair's label came from (unlike <see cref="Rlthf.LabelSource"/>, the source of a label within a targeted-feedback run).</summary>
public enum CuratedLabelSource
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
