using System.Text;
using System.Text.Json;
using Markdig;
using Portal.Core.Export;
using static Portal.Core.Tests.Export.ExportRows;

namespace Portal.Core.Tests.Export;

public class DatasetCardTests
{
    private static readonly DateTimeOffset CreatedAt = new(2026, 3, 1, 12, 30, 0, TimeSpan.FromHours(1));

    private static DatasetCard PairCard(out string hash)
    {
        var options = new PairExportOptions(ExportFormat.TrlPlain);
        using var stream = new MemoryStream();
        var summary = PairExport.Write(stream, PairRows(), options);
        hash = ContentHash.Of(stream.ToArray());
        return DatasetCard.ForPairs("Harmless | v1", CreatedAt, options, summary) with
        {
            Filters = [new("project", "Harmless *pilot*"), new("min agreement", "0.5")],
            Agreement = [new("Krippendorff's alpha", 0.71234), new("Fleiss' kappa", double.NaN)],
            FileName = "harmless-v1.jsonl",
            ContentSha256 = hash,
        };
    }

    [Fact]
    public void ToMarkdown_PairsCard_MatchesGolden()
    {
        Assert.Equal(
            """
            # Harmless \| v1

            | | |
            | --- | --- |
            | created | 2026-03-01T11:30:00Z |
            | format | TRL preference, plain text (`.jsonl`, UTF-8) |
            | file | harmless-v1.jsonl |
            | SHA-256 | 7f4c1d2149226d07479901328fa26f58b89a87be44a8e08871bb271df77f0134 |

            ## Filters

            | filter | value |
            | --- | --- |
            | project | Harmless \*pilot\* |
            | min agreement | 0.5 |

            ## Counts

            | | count |
            | --- | ---: |
            | items | 4 |
            | pairs written | 2 |
            | ties (left out) | 1 |
            | both bad (left out) | 1 |
            | ratings | 6 |
            | annotators | 2 |

            ## Agreement

            | measure | value |
            | --- | ---: |
            | Krippendorff's alpha | 0.712 |
            | Fleiss' kappa | undefined |

            ## Label sources

            | source | pairs | share |
            | --- | ---: | ---: |
            | human | 1 | 50.0 % |
            | AI | 0 | 0.0 % |
            | AI, confirmed by humans | 1 | 50.0 % |
            | AI, overturned by humans | 0 | 0.0 % |
            | external raters (labels imported with the dataset) | 0 | 0.0 % |
            | human and external raters | 0 | 0.0 % |

            ## Guideline versions

            v2, v3

            ## Format

            TRL preference data, plain-text flavour (TRL's standard `prompt`, `chosen`, `rejected` columns): JSON Lines, one pair a line. A prompt of a single user turn is that turn's text; a longer conversation is written as an HH transcript (`\n\nHuman: …\n\nAssistant: …`) ending in the bare `\n\nAssistant:` cue, the plain-text convention of the DPO examples for Anthropic HH. The responses are written verbatim, without the leading space those examples keep. A response of several turns (a pair whose two sides parted before their last turn) is one text: its first turn, then `\n\nHuman: …` / `\n\nAssistant: …` for each later turn.

            | field | meaning |
            | --- | --- |
            | `prompt` | the conversation before the responses, as text (see above) |
            | `chosen` | the preferred response |
            | `rejected` | the other response |
            | `id` | the item's external id, or null |
            | `metadata` | the item's metadata object, or null |
            | `provenance.label_source` | human, ai, ai_confirmed_by_humans, ai_overturned_by_humans, external (labels imported with a dataset, annotators ext-…) or human_and_external |
            | `provenance.ai_model` | the model of the AI label behind ai, ai_confirmed_by_humans and ai_overturned_by_humans rows; null for the others |
            | `provenance.ratings` | the number of human ratings of the item |
            | `provenance.agreement` | agreement among the item's ratings, or null |
            | `provenance.aggregation` | how the ratings were aggregated (majority_vote, trust_weighted_vote, dawid_skene), or null |
            | `provenance.strength` | how strongly chosen is preferred over rejected; negative when the ratings leaned towards rejected; or null |
            | `provenance.guideline_version` | the guideline version the ratings were given under, or null |
            | `provenance.shown_left` | {"chosen", "rejected"}: how many ratings showed each response on the left, or null |
            | `provenance.annotators` | pseudonymous annotator ids (ann-…), sorted; stable within this release only |

            """,
            PairCard(out _).ToMarkdown());
    }

    [Fact]
    public void Write_Stream_Utf8WithoutBomSameAsMarkdown()
    {
        var card = PairCard(out _);
        using var stream = new MemoryStream();

        card.Write(stream);

        Assert.Equal(new UTF8Encoding(false).GetBytes(card.ToMarkdown()), stream.ToArray());
        Assert.Equal((byte)'#', stream.ToArray()[0]);
    }

    [Theory]
    [InlineData(ExportFormat.TrlPlain, false)]
    [InlineData(ExportFormat.TrlPlain, true)]
    [InlineData(ExportFormat.TrlConversational, false)]
    [InlineData(ExportFormat.TrlConversational, true)]
    [InlineData(ExportFormat.HhRlhf, false)]
    [InlineData(ExportFormat.HhRlhf, true)]
    public void Fields_PairFormats_AreTheKeysWritten(ExportFormat format, bool keep)
    {
        var line = JsonDocument.Parse(WritePairs(PairRows().Take(1), format, keep)).RootElement;

        Assert.Equal(format.Fields(keep).Select(f => f.Name), KeysOf(line));
    }

    [Theory]
    [InlineData(ExportFormat.LikertItemsJsonl)]
    [InlineData(ExportFormat.LikertRatingsJsonl)]
    public void Fields_LikertJsonl_AreTheKeysWritten(ExportFormat format)
    {
        var line = JsonDocument.Parse(WriteLikert(LikertRows().Take(1), format).Split('\n')[0]).RootElement;

        Assert.Equal(format.Fields().Select(f => f.Name), KeysOf(line));
    }

    [Theory]
    [InlineData(ExportFormat.LikertItemsCsv)]
    [InlineData(ExportFormat.LikertRatingsCsv)]
    public void Fields_LikertCsv_AreTheHeader(ExportFormat format)
    {
        string[] attributes = ["helpfulness", "harmlessness"];

        var header = WriteLikert(LikertRows(), format, attributes).Split('\n')[0];

        Assert.Equal(string.Join(',', format.Fields(attributes: attributes).Select(f => f.Name)), header);
    }

    [Fact]
    public void ToMarkdown_HostileText_IsEscaped()
    {
        var card = new DatasetCard("<script>alert(1)</script>\n# Injected", CreatedAt, ExportFormat.LikertItemsJsonl)
        {
            Filters = [new("a|b", "[link](javascript:alert(1)) `code`")],
            Agreement = [new("<img src=x onerror=alert(1)>", 0.5)],
        };

        var markdown = card.ToMarkdown();

        Assert.StartsWith("# \\<script\\>alert(1)\\</script\\> \\# Injected\n", markdown, StringComparison.Ordinal);
        Assert.Contains("| a\\|b | \\[link\\](javascript:alert(1)) \\`code\\` |", markdown, StringComparison.Ordinal);
        // Rendered by a pipeline that lets raw HTML through, the escapes alone must keep it out.
        var html = Markdown.ToHtml(markdown, new MarkdownPipelineBuilder().UsePipeTables().Build());
        Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<a ", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<code>code</code>", html, StringComparison.Ordinal);
        Assert.Single(html.Split("<h1"), part => part.Contains("Injected", StringComparison.Ordinal));
        Assert.Contains("<td>a|b</td>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void ToMarkdown_LikertCard_CountsWithoutPairsOrLabelSources()
    {
        var options = new LikertExportOptions(ExportFormat.LikertItemsCsv) { Attributes = ["helpfulness", "harmlessness"] };
        var summary = LikertExport.Write(Stream.Null, LikertRows(), options);

        var markdown = DatasetCard.ForLikert("Jokes", CreatedAt, options, summary).ToMarkdown();

        Assert.Contains("| items | 2 |\n| ratings | 5 |\n| annotators | 2 |\n", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("pairs", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("## Label sources", markdown, StringComparison.Ordinal);
        Assert.Contains("| `harmlessness_sd` |", markdown, StringComparison.Ordinal);
        Assert.Contains("## Guideline versions\n\nv1\n", markdown, StringComparison.Ordinal);
        Assert.Contains("## Filters\n\nNone", markdown, StringComparison.Ordinal);
        Assert.Contains("## Agreement\n\nNot computed", markdown, StringComparison.Ordinal);
    }

    // Top-level keys, and provenance's keys as provenance.name.
    private static IEnumerable<string> KeysOf(JsonElement line) =>
        line.EnumerateObject().SelectMany(p => p.Name == "provenance"
            ? p.Value.EnumerateObject().Select(q => $"provenance.{q.Name}")
            : [p.Name]);

    [Theory]
    [InlineData(ExportFormat.LikertItemsCsv, true)]
    [InlineData(ExportFormat.LikertRatingsCsv, true)]
    [InlineData(ExportFormat.LikertItemsJsonl, false)]
    [InlineData(ExportFormat.TrlPlain, false)]
    public void ToMarkdown_CsvFormats_SayHowFormulaCellsAreWritten(ExportFormat format, bool csv)
    {
        var card = new DatasetCard("r", CreatedAt, format) { Attributes = ["x"] };

        Assert.Equal(csv, card.ToMarkdown().Contains("written with one `'` in front", StringComparison.Ordinal));
    }
}
