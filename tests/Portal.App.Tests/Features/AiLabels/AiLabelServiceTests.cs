using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.AiLabels;
using Portal.App.Features.Organisations;
using Portal.App.Jobs;
using Portal.Core.Aggregation;
using Portal.TestSupport;

namespace Portal.App.Tests.Features.AiLabels;

public sealed class AiLabelServiceTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("portal-ai-labels").FullName;

    private async Task<string> FileAsync(params string[] lines)
    {
        var path = Path.Combine(_folder, Guid.NewGuid().ToString("N") + ".jsonl");
        await File.WriteAllLinesAsync(path, lines);
        return path;
    }

    private static AiLabelService Service(TestDatabase db) => db.Services.CreateScope().ServiceProvider.GetRequiredService<AiLabelService>();

    /// <summary>The tenant's project with items p1…p{n} besides its item-1.</summary>
    private static async Task<List<Item>> AddItemsAsync(TestDatabase db, TestTenant tenant, int n)
    {
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        var items = Enumerable.Range(1, n).Select(i => new Item
        {
            ProjectId = tenant.Project.Id,
            ExternalId = $"p{i}",
            ConversationJson = $$"""[{"role":"user","content":"Question {{i}}"}]""",
            ResponseA = $"a{i}",
            ResponseB = $"b{i}",
            CreatedAt = DateTime.UtcNow,
        }).ToList();
        ctx.Items.AddRange(items);
        await ctx.SaveChangesAsync();
        return items;
    }

    private static async Task<List<(string? ExternalId, PreferenceChoice Choice, double? Confidence, string Model)>> LabelsAsync(TestDatabase db, TestTenant tenant)
    {
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        return [.. (await ctx.AiLabels.Join(ctx.Items, l => l.ItemId, i => i.Id, (l, i) => new { i.ExternalId, l.Choice, l.Confidence, l.Model }).ToListAsync())
            .OrderBy(l => l.ExternalId, StringComparer.Ordinal).Select(l => (l.ExternalId, l.Choice, l.Confidence, l.Model))];
    }

    private static string Line(string item, string choice, double? confidence = 0.8, string model = "judge-1") =>
        $$"""{"item": "{{item}}", "choice": "{{choice}}"{{(confidence is { } c ? $", \"confidence\": {c.ToString(System.Globalization.CultureInfo.InvariantCulture)}" : "")}}, "model": "{{model}}", "rationale": "because {{item}}"}""";

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Import_GoodFileByExternalIdAndGuid_AddsEveryLabel(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var items = await AddItemsAsync(db, tenant, 1200);
        var lines = items.Select((item, i) => Line(i % 2 == 0 ? item.ExternalId! : item.Id.ToString(), i % 3 == 0 ? "A" : i % 3 == 1 ? "B" : "tie")).ToArray();
        var progress = new RecordingProgress();

        var result = await Service(db).ImportFileAsync(tenant.Id, tenant.Project.Id, await FileAsync(lines), "labels.jsonl", progress, default);

        Assert.Equal(new AiLabelImportResult(1200, 1200, 0), result);
        var labels = await LabelsAsync(db, tenant);
        Assert.Equal(1200, labels.Count);
        Assert.Contains(("p2", PreferenceChoice.B, 0.8, "judge-1"), labels);
        Assert.Contains(("p3", PreferenceChoice.Tie, 0.8, "judge-1"), labels);
        Assert.Equal(100, progress.Percents[^1]);
        Assert.True(progress.Percents.Count > 3, "no progress between batches");
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        var stored = await ctx.AiLabels.FirstAsync(l => l.ItemId == items[0].Id);
        Assert.Equal(("import", "because p1", (int?)null), (stored.Origin, stored.Rationale, stored.PromptVersion));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Import_Again_ReplacesTheLabelsOfTheSameItemsAndKeepsTheOthers(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        await AddItemsAsync(db, tenant, 3);
        await Service(db).ImportFileAsync(tenant.Id, tenant.Project.Id, await FileAsync(Line("p1", "A"), Line("p2", "A")), "one.jsonl", new RecordingProgress(), default);

        var second = await Service(db).ImportFileAsync(tenant.Id, tenant.Project.Id,
            await FileAsync(Line("p2", "B", 0.6, "judge-2"), Line("p3", "tie", null, "judge-2")), "two.jsonl", new RecordingProgress(), default);

        Assert.Equal((1, 1), (second.Added, second.Replaced));
        Assert.Equal([("p1", PreferenceChoice.A, 0.8, "judge-1"), ("p2", PreferenceChoice.B, 0.6, "judge-2"), ("p3", PreferenceChoice.Tie, null, "judge-2")],
            await LabelsAsync(db, tenant));
    }

    public static TheoryData<TestProvider, string, string> BadFiles()
    {
        var data = new TheoryData<TestProvider, string, string>();
        foreach (var provider in new[] { TestProvider.Sqlite, TestProvider.Postgres })
        {
            data.Add(provider, """{"item": "nope", "choice": "A", "model": "m"}""", "line 3: field 'item' 'nope' is no item of this project");
            data.Add(provider, """{"item": "p1", "choice": "maybe", "model": "m"}""", "line 3: field 'choice' 'maybe' is not a choice");
            data.Add(provider, """{"item": "p1", "choice": "A", "confidence": 1.5, "model": "m"}""", "line 3: field 'confidence' 1.5 is out of range");
            data.Add(provider, """{"item": "p2", "choice": "A", "model": "m"}""", "line 3: field 'item' 'p2' is labelled twice in the file (first on line 2)");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task Import_BadThirdLine_ChangesNothingAndNamesLineAndField(TestProvider provider, string bad, string message)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        await AddItemsAsync(db, tenant, 3);
        await Service(db).ImportFileAsync(tenant.Id, tenant.Project.Id, await FileAsync(Line("p3", "A")), "first.jsonl", new RecordingProgress(), default);
        var before = await LabelsAsync(db, tenant);

        var path = await FileAsync(Line("p1", "B"), Line("p2", "B"), bad, Line("p3", "B"));

        var ex = await Assert.ThrowsAsync<PortalValidationException>(() => Service(db).ImportFileAsync(tenant.Id, tenant.Project.Id,
            path, "bad.jsonl", new RecordingProgress(), default));

        Assert.Equal("file", ex.Field);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.StartsWith("bad.jsonl line 3", ex.Message, StringComparison.Ordinal);
        Assert.EndsWith("Nothing was imported.", ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, await LabelsAsync(db, tenant));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Import_LikertProject_IsRefusedAndChangesNothing(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        Guid likertId;
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            var likert = new Project { Name = "Likert", Kind = ProjectKind.Likert, CreatedAt = DateTime.UtcNow };
            ctx.Projects.Add(likert);
            ctx.Items.Add(new Item { ProjectId = likert.Id, ExternalId = "l1", ResponseA = "only", CreatedAt = DateTime.UtcNow });
            await ctx.SaveChangesAsync();
            likertId = likert.Id;
        }

        var path = await FileAsync(Line("l1", "A"));

        var ex = await Assert.ThrowsAsync<PortalValidationException>(() => Service(db).ImportFileAsync(tenant.Id, likertId,
            path, "l.jsonl", new RecordingProgress(), default));

        Assert.Equal("project", ex.Field);
        Assert.Contains("pairwise", ex.Message, StringComparison.Ordinal);
        await using var check = db.Factory.CreateForTenant(tenant.Id);
        Assert.Equal(0, await check.AiLabels.CountAsync());
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Import_ItemOfAnotherTenantsProject_IsUnknown(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var alpha = await db.CreateTestTenantAsync("Alpha");
        var beta = await db.CreateTestTenantAsync("Beta");

        var path = await FileAsync(Line(beta.Item.Id.ToString(), "A"));

        var ex = await Assert.ThrowsAsync<PortalValidationException>(() => Service(db).ImportFileAsync(alpha.Id, alpha.Project.Id,
            path, "x.jsonl", new RecordingProgress(), default));

        Assert.Contains("is no item of this project", ex.Message, StringComparison.Ordinal);
        await using var ctx = db.Factory.CreateSystem();
        Assert.Equal(0, await ctx.AiLabels.IgnoreQueryFilters().CountAsync());
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task List_PagesNewestFirstWithTheHumanCuratedLabel(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var items = await AddItemsAsync(db, tenant, 5);
        await Service(db).ImportFileAsync(tenant.Id, tenant.Project.Id, await FileAsync([.. items.Select(i => Line(i.ExternalId!, "A"))]), "a.jsonl", new RecordingProgress(), default);
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            ctx.CuratedLabels.Add(new CuratedLabel { ProjectId = tenant.Project.Id, ItemId = items[0].Id, Method = "majority", Choice = PreferenceChoice.B, Ratings = 3, ComputedAt = DateTime.UtcNow });
            await ctx.SaveChangesAsync();
        }

        var page = await Service(db).ListAsync(tenant.Id, tenant.Project.Id, 0, 3);
        var all = await Service(db).ListAsync(tenant.Id, tenant.Project.Id, 0, 10);

        Assert.Equal((5, 3), (page!.Total, page.Items.Count));
        var p1 = all!.Items.Single(r => r.ExternalId == "p1");
        Assert.Equal((PreferenceChoice.A, (PreferenceChoice?)PreferenceChoice.B, "majority", 3, "Question 1"), (p1.Choice, p1.HumanChoice, p1.HumanMethod, p1.HumanRatings, p1.Prompt));
        Assert.Null(all.Items.Single(r => r.ExternalId == "p2").HumanChoice);
        Assert.Null(await Service(db).ListAsync(Guid.NewGuid(), tenant.Project.Id, 0, 10));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private sealed class RecordingProgress : IJobProgress
    {
        public List<int> Percents { get; } = [];

        public ValueTask ReportAsync(int percent, string? message = null)
        {
            Percents.Add(percent);
            return ValueTask.CompletedTask;
        }
    }
}
