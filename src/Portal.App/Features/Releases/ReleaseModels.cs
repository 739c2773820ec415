using System.Globalization;
using System.Text.Json;
using Portal.App.Data;
using Portal.App.Features.Organisations;
using Portal.Core.Export;

namespace Portal.App.Features.Releases;

/// <summary>Which labels a release takes.</summary>
public enum LabelMode
{
    /// <summary>Items labelled by human ratings (an AI label on the item only names the source: confirmed or overturned).</summary>
    Human,

    /// <summary>Human-labelled items, and items that only an AI labelled.</summary>
    HumanAndAi,

    /// <summary>Only items with an AI label that humans then rated (confirmed or overturned).</summary>
    AiCorrectedByHumans,
}

/// <summary>What a release takes from its project. Every filter is off by default.</summary>
public sealed record ReleaseFilters
{
    /// <summary>Items with fewer human ratings (after the annotation filters below) are left out. AI-only items are exempt.</summary>
    public int MinRatings { get; init; }

    /// <summary>Items whose agreement (share of ratings that agree with the label) is below this are left out; null: no minimum.</summary>
    public double? MinAgreement { get; init; }

    /// <summary>Leaves out items that an annotator skipped or flagged (unsafe, broken, wrong language).</summary>
    public bool ExcludeFlaggedOrSkipped { get; init; }

    /// <summary>Drops the ratings of annotators paused in the project at the cut.</summary>
    public bool ExcludePausedAnnotators { get; init; }

    /// <summary>Drops the ratings of annotators whose gold accuracy is below this share (annotators without gold answers are kept).</summary>
    public double? MinGoldAccuracy { get; init; }

    public LabelMode Labels { get; init; } = LabelMode.Human;

    /// <summary>Only ratings given under this guideline version count.</summary>
    public int? GuidelineVersion { get; init; }

    /// <summary>Only ratings made at or after this instant (UTC) count.</summary>
    public DateTime? From { get; init; }

    /// <summary>Only ratings made before this instant (UTC) count.</summary>
    public DateTime? To { get; init; }

    /// <summary>Whether any filter drops individual ratings (and so the stored curated label may no longer hold).</summary>
    public bool FiltersRatings => ExcludePausedAnnotators || MinGoldAccuracy is not null || GuidelineVersion is not null || From is not null || To is not null;

    /// <summary>Checks every field; throws naming the first one at fault.</summary>
    public void Validate(bool pairwise)
    {
        if (MinRatings is < 0 or > 1000)
        {
            throw new PortalValidationException("filters.minRatings", "The minimum number of ratings is 0 to 1000.");
        }

        if (MinAgreement is { } a && (double.IsNaN(a) || a < 0 || a > 1))
        {
            throw new PortalValidationException("filters.minAgreement", "The minimum agreement is a share from 0 to 1.");
        }

        if (MinGoldAccuracy is { } g && (double.IsNaN(g) || g < 0 || g > 1))
        {
            throw new PortalValidationException("filters.minGoldAccuracy", "The minimum gold accuracy is a share from 0 to 1.");
        }

        if (!Enum.IsDefined(Labels))
        {
            throw new PortalValidationException("filters.labels", "Labels are human, humanAndAi or aiCorrectedByHumans.");
        }

        if (!pairwise && Labels != LabelMode.Human)
        {
            throw new PortalValidationException("filters.labels", "AI labels exist only for pairwise items; a Likert release takes human labels.");
        }

        if (GuidelineVersion is < 1)
        {
            throw new PortalValidationException("filters.guidelineVersion", "Guideline versions start at 1.");
        }

        if (From is { } f && To is { } t && f >= t)
        {
            throw new PortalValidationException("filters.to", "The end of the date range must be after its start.");
        }
    }

    /// <summary>The filters as the dataset card lists them, in a fixed order; filters that are off are left out.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Describe(string projectName)
    {
        var inv = CultureInfo.InvariantCulture;
        var list = new List<KeyValuePair<string, string>> { new("project", projectName) };
        list.Add(new("labels", Labels switch
        {
            LabelMode.Human => "human labels only",
            LabelMode.HumanAndAi => "human labels and AI-only labels",
            _ => "AI labels checked by humans only",
        }));
        if (MinRatings > 0)
        {
            list.Add(new("minimum ratings per item", MinRatings.ToString(inv)));
        }

        if (MinAgreement is { } a)
        {
            list.Add(new("minimum item agreement", a.ToString("0.###", inv)));
        }

        if (ExcludeFlaggedOrSkipped)
        {
            list.Add(new("flagged or skipped items", "left out"));
        }

        if (ExcludePausedAnnotators)
        {
            list.Add(new("paused annotators", "their ratings left out"));
        }

        if (MinGoldAccuracy is { } g)
        {
            list.Add(new("minimum annotator gold accuracy", g.ToString("0.###", inv)));
        }

        if (GuidelineVersion is { } v)
        {
            list.Add(new("guideline version", "v" + v.ToString(inv)));
        }

        if (From is { } f)
        {
            list.Add(new("ratings from", f.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", inv)));
        }

        if (To is { } t)
        {
            list.Add(new("ratings before", t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", inv)));
        }

        return list;
    }

    public string ToJson() => JsonSerializer.Serialize(this, ProjectSettings.Json);

    public static ReleaseFilters Parse(string json) => JsonSerializer.Deserialize<ReleaseFilters>(json, ProjectSettings.Json) ?? new ReleaseFilters();
}

/// <summary>What a release holds beyond its row count: label sources, agreement and guideline versions.</summary>
public sealed record ReleaseStats
{
    public Dictionary<string, int> LabelSources { get; init; } = [];

    /// <summary>Mean of the rows' item agreement, over rows that have one.</summary>
    public double? MeanItemAgreement { get; init; }

    /// <summary>Krippendorff's alpha per dimension from the project's last quality report at the cut (the whole project, not only the release).</summary>
    public Dictionary<string, double> ProjectAlpha { get; init; } = [];

    public List<int> GuidelineVersions { get; init; } = [];

    /// <summary>Likert: the attribute keys, which name the CSV's columns.</summary>
    public List<string> Attributes { get; init; } = [];

    /// <summary>Candidate items the filters left out, by reason.</summary>
    public Dictionary<string, int> LeftOut { get; init; } = [];

    /// <summary>Imported datasets whose labels are in the release as external raters' ratings, by source name.</summary>
    public List<ExternalSourceStats> ExternalSources { get; init; } = [];

    /// <summary>Rows whose label an AI label gave or that humans checked, by the AI label's model.</summary>
    public Dictionary<string, int> AiModels { get; init; } = [];

    /// <summary>
    /// The layout the cut wrote and hashed the files in: 1 (what stats without this field mean) before the pairwise formats'
    /// <c>provenance.ai_model</c>, <see cref="CurrentLayout"/> since. A release is always written in its own layout, so its
    /// files keep the length and SHA-256 stored at its cut.
    /// </summary>
    public int Layout { get; init; } = 1;

    /// <summary>The layout a cut writes now.</summary>
    public const int CurrentLayout = 2;

    /// <summary>Whether the release's pairwise files carry <c>provenance.ai_model</c>.</summary>
    public bool HasAiModel => Layout >= 2;
}

/// <summary>An imported dataset's labels in a release: its external raters and their ratings behind the rows.</summary>
public sealed record ExternalSourceStats(string Source, int Raters, int Ratings);

/// <summary>One downloadable file of a release, as the cut wrote and hashed it.</summary>
/// <param name="Format">The format's name (see <see cref="ReleaseFormats"/>).</param>
/// <param name="KeepTies">Pairwise: ties and "both bad" kept and flagged.</param>
/// <param name="Error">Why the release cannot be written in this format (an HH transcript of a system turn, say); null when it can.</param>
public sealed record ReleaseFile(string Format, bool KeepTies, long Bytes, string Sha256, long GzipBytes, string GzipSha256, string? Error = null);

/// <summary>How a release differs from the previous one, by item: up to <see cref="SampleSize"/> external ids of each kind.</summary>
public sealed record ReleaseDiff(Guid PreviousReleaseId, string PreviousName, int Added, int Removed, int Relabelled, int Unchanged,
    IReadOnlyList<string> AddedSample, IReadOnlyList<string> RemovedSample, IReadOnlyList<string> RelabelledSample)
{
    public const int SampleSize = 20;
}

/// <summary>Format names as the API, the pages and the CLI spell them.</summary>
public static class ReleaseFormats
{
    public const string Card = "card";

    private static readonly (string Name, ExportFormat Format)[] Names =
    [
        ("trl-plain", ExportFormat.TrlPlain),
        ("trl-messages", ExportFormat.TrlConversational),
        ("hh-rlhf", ExportFormat.HhRlhf),
        ("likert-items-jsonl", ExportFormat.LikertItemsJsonl),
        ("likert-ratings-jsonl", ExportFormat.LikertRatingsJsonl),
        ("likert-items-csv", ExportFormat.LikertItemsCsv),
        ("likert-ratings-csv", ExportFormat.LikertRatingsCsv),
    ];

    /// <summary>What a Parquet file's name adds to its format's: <c>trl-plain-parquet</c>.</summary>
    public const string ParquetSuffix = "-parquet";

    /// <summary>e.g. <c>trl-plain</c>, or <c>trl-plain-parquet</c> for the same rows as Parquet.</summary>
    public static string NameOf(ExportFormat format, bool parquet = false) => Names.First(n => n.Format == format).Name + (parquet ? ParquetSuffix : "");

    /// <summary>The format of a name without the Parquet suffix (see <see cref="TryParse"/> for both).</summary>
    public static ExportFormat? Find(string? name) =>
        Names.FirstOrDefault(n => string.Equals(n.Name, name, StringComparison.OrdinalIgnoreCase)) is { Name: not null } hit ? hit.Format : null;

    /// <summary>A format name, or one with <see cref="ParquetSuffix"/> for its Parquet file.</summary>
    public static bool TryParse(string? name, out ExportFormat format, out bool parquet)
    {
        parquet = name is not null && name.EndsWith(ParquetSuffix, StringComparison.OrdinalIgnoreCase);
        var found = Find(parquet ? name![..^ParquetSuffix.Length] : name);
        format = found ?? default;
        return found is not null;
    }

    /// <summary>The formats a release of this kind can be written in.</summary>
    public static IReadOnlyList<ExportFormat> For(bool pairwise) =>
        [.. Names.Select(n => n.Format).Where(f => f.IsPairwise() == pairwise)];

    /// <summary>Every file name of a release of this kind: each format, then each format's Parquet file.</summary>
    public static string AllNames(bool pairwise) =>
        string.Join(", ", For(pairwise).Select(f => NameOf(f)).Concat(For(pairwise).Select(f => NameOf(f, parquet: true))));
}
