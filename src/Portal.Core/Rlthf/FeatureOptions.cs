namespace Portal.Core.Rlthf;

/// <summary>
/// What <see cref="HashedFeaturizer"/> extracts from a response. Every feature depends on the response (features of the
/// prompt alone cancel in a Bradley–Terry difference); none is a hand-written judgement of quality.
/// </summary>
public sealed record FeatureOptions
{
    /// <summary>Features are hashed into 2^HashBits weights (10 to 24).</summary>
    public int HashBits { get; init; } = 18;

    /// <summary>Lower-cased word unigrams of the response.</summary>
    public bool WordUnigrams { get; init; } = true;

    /// <summary>Adjacent word pairs of the response.</summary>
    public bool WordBigrams { get; init; } = true;

    /// <summary>Shortest character n-gram (of the lower-cased response, white space collapsed); 0, the default, turns them off.</summary>
    /// <remarks>3 to 5 changes out-of-fold accuracy on HH-RLHF by less than its noise (±0.3 point), loses 3.5 points on
    /// 20,000 synthetic pairs and makes training 2 to 15 times slower (docs/rlthf.md).</remarks>
    public int CharNgramMin { get; init; }

    /// <summary>Longest character n-gram.</summary>
    public int CharNgramMax { get; init; }

    /// <summary>Log length in characters and words, newlines, question and exclamation marks, digits, list lines, word repetition.</summary>
    public bool Structure { get; init; } = true;

    /// <summary>Share of the response's words found in the last user message, the whole conversation and the previous assistant turn.</summary>
    public bool PromptOverlap { get; init; } = true;

    /// <summary>Counts of refusal, apology, hedging, harm, clarifying-question and redirection phrases (a fixed list, <see cref="HashedFeaturizer.MarkerGroups"/>).</summary>
    public bool Markers { get; init; }

    /// <summary>Scale of the structure, overlap and marker features relative to the unit-length n-gram part.</summary>
    public float NumericScale { get; init; } = 0.1f;

    internal void Validate()
    {
        if (HashBits is < 10 or > 24)
        {
            throw new ArgumentOutOfRangeException(nameof(HashBits), HashBits, "HashBits must be between 10 and 24.");
        }
        if (!(NumericScale >= 0) || float.IsInfinity(NumericScale))
        {
            throw new ArgumentOutOfRangeException(nameof(NumericScale), NumericScale, "NumericScale must be finite and 0 or more.");
        }
        if (CharNgramMin < 0 || (CharNgramMin > 0 && (CharNgramMax < CharNgramMin || CharNgramMax > 8)))
        {
            throw new ArgumentOutOfRangeException(nameof(CharNgramMax), CharNgramMax, "Character n-grams need 0 < CharNgramMin <= CharNgramMax <= 8, or CharNgramMin = 0.");
        }
    }
}
