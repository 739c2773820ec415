namespace Portal.App.Features.Quality;

/// <summary>
/// A project's agreement and annotator quality as the recompute job last found them. Gold items are left out:
/// they measure annotators, not the data.
/// </summary>
public sealed record QualityReport(
    DateTime ComputedAt,
    int Annotations,
    int Items,
    IReadOnlyList<DimensionAgreement> Dimensions,
    IReadOnlyList<WeeklyAgreement> Weekly,
    string? PairDimension,
    IReadOnlyList<PairAgreement> Pairs,
    IReadOnlyList<AnnotatorQuality> Annotators,
    AiVsHumans? AiVsHumans = null);

/// <summary>
/// Agreement on one rated dimension: a Likert attribute (ordinal alpha over the scores), the pairwise choice (nominal
/// alpha over A/B/tie/both bad) or the signed strength (ordinal alpha on −levels…+levels). Null values are undefined
/// for the data (no item with two ratings, or no variation at all).
/// </summary>
public sealed record DimensionAgreement(string Key, string Name, string Level, double? Alpha, double? PercentAgreement, int Units, int Ratings, int Raters);

/// <summary>A dimension's alpha over every annotation made up to the end of the week starting <see cref="WeekStart"/> (Monday).</summary>
public sealed record WeeklyAgreement(DateOnly WeekStart, string Key, double? Alpha, int Units);

/// <summary>Cohen's kappa of two annotators over the items both rated, on the report's pair dimension.</summary>
public sealed record PairAgreement(Guid A, Guid B, string NameA, string NameB, double? Kappa, int Units);

/// <summary>
/// One annotator's signals. Shares are 0..1 and null when there is nothing to measure them on.
/// <see cref="AgreementWithOthers"/>: how often their choice equals the majority of the item's other annotators (pairwise), or
/// their score lies within one point of the others' mean (Likert). <see cref="MeanOffset"/>: their Likert scores minus the
/// others' mean, on average (positive is lenient). <see cref="RepeatShare"/>: answers identical to the one before (straight-lining).
/// <see cref="FastShare"/>: answers faster than the project's threshold. <see cref="LeftShare"/> and <see cref="PositionBiasP"/>:
/// how often they chose the left response, and the binomial p-value of that under no side preference.
/// <see cref="SelfConsistency"/>: of the items re-shown to them with the sides swapped, the share answered as before.
/// </summary>
public sealed record AnnotatorQuality(
    Guid AnnotatorId,
    string Name,
    int Annotations,
    double? AgreementWithOthers,
    int ComparedItems,
    double? MeanOffset,
    double? RepeatShare,
    double? FastShare,
    double? MedianSeconds,
    double? LeftShare,
    double? PositionBiasP,
    double? GoldAccuracy,
    int GoldAnswered,
    double? SelfConsistency,
    int SelfChecks,
    bool Paused,
    IReadOnlyList<string> Flags,
    bool External = false);

/// <summary>One annotator's signals as their page and <c>GET …/annotators/{userId}/quality</c> show them.</summary>
/// <param name="ComputedAt">When the report was computed; null before the first report.</param>
/// <param name="MinSecondsPerTask">The project's too-fast threshold behind <see cref="AnnotatorQuality.FastShare"/>.</param>
public sealed record AnnotatorQualityView(Guid AnnotatorId, string Name, DateTime? ComputedAt, double MinSecondsPerTask, AnnotatorQuality? Quality);
