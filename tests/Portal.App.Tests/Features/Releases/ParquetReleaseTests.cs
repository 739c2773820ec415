using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features.Organisations;
using Portal.App.Features.Quality;
using Portal.App.Features.Releases;
using Portal.Core.Aggregation;
using Portal.Core.Export;
using Portal.Core.Pairs;
using Portal.TestSupport;

namespace Portal.App.Tests.Features.Releases;

/// <summary>
/// Every Parquet file of real releases (cut through the services on SQLite), read back by ParquetSharp (Apache Arrow's C++
/// reader, not Parquet.Net that wrote it) and compared row by row and field by field with the JSON Lines or CSV file of the
/// same release.
/// </summary>
public class ParquetReleaseTests
{
    private static readonly ProjectSettings Plain = ProjectSettings.Default with
    {
        Gold = new GoldOptions { Rate = 0 },
        Pairwise = new PairwiseOptions { StrengthLevels = 0 },
    };

    private static async Task<List<Item>> ItemsAsync(TestDatabase db, Guid tenantId, Guid projectId)
    {
        await using var ctx = db.Factory.CreateForTenant(tenantId);
        return await ctx.Items.AsNoTracking().Where(i => i.ProjectId == projectId).OrderBy(i => i.ExternalId).ToListAsync();
    }

    // Text that tests the exactness: a formula start (CSV guards it, Parquet must not), quotes, a line break, non-ASCII.
    // (HH-RLHF transcripts have no system turn, so only the Likert items get one.)
    private static async Task DressItemsAsync(TestDatabase db, Guid tenantId, List<Item> items, bool systemTurn)
    {
        var system = systemTurn ? """{"role":"system","content":"Be brief."},""" : "";
        var conversation = "[" + system + """{"role":"user","content":"=HYPERLINK(\"x\") \"quoted\"\nline two ✓"},{"role":"assistant","content":"Hello."},{"role":"user","content":"And?"}]""";
        await using var ctx = db.Factory.CreateForTenant(tenantId);
        await ctx.Items.Where(i => i.Id == items[0].Id).ExecuteUpdateAsync(x => x
            .SetProperty(i => i.ConversationJson, conversation)
            .SetProperty(i => i.ResponseA, "-3 degrees, «bien sûr»")
            .SetProperty(i => i.MetadataJson, """{"topic":"math","tags":["a","b"],"score":8.5,"nested":{"ok":true}}"""));
        await ctx.Items.Where(i => i.Id == items[1].Id).ExecuteUpdateAsync(x => x.SetProperty(i => i.MetadataJson, """{"source":"demo"}"""));
    }

    [Fact]
    public async Task PairwiseRelease_EveryParquetFile_ReadByParquetSharp_EqualsItsJsonLinesFile()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var tenant = await db.CreateTestTenantAsync("Parquet pairs");
        var project = await db.CreateTaskProjectAsync(tenant.Id, items: 7, overlap: 3, settings: Plain, name: "Pairs");
        var annotators = await db.CreateAnnotatorsAsync(tenant.Id, 3);
        var items = await ItemsAsync(db, tenant.Id, project.Id);
        await DressItemsAsync(db, tenant.Id, items, systemTurn: false);
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            // Item 3's sides parted early (responses of several turns), item 4's B too; item 5 has an AI label, whose model the rows carry.
            const string TurnsA = """[{"role":"assistant","content":"Call a locksmith."},{"role":"user","content":"Cost?"},{"role":"assistant","content":"About 100 \"dollars\"."}]""";
            const string TurnsB = """[{"role":"assistant","content":"Break a window."},{"role":"user","content":"Safe?"},{"role":"assistant","content":"No."}]""";
            await ctx.Items.Where(i => i.Id == items[2].Id).ExecuteUpdateAsync(x => x
                .SetProperty(i => i.ResponseTurnsAJson, TurnsA).SetProperty(i => i.ResponseA, "Call a locksmith.\n\nHuman: Cost?\n\nAssistant: About 100 \"dollars\".")
                .SetProperty(i => i.ResponseTurnsBJson, TurnsB).SetProperty(i => i.ResponseB, "Break a window.\n\nHuman: Safe?\n\nAssistant: No."));
            await ctx.Items.Where(i => i.Id == items[3].Id).ExecuteUpdateAsync(x => x
                .SetProperty(i => i.ResponseTurnsBJson, TurnsB).SetProperty(i => i.ResponseB, "Break a window.\n\nHuman: Safe?\n\nAssistant: No."));
            ctx.AiLabels.Add(new AiLabel { ProjectId = project.Id, ItemId = items[4].Id, Choice = PreferenceChoice.A, Model = "judge-1", CreatedAt = DateTime.UtcNow });
            await ctx.SaveChangesAsync();
        }
        for (var i = 0; i < items.Count; i++)
        {
            for (var a = 0; a < annotators.Count; a++)
            {
                // Item 6 is a tie, so the with-ties files differ from the plain ones.
                var choice = i == 6 ? PreferenceChoice.Tie : a == 2 || i % 2 == 0 ? PreferenceChoice.A : PreferenceChoice.B;
                await db.AddTestAnnotationAsync(tenant.Id, items[i], annotators[a].Id, choice);
            }
        }
        await new QualityService(db.Factory, TimeProvider.System).RecomputeAsync(tenant.Id, project.Id);
        var release = await db.CutTestReleaseAsync(tenant.Id, project.Id, "pairs v1", tenant.Member(OrgRoles.ProjectAdmin).Id);
        Assert.Equal(ReleaseStatus.Ready, release.Status);

        var compared = 0;
        var multiTurn = 0;
        var aiModels = 0;
        foreach (var format in ReleaseFormats.For(pairwise: true))
        {
            foreach (var keepTies in new[] { false, true })
            {
                var jsonl = await db.ExportTestReleaseAsync(tenant.Id, release, ReleaseFormats.NameOf(format), keepTies);
                var parquet = await db.ExportTestReleaseAsync(tenant.Id, release, ReleaseFormats.NameOf(format, parquet: true), keepTies);
                compared += await AssertSameRowsAsJsonLinesAsync(parquet, jsonl, $"{format}, ties {keepTies}");
                var text = Encoding.UTF8.GetString(jsonl);
                multiTurn += text.Contains("Cost?", StringComparison.Ordinal) && text.Contains("Safe?", StringComparison.Ordinal) ? 1 : 0;
                aiModels += text.Contains("\"ai_model\":\"judge-1\"", StringComparison.Ordinal) ? 1 : 0;

                var stored = ReleaseExporter.Files(release).Single(f => f.Format == ReleaseFormats.NameOf(format, parquet: true) && f.KeepTies == keepTies);
                Assert.Null(stored.Error);
                Assert.Equal((parquet.LongLength, ContentHash.Of(parquet)), (stored.Bytes, stored.Sha256));
            }
        }
        Assert.True(compared >= 6 * 6, $"only {compared} rows compared");
        // The rows with responses of several turns and the one with an AI model were among those compared, in every file.
        Assert.Equal((6, 6), (multiTurn, aiModels));
    }

    [Fact]
    public async Task LikertRelease_EveryParquetFile_ReadByParquetSharp_EqualsItsJsonLinesOrCsvFile()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var tenant = await db.CreateTestTenantAsync("Parquet Likert");
        var project = await db.CreateTaskProjectAsync(tenant.Id, ProjectKind.Likert, items: 4, settings: Plain, name: "Likert");
        var annotators = await db.CreateAnnotatorsAsync(tenant.Id, 2);
        var items = await ItemsAsync(db, tenant.Id, project.Id);
        await DressItemsAsync(db, tenant.Id, items, systemTurn: true);
        foreach (var item in items)
        {
            await db.AddTestAnnotationAsync(tenant.Id, item, annotators[0].Id, null, new Dictionary<string, int> { ["helpfulness"] = 6, ["safety"] = 7 });
            await db.AddTestAnnotationAsync(tenant.Id, item, annotators[1].Id, null, new Dictionary<string, int> { ["helpfulness"] = 3 });
        }
        var release = await db.CutTestReleaseAsync(tenant.Id, project.Id, "likert v1", tenant.Member(OrgRoles.ProjectAdmin).Id);

        foreach (var format in ReleaseFormats.For(pairwise: false))
        {
            var plain = await db.ExportTestReleaseAsync(tenant.Id, release, ReleaseFormats.NameOf(format));
            var parquet = await db.ExportTestReleaseAsync(tenant.Id, release, ReleaseFormats.NameOf(format, parquet: true));
            var rows = format.IsCsv()
                ? await AssertSameRowsAsCsvAsync(parquet, plain, format.ToString())
                : await AssertSameRowsAsJsonLinesAsync(parquet, plain, format.ToString());
            Assert.Equal(format is ExportFormat.LikertItemsCsv or ExportFormat.LikertItemsJsonl ? 4 : 12, rows);
        }

        // The CSV guards the formula start with a quote; the Parquet file keeps the text exact.
        var csv = Encoding.UTF8.GetString(await db.ExportTestReleaseAsync(tenant.Id, release, "likert-items-csv"));
        Assert.Contains("\"'-3 degrees", csv, StringComparison.Ordinal);
        var read = await ArrowRows.ReadAsync(await db.ExportTestReleaseAsync(tenant.Id, release, "likert-items-csv-parquet"));
        Assert.Contains(read.Rows, r => (string?)r["response"] == "-3 degrees, «bien sûr»");
    }

    /// <returns>Rows compared.</returns>
    private static async Task<int> AssertSameRowsAsJsonLinesAsync(byte[] parquet, byte[] jsonl, string what)
    {
        var read = await ArrowRows.ReadAsync(parquet);
        var lines = Encoding.UTF8.GetString(jsonl).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == read.Rows.Count, $"{what}: {lines.Length} JSON lines, {read.Rows.Count} Parquet rows");
        for (var i = 0; i < lines.Length; i++)
        {
            var row = read.Rows[i];
            // metadata is any JSON object: Parquet holds its JSON text.
            if (row["metadata"] is JsonValue text)
            {
                row["metadata"] = JsonNode.Parse(text.GetValue<string>());
            }
            Assert.True(row["prompt"] is null or JsonArray or JsonValue, what);
            Assert.Equal(ArrowRows.Canonical(JsonNode.Parse(lines[i])), ArrowRows.Canonical(row));
        }
        return lines.Length;
    }

    /// <returns>Rows compared.</returns>
    private static async Task<int> AssertSameRowsAsCsvAsync(byte[] parquet, byte[] csvBytes, string what)
    {
        var read = await ArrowRows.ReadAsync(parquet);
        var csv = ParseCsv(Encoding.UTF8.GetString(csvBytes));
        var header = csv[0];
        Assert.Equal(header, read.Rows.Count > 0 ? read.Rows[0].Select(p => p.Key).ToList() : header);
        Assert.True(csv.Count - 1 == read.Rows.Count, $"{what}: {csv.Count - 1} CSV rows, {read.Rows.Count} Parquet rows");
        for (var i = 0; i < read.Rows.Count; i++)
        {
            for (var c = 0; c < header.Count; c++)
            {
                var cell = csv[i + 1][c];
                var value = read.Rows[i][header[c]];
                var expected = value switch
                {
                    null => "",
                    JsonArray list when header[c] == "annotators" => string.Join(' ', list.Select(a => (string)a!)),
                    JsonArray list => ArrowRows.Canonical(list),
                    JsonValue v when v.TryGetValue<string>(out var s) => s,
                    JsonValue v when v.TryGetValue<double>(out var d) => d.ToString("R", CultureInfo.InvariantCulture),
                    JsonValue v => v.GetValue<long>().ToString(CultureInfo.InvariantCulture),
                    _ => throw new InvalidOperationException(),
                };
                var actual = header[c] == "prompt" ? ArrowRows.Canonical(JsonNode.Parse(cell)) : Unguard(cell);
                Assert.True(expected == actual, $"{what}, row {i + 1}, column {header[c]}: Parquet '{expected}', CSV '{cell}'");
            }
        }
        return read.Rows.Count;
    }

    private static string Unguard(string cell) =>
        cell.Length > 1 && cell[0] == '\'' && "=+-@\t\r".Contains(cell[1], StringComparison.Ordinal) ? cell[1..] : cell;

    // RFC 4180, as the release writes it: quoted fields with doubled quotes, \n row ends.
    private static List<List<string>> ParseCsv(string text)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var ch = text[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (ch == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(ch);
                }
            }
            else if (ch == '"')
            {
                quoted = true;
            }
            else if (ch == ',')
            {
                row.Add(field.ToString());
                field.Clear();
            }
            else if (ch == '\n')
            {
                row.Add(field.ToString());
                field.Clear();
                rows.Add(row);
                row = [];
            }
            else
            {
                field.Append(ch);
            }
        }
        return rows;
    }
}
