using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Import;
using Portal.App.Features.Organisations;
using Portal.App.Features.Quality;
using Portal.App.Features.Releases;
using Portal.App.Jobs;
using Portal.Core.Aggregation;
using Portal.Core.Pairs;
using Portal.TestSupport;

namespace Portal.App.Tests.Features.Releases;

/// <summary>
/// Responses of several turns (HH-RLHF pairs whose transcripts part before their last turn) through a whole release: imported,
/// cut, written in every pairwise format, and imported back; and the AI label's model on the rows it labelled.
/// </summary>
public sealed class ReleaseTurnsTests : IDisposable
{
    private static readonly ProjectSettings Plain = ProjectSettings.Default with
    {
        Gold = new GoldOptions { Rate = 0 },
        Pairwise = new PairwiseOptions { StrengthLevels = 0 },
    };

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly string _folder = Directory.CreateTempSubdirectory("portal-release-turns").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    // Six-turn transcripts (Human, Assistant, …) whose two sides part 1, 2 and 3 turns before the end, as real HH-RLHF pairs do.
    private static readonly Turn[] Shared =
    [
        new(Turn.User, "I'm locked out of my house."),
        new(Turn.Assistant, "Do you have a spare key somewhere?"),
        new(Turn.User, "No, nobody has one."),
    ];

    private static (Turn[] Chosen, Turn[] Rejected) Sides(int partsBeforeEnd, int n)
    {
        Turn[] chosenTail = [new(Turn.Assistant, $"Call a locksmith ({n})."), new(Turn.User, "How much will it cost?"), new(Turn.Assistant, "Usually 80 to 150 dollars.")];
        Turn[] rejectedTail = [new(Turn.Assistant, $"Break a window ({n})."), new(Turn.User, "Isn't that dangerous?"), new(Turn.Assistant, "Only if you cut yourself.")];
        var common = 6 - partsBeforeEnd;
        // The turns after the shared three: common ones come from the chosen side, so the two sides agree up to the part.
        var chosen = Shared.Concat(chosenTail).ToArray();
        var rejected = Shared.Concat(chosenTail.Take(common - 3)).Concat(rejectedTail.Skip(common - 3)).ToArray();
        return (chosen, rejected);
    }

    private static string Transcript(IEnumerable<Turn> turns) =>
        string.Concat(turns.Select(t => $"\n\n{(t.Role == Turn.User ? "Human" : "Assistant")}: {t.Content}"));

    private static readonly (Turn[] Chosen, Turn[] Rejected)[] Pairs = [Sides(1, 1), Sides(2, 2), Sides(3, 3)];

    private static async Task<List<(string Conversation, string A, string? B, string? TurnsA, string? TurnsB)>> ItemsAsync(TestDatabase db, Guid tenantId, Guid projectId)
    {
        await using var ctx = db.Factory.CreateForTenant(tenantId);
        var items = await ctx.Items.AsNoTracking().Where(i => i.ProjectId == projectId).ToListAsync();
        return [.. items.Select(i => (i.ConversationJson, i.ResponseA, i.ResponseB, i.ResponseTurnsAJson, i.ResponseTurnsBJson)).OrderBy(i => i.ResponseA, StringComparer.Ordinal)];
    }

    private async Task<ImportResult> ImportAsync(TestDatabase db, Guid tenantId, Guid projectId, string name, byte[] content, ImportOptions options)
    {
        var path = Path.Combine(_folder, $"{Guid.NewGuid():N}-{name}");
        await File.WriteAllBytesAsync(path, content);
        using var scope = db.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<ItemImportService>().ImportAsync(tenantId, projectId, path, name, options, new NoProgress(), CancellationToken.None);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task HhRlhfPairsThatPartEarly_CutAndExported_GiveTheInputTranscriptsAndImportBackToTheSameItems(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Turns");
        var project = await db.CreateTaskProjectAsync(tenant.Id, items: 0, overlap: 1, settings: Plain, name: "HH");
        var input = Pairs.Select(p => (Chosen: Transcript(p.Chosen), Rejected: Transcript(p.Rejected))).ToList();
        var file = string.Concat(input.Select(p => JsonSerializer.Serialize(new { chosen = p.Chosen, rejected = p.Rejected }) + "\n"));

        // The file's chosen sides become an external rater's choices, so the cut has a label for every pair.
        var imported = await ImportAsync(db, tenant.Id, project.Id, "hh.jsonl", Encoding.UTF8.GetBytes(file),
            new ImportOptions(Labels: FileLabels.External, Source: "Anthropic/hh-rlhf"));
        Assert.Equal((3, 2, 3), (imported.Added, imported.SplitEarly, imported.Labels));
        var release = await db.CutTestReleaseAsync(tenant.Id, project.Id, "turns v1", tenant.Member(OrgRoles.ProjectAdmin).Id);
        Assert.Equal((ReleaseStatus.Ready, 3), (release.Status, release.Items));
        Assert.All(ReleaseExporter.Files(release), f => Assert.Null(f.Error));

        // HH-RLHF: each side is the input transcript, byte for byte.
        var hh = Lines(await db.ExportTestReleaseAsync(tenant.Id, release, "hh-rlhf"));
        Assert.Equal(
            input.Order(),
            hh.Select(l => (Chosen: l["chosen"]!.GetValue<string>(), Rejected: l["rejected"]!.GetValue<string>())).Order());

        // TRL conversational: prompt then chosen (or rejected) is the whole conversation of that side.
        var trl = Lines(await db.ExportTestReleaseAsync(tenant.Id, release, "trl-messages"));
        Assert.Equal(
            Pairs.Select(p => (Messages(p.Chosen), Messages(p.Rejected))).Order(),
            trl.Select(l => (Concat(l["prompt"]!, l["chosen"]!), Concat(l["prompt"]!, l["rejected"]!))).Order());
        Assert.Equal([1, 2, 3], trl.Select(l => l["chosen"]!.AsArray().Count).Order());

        // The release's own files import back to the same items, responses' turns included.
        var source = await ItemsAsync(db, tenant.Id, project.Id);
        Assert.Equal(2, source.Count(i => i.TurnsA is not null && i.TurnsB is not null));
        foreach (var format in new[] { "hh-rlhf", "trl-messages", "hh-rlhf-parquet", "trl-messages-parquet" })
        {
            var target = await db.CreateTaskProjectAsync(tenant.Id, items: 0, overlap: 1, settings: Plain, name: "Back from " + format);
            var name = format.EndsWith("-parquet", StringComparison.Ordinal) ? "release.parquet" : "release.jsonl";
            var back = await ImportAsync(db, tenant.Id, target.Id, name, await db.ExportTestReleaseAsync(tenant.Id, release, format), ImportOptions.Default);
            Assert.Equal((3, 2), (back.Added, back.SplitEarly));
            Assert.Equal(source, await ItemsAsync(db, tenant.Id, target.Id));
        }
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Cut_RowsLabelledOrCheckedAgainstAnAiLabel_CarryItsModel_OthersNull(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Models");
        var project = await db.CreateTaskProjectAsync(tenant.Id, items: 3, overlap: 1, settings: Plain, name: "Pairs");
        var annotator = (await db.CreateAnnotatorsAsync(tenant.Id, 1))[0];
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            var items = await ctx.Items.Where(i => i.ProjectId == project.Id).OrderBy(i => i.ExternalId).ToListAsync();
            // item-001: humans A, AI A (judge-a); item-002: humans A, no AI label; item-003: only an AI label (judge-b).
            await db.AddTestAnnotationAsync(tenant.Id, items[0], annotator.Id, PreferenceChoice.A);
            await db.AddTestAnnotationAsync(tenant.Id, items[1], annotator.Id, PreferenceChoice.A);
            ctx.AiLabels.AddRange(
                new AiLabel { ProjectId = project.Id, ItemId = items[0].Id, Choice = PreferenceChoice.A, Model = "judge-a", CreatedAt = DateTime.UtcNow },
                new AiLabel { ProjectId = project.Id, ItemId = items[2].Id, Choice = PreferenceChoice.B, Model = "judge-b", CreatedAt = DateTime.UtcNow });
            await ctx.SaveChangesAsync();
        }
        await new QualityService(db.Factory, TimeProvider.System).RecomputeAsync(tenant.Id, project.Id);

        var release = await db.CutTestReleaseAsync(tenant.Id, project.Id, "models", tenant.Member(OrgRoles.ProjectAdmin).Id,
            new ReleaseFilters { Labels = LabelMode.HumanAndAi });

        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            var rows = await ctx.ReleaseRows.AsNoTracking().Where(r => r.ReleaseId == release.Id).OrderBy(r => r.Ordinal).ToListAsync();
            Assert.Equal(
                [("item-001", "judge-a"), ("item-002", null), ("item-003", "judge-b")],
                rows.Select(r => (r.ExternalId!, r.AiModel)).OrderBy(r => r.Item1, StringComparer.Ordinal));
        }
        foreach (var format in new[] { "trl-plain", "trl-messages", "hh-rlhf" })
        {
            var models = Lines(await db.ExportTestReleaseAsync(tenant.Id, release, format))
                .Select(l => (l["id"]!.GetValue<string>(), l["provenance"]!["ai_model"]?.GetValue<string>(), l["provenance"]!["label_source"]!.GetValue<string>()))
                .OrderBy(r => r.Item1, StringComparer.Ordinal);
            Assert.Equal([("item-001", "judge-a", "ai_confirmed_by_humans"), ("item-002", null, "human"), ("item-003", "judge-b", "ai")], models);
        }
        var parquet = await ArrowRows.ReadAsync(await db.ExportTestReleaseAsync(tenant.Id, release, "trl-plain-parquet"));
        Assert.Equal(["judge-a", null, "judge-b"],
            parquet.Rows.OrderBy(r => (string?)r["id"], StringComparer.Ordinal).Select(r => (string?)r["provenance"]!["ai_model"]));
    }

    [Fact]
    public async Task Export_ReleaseCutBeforeTheAiModelField_KeepsItsOldLayoutAndBytes()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var tenant = await db.CreateTestTenantAsync("Old layout");
        var project = await db.CreateTaskProjectAsync(tenant.Id, items: 2, overlap: 1, settings: Plain, name: "Pairs");
        var annotator = (await db.CreateAnnotatorsAsync(tenant.Id, 1))[0];
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            foreach (var item in await ctx.Items.Where(i => i.ProjectId == project.Id).ToListAsync())
            {
                await db.AddTestAnnotationAsync(tenant.Id, item, annotator.Id, PreferenceChoice.A);
            }
        }
        var release = await db.CutTestReleaseAsync(tenant.Id, project.Id, "v1", tenant.Member(OrgRoles.ProjectAdmin).Id);
        var current = Encoding.UTF8.GetString(await db.ExportTestReleaseAsync(tenant.Id, release, "trl-messages"));
        Assert.Contains("\"ai_model\":null,", current, StringComparison.Ordinal);

        // A release cut before the field existed has stats without a layout: it is written as it was then, every time.
        var stats = JsonNode.Parse(release.StatsJson)!.AsObject();
        Assert.Equal(ReleaseStats.CurrentLayout, (int)stats["layout"]!);
        stats.Remove("layout");
        release.StatsJson = stats.ToJsonString();
        var old = Encoding.UTF8.GetString(await db.ExportTestReleaseAsync(tenant.Id, release, "trl-messages"));
        Assert.Equal(current.Replace("\"ai_model\":null,", "", StringComparison.Ordinal), old);
        var parquet = await ArrowRows.ReadAsync(await db.ExportTestReleaseAsync(tenant.Id, release, "trl-messages-parquet"));
        Assert.Equal(2, parquet.Rows.Count);
        Assert.All(parquet.Rows, r => Assert.False(r["provenance"]!.AsObject().ContainsKey("ai_model")));
        var card = Encoding.UTF8.GetString(ReleaseExporter.Card(release, "Pairs", Portal.Core.Export.ExportFormat.TrlConversational, keepTies: false));
        Assert.DoesNotContain("ai_model", card, StringComparison.Ordinal);
    }

    private static List<JsonNode> Lines(byte[] jsonl) =>
        [.. Encoding.UTF8.GetString(jsonl).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!)];

    private static string Messages(IEnumerable<Turn> turns) => JsonSerializer.Serialize(turns.Select(t => new { role = t.Role, content = t.Content }));

    private static string Concat(JsonNode prompt, JsonNode response) =>
        JsonSerializer.Serialize(prompt.AsArray().Concat(response.AsArray()).Select(m => new { role = (string)m!["role"]!, content = (string)m["content"]! }));

    private sealed class NoProgress : IJobProgress
    {
        public ValueTask ReportAsync(int percent, string? message = null) => ValueTask.CompletedTask;
    }
}
