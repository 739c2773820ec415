namespace Portal.Core.Aggregation;

/// <summary>An annotator's answer to a pairwise comparison, as the small integer the aggregation code counts by.</summary>
public enum PreferenceChoice
{
    /// <summary>Response A is better.</summary>
    A = 0,

    /// <summary>Response B is better.</summary>
    B = 1,

    /// <summary>The responses are equally good.</summary>
    Tie = 2,

    /// <summary>Neither response is acceptable.</summary>
    BothBad = 3,
}
