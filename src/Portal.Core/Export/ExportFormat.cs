namespace Portal.Core.Export;

/// <summary>The file formats a release can be downloaded in.</summary>
public enum ExportFormat
{
    /// <summary>TRL preference JSON Lines, plain text: <c>{"prompt": "…", "chosen": "…", "rejected": "…"}</c>.</summary>
    TrlPlain,

    /// <summary>TRL preference JSON Lines, conversational: prompt, chosen and rejected as <c>{"role", "content"}</c> message lists.</summary>
    TrlConversational,

    /// <summary>Anthropic HH-RLHF JSON Lines: <c>{"chosen": "\n\nHuman: …\n\nAssistant: …", "rejected": "…"}</c>.</summary>
    HhRlhf,

    /// <summary>Likert JSON Lines, one line per item with every attribute's aggregate.</summary>
    LikertItemsJsonl,

    /// <summary>Likert JSON Lines, one line per individual rating.</summary>
    LikertRatingsJsonl,

    /// <summary>Likert CSV, one row per item with every attribute's aggregate.</summary>
    LikertItemsCsv,

    /// <summary>Likert CSV, one row per individual rating.</summary>
    LikertRatingsCsv,
}

/// <summary>One field (or column) of an export format and what it holds.</summary>
public sealed record ExportField(string Name, string Meaning);

/// <summary>What each <see cref="ExportFormat"/> is: its file name extension, media type, description and fields.</summary>
public static class ExportFormats
{
    /// <summary>Whether the format holds pairwise items (else Likert items).</summary>
    public static bool IsPairwise(this ExportFormat format) => format is ExportFormat.TrlPlain or ExportFormat.TrlConversational or ExportFormat.HhRlhf;

    /// <summary>Whether the format is CSV (else JSON Lines).</summary>
    public static bool IsCsv(this ExportFormat format) => format is ExportFormat.LikertItemsCsv or ExportFormat.LikertRatingsCsv;

    /// <summary><c>.jsonl</c> or <c>.csv</c>.</summary>
    public static string FileExtension(this ExportFormat format) => Known(format).IsCsv() ? ".csv" : ".jsonl";

    /// <summary><c>application/jsonl</c> or <c>text/csv</c>, both UTF-8.</summary>
    public static string MediaType(this ExportFormat format) => Known(format).IsCsv() ? "text/csv; charset=utf-8" : "application/jsonl; charset=utf-8";

    /// <summary>A paragraph that says what the file is and how it is laid out.</summary>
    public static string Description(this ExportFormat format) => Known(format) switch
    {
        ExportFormat.TrlPlain =>
            "TRL preference data, plain-text flavour (TRL's standard `prompt`, `chosen`, `rejected` columns): JSON Lines, one " +
            "pair a line. A prompt of a single user turn is that turn's text; a longer conversation is written " +
            "as an HH transcript (`\\n\\nHuman: …\\n\\nAssistant: …`) ending in the bare `\\n\\nAssistant:` cue, the plain-text " +
            "convention of the DPO examples for Anthropic HH. The responses are written verbatim, without the leading space " +
            "those examples keep. A response of several turns (a pair whose two sides parted before their last turn) is one " +
            "text: its first turn, then `\\n\\nHuman: …` / `\\n\\nAssistant: …` for each later turn.",
        ExportFormat.TrlConversational =>
            "TRL preference data, conversational flavour: JSON Lines, one pair a line; `prompt` is the conversation as " +
            "`{\"role\", \"content\"}` messages and `chosen` and `rejected` are one assistant message each, ready for a chat template; " +
            "a response of several turns (a pair whose two sides parted before their last turn) is all its messages, so prompt " +
            "followed by chosen is the whole conversation.",
        ExportFormat.HhRlhf =>
            "Anthropic HH-RLHF layout: JSON Lines, one pair a line; `chosen` and `rejected` are whole transcripts " +
            "(`\\n\\nHuman: …\\n\\nAssistant: …`) that share the conversation and differ in the last assistant turn, or, " +
            "when the two sides parted earlier, in every turn after the shared part.",
        ExportFormat.LikertItemsJsonl =>
            "Likert ratings aggregated per item: JSON Lines, one item a line, with each attribute's mean, median, " +
            "population standard deviation and number of ratings.",
        ExportFormat.LikertRatingsJsonl =>
            "Individual Likert ratings: JSON Lines, one line per annotator and attribute, each with its item's conversation and response.",
        ExportFormat.LikertItemsCsv =>
            "Likert ratings aggregated per item: CSV (RFC 4180 quoting, `\\n` line ends, UTF-8 without BOM), one item a row, " +
            "four columns per attribute. `prompt` and `metadata` hold JSON text.",
        ExportFormat.LikertRatingsCsv =>
            "Individual Likert ratings: CSV (RFC 4180 quoting, `\\n` line ends, UTF-8 without BOM), one row per annotator and " +
            "attribute, each with its item's conversation and response. `prompt` holds JSON text.",
        _ => throw new InvalidOperationException(),
    };

    /// <summary>The fields the format writes, in the order written; provenance fields as <c>provenance.name</c>.</summary>
    /// <param name="keepTiesAndBothBad">For the pairwise formats: whether the <c>tie</c> and <c>both_bad</c> flags are written.</param>
    /// <param name="attributes">For <see cref="ExportFormat.LikertItemsCsv"/>: the attributes, one group of columns each; a placeholder group when null.</param>
    /// <param name="aiModel">For the pairwise formats: whether <c>provenance.ai_model</c> is written (see <see cref="PairExportOptions.AiModel"/>).</param>
    public static IReadOnlyList<ExportField> Fields(this ExportFormat format, bool keepTiesAndBothBad = false, IReadOnlyList<string>? attributes = null, bool aiModel = true)
    {
        var fields = new List<ExportField>();
        switch (Known(format))
        {
            case ExportFormat.TrlPlain:
                fields.Add(new("prompt", "the conversation before the responses, as text (see above)"));
                fields.Add(new("chosen", "the preferred response"));
                fields.Add(new("rejected", "the other response"));
                break;
            case ExportFormat.TrlConversational:
                fields.Add(new("prompt", "the conversation before the responses: a list of {role, content} messages"));
                fields.Add(new("chosen", "the preferred response: [{\"role\": \"assistant\", \"content\": …}], or all its messages when it has several turns"));
                fields.Add(new("rejected", "the other response, in the same shape"));
                break;
            case ExportFormat.HhRlhf:
                fields.Add(new("chosen", "the transcript ending in the preferred response"));
                fields.Add(new("rejected", "the transcript ending in the other response"));
                break;
            case ExportFormat.LikertItemsJsonl:
                fields.AddRange(LikertText("a list of {role, content} messages"));
                fields.Add(new("scores", "per attribute: {\"mean\", \"median\", \"sd\", \"n\"} (sd is the population standard deviation)"));
                fields.Add(new("metadata", "the item's metadata object, or null"));
                fields.Add(new("provenance.guideline_version", "the guideline version the ratings were given under, or null"));
                fields.Add(new("provenance.annotators", AnnotatorsMeaning));
                return fields;
            case ExportFormat.LikertRatingsJsonl:
                fields.AddRange(LikertText("a list of {role, content} messages"));
                fields.AddRange(RatingFields());
                return fields;
            case ExportFormat.LikertItemsCsv:
                fields.AddRange(LikertText("JSON text of a list of {role, content} messages"));
                foreach (var attribute in attributes ?? ["<attribute>"])
                {
                    fields.Add(new($"{attribute}_mean", $"mean score on {attribute}; empty when the item has none"));
                    fields.Add(new($"{attribute}_median", $"median score on {attribute}"));
                    fields.Add(new($"{attribute}_sd", $"population standard deviation of the scores on {attribute}"));
                    fields.Add(new($"{attribute}_n", $"number of scores on {attribute}"));
                }
                fields.Add(new("guideline_version", "the guideline version the ratings were given under; empty when unknown"));
                fields.Add(new("annotators", "pseudonymous annotator ids, space-separated (stable within this release only)"));
                fields.Add(new("metadata", "JSON text of the item's metadata object; empty when none"));
                return fields;
            case ExportFormat.LikertRatingsCsv:
                fields.AddRange(LikertText("JSON text of a list of {role, content} messages"));
                fields.AddRange(RatingFields());
                return fields;
        }

        if (keepTiesAndBothBad)
        {
            fields.Add(new("tie", "true when the curated choice is a tie; chosen and rejected are then the responses in their stored order"));
            fields.Add(new("both_bad", "true when neither response is acceptable; chosen and rejected are then in their stored order"));
        }
        fields.Add(new("id", "the item's external id, or null"));
        fields.Add(new("metadata", "the item's metadata object, or null"));
        fields.Add(new("provenance.label_source", "human, ai, ai_confirmed_by_humans, ai_overturned_by_humans, external (labels imported with a dataset, annotators ext-…) or human_and_external"));
        if (aiModel)
        {
            fields.Add(new("provenance.ai_model", "the model of the AI label behind ai, ai_confirmed_by_humans and ai_overturned_by_humans rows; null for the others"));
        }
        fields.Add(new("provenance.ratings", "the number of human ratings of the item"));
        fields.Add(new("provenance.agreement", "agreement among the item's ratings, or null"));
        fields.Add(new("provenance.aggregation", "how the ratings were aggregated (majority_vote, trust_weighted_vote, dawid_skene), or null"));
        fields.Add(new("provenance.strength", "how strongly chosen is preferred over rejected; negative when the ratings leaned towards rejected; or null"));
        fields.Add(new("provenance.guideline_version", "the guideline version the ratings were given under, or null"));
        fields.Add(new("provenance.shown_left", "{\"chosen\", \"rejected\"}: how many ratings showed each response on the left, or null"));
        fields.Add(new("provenance.annotators", AnnotatorsMeaning));
        return fields;
    }

    private const string AnnotatorsMeaning = "pseudonymous annotator ids (ann-…), sorted; stable within this release only";

    private static IEnumerable<ExportField> LikertText(string promptShape) =>
    [
        new("id", "the item's external id, or null (empty in CSV)"),
        new("prompt", $"the conversation before the response: {promptShape}"),
        new("response", "the rated response"),
    ];

    private static IEnumerable<ExportField> RatingFields() =>
    [
        new("annotator", "the annotator's pseudonymous id (ann-…), stable within this release only"),
        new("attribute", "the rated attribute"),
        new("value", "the score given"),
    ];

    private static ExportFormat Known(ExportFormat format) =>
        Enum.IsDefined(format) ? format : throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown export format.");
}
