using System.Text;
using Portal.Core.Aggregation;
using Portal.Core.Pairs;

namespace Portal.Core.Export;

/// <summary>How curated pairs are written.</summary>
/// <param name="Format"><see cref="ExportFormat.TrlPlain"/>, <see cref="ExportFormat.TrlConversational"/> or <see cref="ExportFormat.HhRlhf"/>.</param>
public sealed record PairExportOptions(ExportFormat Format)
{
    /// <summary>
    /// Whether ties and "both bad" items are written, flagged with <c>"tie": true</c> or <c>"both_bad": true</c> and with
    /// chosen and rejected in A/B order. Every line then carries both flags, so the file has one schema. Off by default:
    /// such items are left out and only counted.
    /// </summary>
    public bool KeepTiesAndBothBad { get; init; }

    /// <summary>
    /// Whether <c>provenance</c> carries <c>ai_model</c> (on by default). Off writes the layout of releases cut before the field
    /// existed, so their files keep the bytes whose length and SHA-256 were stored at their cut.
    /// </summary>
    public bool AiModel { get; init; } = true;
}

/// <summary>What a pair export wrote, for the dataset card.</summary>
/// <param name="Pairs">Lines written.</param>
/// <param name="Ties">Items whose curated choice is a tie: left out, or written and flagged, as <paramref name="TiesAndBothBadKept"/> says.</param>
/// <param name="BothBad">Items whose curated choice is "both bad".</param>
/// <param name="Ratings">Sum of the written pairs' rating counts.</param>
/// <param name="Annotators">Distinct pseudonyms over the written pairs.</param>
/// <param name="LabelSources">Written pairs per label source, every source in declaration order.</param>
/// <param name="GuidelineVersions">The distinct guideline versions of the written pairs, ascending.</param>
public sealed record PairExportSummary(
    long Pairs,
    long Ties,
    long BothBad,
    bool TiesAndBothBadKept,
    long Ratings,
    int Annotators,
    IReadOnlyList<KeyValuePair<CuratedLabelSource, long>> LabelSources,
    IReadOnlyList<int> GuidelineVersions)
{
    /// <summary>Every item given to the writer, written or left out.</summary>
    public long Items => TiesAndBothBadKept ? Pairs : Pairs + Ties + BothBad;
}

/// <summary>
/// Writes curated pairs as TRL (plain or conversational) or HH-RLHF JSON Lines: UTF-8 without BOM, one object a line,
/// <c>\n</c> line ends, fields in a fixed order, so the same rows give the same bytes.
/// </summary>
/// <remarks>
/// <para>Rows are read and written one at a time; memory holds one 64 KiB chunk, the largest row and the set of distinct
/// annotator pseudonyms, never the file. <see cref="PreferencePairReader"/> reads every format back to the same
/// conversation, chosen and rejected (HH transcripts trim the white space around each turn).</para>
/// <para>Fields: see <see cref="ExportFormats.Fields"/>. When B is chosen, it is written as <c>chosen</c>, and the provenance
/// is turned with it: <c>strength</c> is how strongly chosen beats rejected, <c>shown_left</c> counts chosen and rejected.</para>
/// </remarks>
public static class PairExport
{
    /// <summary>Writes the rows to <paramref name="destination"/>, which is flushed but left open.</summary>
    /// <exception cref="ExportException">A row cannot be written in the format (an HH transcript of a conversation with a system turn, say); the output is then incomplete and must be discarded.</exception>
    public static PairExportSummary Write(Stream destination, IEnumerable<CuratedPairRow> rows, PairExportOptions options)
    {
        using var encoder = new PairEncoder(options);
        RowPump.Write(destination, rows, encoder.Buffer, encoder.Encode);
        return encoder.Summary();
    }

    /// <inheritdoc cref="Write"/>
    public static async Task<PairExportSummary> WriteAsync(Stream destination, IAsyncEnumerable<CuratedPairRow> rows, PairExportOptions options, CancellationToken cancellationToken = default)
    {
        using var encoder = new PairEncoder(options);
        await RowPump.WriteAsync(destination, rows, encoder.Buffer, encoder.Encode, cancellationToken);
        return encoder.Summary();
    }

    internal sealed class PairEncoder : IDisposable
    {
        private readonly ExportFormat _format;
        private readonly bool _keep;
        private readonly bool _aiModel;
        private readonly long[] _labelSources = new long[Enum.GetValues<CuratedLabelSource>().Length];
        private readonly HashSet<string> _annotators = new(StringComparer.Ordinal);
        private readonly SortedSet<int> _guidelineVersions = [];
        private readonly List<string> _sortedAnnotators = [];
        private readonly StringBuilder _transcript = new();
        private long _pairs, _ties, _bothBad, _ratings;

        public PairEncoder(PairExportOptions options)
        {
            ArgumentNullException.ThrowIfNull(options);
            if (!options.Format.IsPairwise())
            {
                throw new ArgumentException($"{options.Format} is not a pairwise format; use LikertExport.", nameof(options));
            }
            (_format, _keep, _aiModel) = (options.Format, options.KeepTiesAndBothBad, options.AiModel);
        }

        public RowBuffer Buffer { get; } = new();

        public void Encode(CuratedPairRow row, long number)
        {
            ArgumentNullException.ThrowIfNull(row);
            var isTie = row.Choice == PreferenceChoice.Tie;
            var isBothBad = row.Choice == PreferenceChoice.BothBad;
            if (!Enum.IsDefined(row.Choice) || !Enum.IsDefined(row.LabelSource))
            {
                throw new ExportException(number, row.ExternalId, $"has an unknown choice ({row.Choice}) or label source ({row.LabelSource})");
            }
            _ties += isTie ? 1 : 0;
            _bothBad += isBothBad ? 1 : 0;
            if ((isTie || isBothBad) && !_keep)
            {
                return;
            }

            var chosenIsB = row.Choice == PreferenceChoice.B;
            var (chosen, rejected) = chosenIsB ? (row.ResponseB, row.ResponseA) : (row.ResponseA, row.ResponseB);
            var (chosenTurns, rejectedTurns) = chosenIsB ? (row.TurnsB, row.TurnsA) : (row.TurnsA, row.TurnsB);
            var json = Buffer.Json;
            json.WriteStartObject();
            switch (_format)
            {
                case ExportFormat.TrlPlain:
                    json.WritePropertyName("prompt");
                    WritePlainPrompt(row, number);
                    json.WriteString("chosen", chosen);
                    json.WriteString("rejected", rejected);
                    break;
                case ExportFormat.TrlConversational:
                    json.WritePropertyName("prompt");
                    Buffer.WriteMessages(row.Conversation);
                    // A response of several turns is all of them, so prompt + chosen is the whole conversation.
                    json.WritePropertyName("chosen");
                    Buffer.WriteMessages(chosenTurns);
                    json.WritePropertyName("rejected");
                    Buffer.WriteMessages(rejectedTurns);
                    break;
                default:
                    json.WritePropertyName("chosen");
                    WriteTranscript(row, number, chosenTurns);
                    json.WritePropertyName("rejected");
                    WriteTranscript(row, number, rejectedTurns);
                    break;
            }
            if (_keep)
            {
                json.WriteBoolean("tie", isTie);
                json.WriteBoolean("both_bad", isBothBad);
            }
            json.WriteString("id", row.ExternalId);
            Buffer.WriteMetadata(row.Metadata);
            WriteProvenance(row, chosenIsB ? -1 : 1);
            json.WriteEndObject();
            Buffer.EndJsonLine();

            _pairs++;
            _labelSources[(int)row.LabelSource]++;
            _ratings += row.Ratings;
            if (row.GuidelineVersion is { } version)
            {
                _guidelineVersions.Add(version);
            }
        }

        // A lone user turn is its text, as in TRL's plain examples; anything else is an HH transcript ending in the cue.
        private void WritePlainPrompt(CuratedPairRow row, long number)
        {
            var turns = row.Conversation;
            if (turns.Count == 0)
            {
                Buffer.Json.WriteStringValue("");
            }
            else if (turns is [{ Role: Turn.User } only] && !HhTranscript.Looks(only.Content))
            {
                Buffer.Json.WriteStringValue(only.Content);
            }
            else
            {
                WriteTranscript(row, number, finalAssistant: null);
            }
        }

        private void WriteTranscript(CuratedPairRow row, long number, string? finalAssistant)
        {
            if (HhTranscript.CannotFormat(row.Conversation, finalAssistant) is { } problem)
            {
                throw Unwritable(row, number, problem);
            }
            _transcript.Clear();
            HhTranscript.Format(_transcript, row.Conversation, finalAssistant);
            WriteTranscriptValue();
        }

        // One side's whole transcript: the conversation, then every turn of its response.
        private void WriteTranscript(CuratedPairRow row, long number, IReadOnlyList<Turn> response)
        {
            if (HhTranscript.CannotFormatSide(row.Conversation, response) is { } problem)
            {
                throw Unwritable(row, number, problem);
            }
            _transcript.Clear();
            HhTranscript.FormatSide(_transcript, row.Conversation, response);
            WriteTranscriptValue();
        }

        private ExportException Unwritable(CuratedPairRow row, long number, string problem) =>
            new(number, row.ExternalId, $"cannot be written as {_format}: {problem}. The TRL conversational format keeps any conversation.");

        private void WriteTranscriptValue()
        {
            foreach (var chunk in _transcript.GetChunks())
            {
                Buffer.Json.WriteStringValueSegment(chunk.Span, isFinalSegment: false);
            }
            Buffer.Json.WriteStringValueSegment(ReadOnlySpan<char>.Empty, isFinalSegment: true);
        }

        private void WriteProvenance(CuratedPairRow row, int sign)
        {
            var json = Buffer.Json;
            json.WriteStartObject("provenance");
            json.WriteString("label_source", row.LabelSource.ToExportName());
            if (_aiModel)
            {
                json.WriteString("ai_model", row.AiModel);
            }
            json.WriteNumber("ratings", row.Ratings);
            Buffer.WriteNumberOrNull("agreement", row.Agreement);
            json.WriteString("aggregation", row.Aggregation);
            Buffer.WriteNumberOrNull("strength", sign * row.Strength);
            Buffer.WriteNumberOrNull("guideline_version", row.GuidelineVersion);
            if (row.ShownLeft is { } shown)
            {
                json.WriteStartObject("shown_left");
                json.WriteNumber("chosen", sign > 0 ? shown.ALeft : shown.BLeft);
                json.WriteNumber("rejected", sign > 0 ? shown.BLeft : shown.ALeft);
                json.WriteEndObject();
            }
            else
            {
                json.WriteNull("shown_left");
            }
            json.WriteStartArray("annotators");
            _sortedAnnotators.Clear();
            foreach (var annotator in row.Annotators)
            {
                ArgumentNullException.ThrowIfNull(annotator);
                _sortedAnnotators.Add(annotator.Value);
                _annotators.Add(annotator.Value);
            }
            _sortedAnnotators.Sort(StringComparer.Ordinal);
            foreach (var annotator in _sortedAnnotators)
            {
                json.WriteStringValue(annotator);
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }

        public PairExportSummary Summary() => new(
            _pairs,
            _ties,
            _bothBad,
            _keep,
            _ratings,
            _annotators.Count,
            [.. Enum.GetValues<CuratedLabelSource>().Select(s => KeyValuePair.Create(s, _labelSources[(int)s]))],
            [.. _guidelineVersions]);

        public void Dispose() => Buffer.Dispose();
    }
}
