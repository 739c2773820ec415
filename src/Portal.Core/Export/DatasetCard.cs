using System.Globalization;
using System.Text;

namespace Portal.Core.Export;

/// <summary>
/// The Markdown card that travels with a release file: what it is, how it was filtered, what it counts, how far the
/// annotators agreed, where the labels came from and what each field means. Every value is given, none is looked up (no
/// clock either), so the same card gives the same bytes.
/// </summary>
/// <param name="Name">The release's name, the card's title.</param>
/// <param name="CreatedAt">When the release was made; written in UTC.</param>
/// <param name="Format">The format of the file the card describes.</param>
public sealed record DatasetCard(string Name, DateTimeOffset CreatedAt, ExportFormat Format)
{
    /// <summary>For pairwise formats: whether ties and "both bad" items were written and flagged, or left out.</summary>
    public bool KeepsTiesAndBothBad { get; init; }

    /// <summary>For the Likert items CSV: the attributes, which name its columns.</summary>
    public IReadOnlyList<string>? Attributes { get; init; }

    /// <summary>Whether the card describes the format's Parquet file (the same rows and columns, typed) rather than its JSON Lines or CSV file.</summary>
    public bool Parquet { get; init; }

    /// <summary>The release's Parquet files, listed on every card of the release.</summary>
    public IReadOnlyList<string> ParquetFileNames { get; init; } = [];

    /// <summary>The file's name, as the client downloads it.</summary>
    public string? FileName { get; init; }

    /// <summary>The file's SHA-256 (see <see cref="ContentHashStream"/>).</summary>
    public string? ContentSha256 { get; init; }

    /// <summary>The filters that chose the items, in the order shown (project, date range, minimum agreement, …).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Filters { get; init; } = [];

    /// <summary>Every item the filters chose, written or left out.</summary>
    public long Items { get; init; }

    /// <summary>For pairwise formats: pairs written.</summary>
    public long? Pairs { get; init; }

    /// <summary>For pairwise formats: items whose curated choice is a tie.</summary>
    public long? Ties { get; init; }

    /// <summary>For pairwise formats: items whose curated choice is "both bad".</summary>
    public long? BothBad { get; init; }

    /// <summary>Human ratings behind the written items.</summary>
    public long Ratings { get; init; }

    /// <summary>Distinct annotators behind the written items.</summary>
    public int Annotators { get; init; }

    /// <summary>Agreement figures, measure and value (Krippendorff's alpha, Fleiss' kappa, …); NaN is shown as undefined.</summary>
    public IReadOnlyList<KeyValuePair<string, double>> Agreement { get; init; } = [];

    /// <summary>For pairwise formats: written pairs per label source.</summary>
    public IReadOnlyList<KeyValuePair<CuratedLabelSource, long>> LabelSources { get; init; } = [];

    /// <summary>The guideline versions the ratings were given under.</summary>
    public IReadOnlyList<int> GuidelineVersions { get; init; } = [];

    /// <summary>Labels that came with imported datasets, per source: its external raters and their ratings behind the written items.</summary>
    public IReadOnlyList<ExternalLabelSource> ExternalSources { get; init; } = [];

    /// <summary>AI labels behind the written items, per model: how many items' labels it gave.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> AiModels { get; init; } = [];

    /// <summary>Whether the file's provenance has <c>ai_model</c> (see <see cref="PairExportOptions.AiModel"/>).</summary>
    public bool AiModelField { get; init; } = true;

    /// <summary>A card with the counts a pair export reported.</summary>
    public static DatasetCard ForPairs(string name, DateTimeOffset createdAt, PairExportOptions options, PairExportSummary summary)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(summary);
        return new DatasetCard(name, createdAt, options.Format)
        {
            KeepsTiesAndBothBad = options.KeepTiesAndBothBad,
            AiModelField = options.AiModel,
            Items = summary.Items,
            Pairs = summary.Pairs,
            Ties = summary.Ties,
            BothBad = summary.BothBad,
            Ratings = summary.Ratings,
            Annotators = summary.Annotators,
            LabelSources = summary.LabelSources,
            GuidelineVersions = summary.GuidelineVersions,
        };
    }

    /// <summary>A card with the counts a Likert export reported.</summary>
    public static DatasetCard ForLikert(string name, DateTimeOffset createdAt, LikertExportOptions options, LikertExportSummary summary)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(summary);
        return new DatasetCard(name, createdAt, options.Format)
        {
            Attributes = options.Attributes,
            Items = summary.Items,
            Ratings = summary.Ratings,
            Annotators = summary.Annotators,
            GuidelineVersions = summary.GuidelineVersions,
        };
    }

    /// <summary>Writes the card as UTF-8 Markdown without BOM, <c>\n</c> line ends, to a stream that is left open.</summary>
    public void Write(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        destination.Write(Encoding.UTF8.GetBytes(ToMarkdown()));
        destination.Flush();
    }

    /// <summary>The card's Markdown. Given text (name, filters, measures) is escaped so it cannot add Markdown or HTML of its own.</summary>
    public string ToMarkdown()
    {
        var md = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        Line(md, $"# {Escape(Name)}");
        Line(md);
        Line(md, "| | |");
        Line(md, "| --- | --- |");
        Line(md, $"| created | {CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", inv)} |");
        Line(md, Parquet
            ? $"| format | {Title(Format)}, as Apache Parquet (`{ParquetExport.FileExtension}`) |"
            : $"| format | {Title(Format)} (`{Format.FileExtension()}`, UTF-8) |");
        if (FileName is not null)
        {
            Line(md, $"| file | {Escape(FileName)} |");
        }
        if (ContentSha256 is not null)
        {
            Line(md, $"| SHA-256 | {Escape(ContentSha256)} |");
        }

        Line(md);
        Line(md, "## Filters");
        Line(md);
        if (Filters.Count == 0)
        {
            Line(md, "None: every curated item of the project.");
        }
        else
        {
            Line(md, "| filter | value |");
            Line(md, "| --- | --- |");
            foreach (var (key, value) in Filters)
            {
                Line(md, $"| {Escape(key)} | {Escape(value)} |");
            }
        }

        Line(md);
        Line(md, "## Counts");
        Line(md);
        Line(md, "| | count |");
        Line(md, "| --- | ---: |");
        Line(md, $"| items | {Items.ToString(inv)} |");
        if (Format.IsPairwise())
        {
            var fate = KeepsTiesAndBothBad ? "kept, flagged" : "left out";
            Line(md, $"| pairs written | {(Pairs ?? 0).ToString(inv)} |");
            Line(md, $"| ties ({fate}) | {(Ties ?? 0).ToString(inv)} |");
            Line(md, $"| both bad ({fate}) | {(BothBad ?? 0).ToString(inv)} |");
        }
        Line(md, $"| ratings | {Ratings.ToString(inv)} |");
        Line(md, $"| annotators | {Annotators.ToString(inv)} |");

        Line(md);
        Line(md, "## Agreement");
        Line(md);
        if (Agreement.Count == 0)
        {
            Line(md, "Not computed for this release.");
        }
        else
        {
            Line(md, "| measure | value |");
            Line(md, "| --- | ---: |");
            foreach (var (measure, value) in Agreement)
            {
                Line(md, $"| {Escape(measure)} | {(double.IsFinite(value) ? value.ToString("0.000", inv) : "undefined")} |");
            }
        }

        if (ExternalSources.Count > 0 || AiModels.Count > 0)
        {
            Line(md);
            Line(md, "## Where the labels came from");
            Line(md);
            Line(md, "Annotators written `ext-…` are external raters: labels that came with an imported dataset, not the portal's annotators.");
            Line(md);
            Line(md, "| source | kind | raters | ratings or items |");
            Line(md, "| --- | --- | ---: | ---: |");
            foreach (var source in ExternalSources)
            {
                Line(md, $"| {Escape(source.Source)} | external raters | {source.Raters.ToString(inv)} | {source.Ratings.ToString(inv)} |");
            }

            foreach (var (model, count) in AiModels)
            {
                Line(md, $"| {Escape(model)} | AI model | – | {count.ToString(inv)} |");
            }
        }

        if (Format.IsPairwise())
        {
            Line(md);
            Line(md, "## Label sources");
            Line(md);
            Line(md, "| source | pairs | share |");
            Line(md, "| --- | ---: | ---: |");
            var total = LabelSources.Sum(s => s.Value);
            foreach (var (source, count) in LabelSources)
            {
                var share = total == 0 ? "–" : (100.0 * count / total).ToString("0.0", inv) + " %";
                Line(md, $"| {SourceName(source)} | {count.ToString(inv)} | {share} |");
            }
        }

        Line(md);
        Line(md, "## Guideline versions");
        Line(md);
        Line(md, GuidelineVersions.Count == 0 ? "Not recorded." : string.Join(", ", GuidelineVersions.Select(v => "v" + v.ToString(inv))));

        Line(md);
        Line(md, "## Format");
        Line(md);
        Line(md, Format.Description());
        Line(md);
        if (Parquet)
        {
            Line(md, "Parquet: the same rows and fields as the " + (Format.IsCsv() ? "CSV" : "JSON Lines") + " file, typed. Message lists are "
                + "`list<struct<role, content>>`, `provenance` is a struct, annotators a list of strings, counts int64, measures double, "
                + "flags boolean; `metadata` holds the item's metadata object as JSON text. Texts are exact: the CSV formula guard "
                + "(a leading `'`) does not apply to Parquet. Load it with `datasets.load_dataset(\"parquet\", data_files=…)` or pandas.");
            Line(md);
        }
        else if (Format.IsCsv())
        {
            Line(md, "Text cells that start with `=`, `+`, `-`, `@`, a tab or a carriage return are written with one `'` in front, "
                + "so that a spreadsheet shows them as text instead of running them as formulas (CSV injection); drop that first `'` "
                + "to get the text back. Numbers are written as they are. The JSON Lines formats and every Parquet file (no formula guard there) keep every text exactly.");
            Line(md);
        }
        if (ParquetFileNames.Count > 0)
        {
            Line(md, "The same rows as Apache Parquet, one file per format: " + string.Join(", ", ParquetFileNames.Select(Code)) + ".");
            Line(md);
        }
        Line(md, "| field | meaning |");
        Line(md, "| --- | --- |");
        foreach (var field in Format.Fields(KeepsTiesAndBothBad, Attributes, AiModelField))
        {
            Line(md, $"| {Code(field.Name)} | {Cell(field.Meaning)} |");
        }
        return md.ToString();
    }

    private static string Title(ExportFormat format) => format switch
    {
        ExportFormat.TrlPlain => "TRL preference, plain text",
        ExportFormat.TrlConversational => "TRL preference, conversational",
        ExportFormat.HhRlhf => "HH-RLHF",
        ExportFormat.LikertItemsJsonl => "Likert, one line per item, JSON Lines",
        ExportFormat.LikertRatingsJsonl => "Likert, one line per rating, JSON Lines",
        ExportFormat.LikertItemsCsv => "Likert, one row per item, CSV",
        _ => "Likert, one row per rating, CSV",
    };

    private static string SourceName(CuratedLabelSource source) => source.ToCardName();

    private static void Line(StringBuilder md, string text = "") => md.Append(text).Append('\n');

    // The meanings are this code's own prose; only an attribute name in them comes from outside.
    private static string Cell(string text)
    {
        var escaped = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            escaped.Append(c switch
            {
                '\r' or '\n' => " ",
                '\\' or '|' or '<' or '>' or '&' or '`' => $"\\{c}",
                _ => c.ToString(),
            });
        }
        return escaped.ToString();
    }

    private static string Code(string text) => text.AsSpan().ContainsAny("`\r\n") ? Escape(text) : $"`{text}`";

    // Every ASCII punctuation character may be backslash-escaped in CommonMark; line breaks would end a table row.
    private static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (c is '\r' or '\n')
            {
                escaped.Append(' ');
            }
            else
            {
                if (c is '\\' or '`' or '*' or '_' or '[' or ']' or '<' or '>' or '|' or '#' or '!' or '&')
                {
                    escaped.Append('\\');
                }
                escaped.Append(c);
            }
        }
        return escaped.ToString();
    }
}

/// <summary>An imported dataset whose labels are in a release as external raters' ratings.</summary>
/// <param name="Source">The dataset's name.</param>
/// <param name="Raters">Its distinct external raters behind the written items.</param>
/// <param name="Ratings">Their ratings behind the written items.</param>
public sealed record ExternalLabelSource(string Source, int Raters, long Ratings);
