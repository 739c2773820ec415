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

    /// <summary>Aggregated from the ratings of external raters only: labels that came with an imported dataset.</summary>
    External,

    /// <summary>Aggregated from human ratings together with external raters' labels that came with an imported dataset.</summary>
    HumanAndExternal,
}

/// <summary>The names exports write for a <see cref="CuratedLabelSource"/>.</summary>
public static class CuratedLabelSourceNames
{
    /// <summary><c>human</c>, <c>ai</c>, <c>ai_confirmed_by_humans</c>, <c>ai_overturned_by_humans</c>, <c>external</c> or <c>human_and_external</c>.</summary>
    public static string ToExportName(this CuratedLabelSource source) => source switch
    {
        CuratedLabelSource.Human => "human",
        CuratedLabelSource.Ai => "ai",
        CuratedLabelSource.AiConfirmedByHumans => "ai_confirmed_by_humans",
        CuratedLabelSource.AiOverturnedByHumans => "ai_overturned_by_humans",
        CuratedLabelSource.External => "external",
        CuratedLabelSource.HumanAndExternal => "human_and_external",
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, "Unknown label source."),
    };

    /// <summary>The dataset card's words for a source.</summary>
    public static string ToCardName(this CuratedLabelSource source) => source switch
    {
        CuratedLabelSource.Human => "human",
        CuratedLabelSource.Ai => "AI",
        CuratedLabelSource.AiConfirmedByHumans => "AI, confirmed by humans",
        CuratedLabelSource.AiOverturnedByHumans => "AI, overturned by humans",
        CuratedLabelSource.External => "external raters (labels imported with the dataset)",
        CuratedLabelSource.HumanAndExternal => "human and external raters",
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, "Unknown label source."),
    };
}
