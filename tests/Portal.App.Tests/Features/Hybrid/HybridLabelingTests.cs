using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.AiLabels;
using Portal.App.Features.Hybrid;
using Portal.App.Jobs;
using Portal.Core.Aggregation;
using Portal.TestSupport;

namespace Portal.App.Tests.Features.Hybrid;

/// <summary>The LLM labeler on a project whose categories route differently, against a local fake endpoint.</summary>
public sealed class HybridLabelingTests
{
    private const string Stylish = "**What a great question!** Let me walk you through it with care. The answer is **41**.";
    private const string Plain = "42";

    private static LlmLabelerService Labeler(TestDatabase db) => new(db.Factory, db.Services.GetRequiredService<IDataProtectionProvider>(),
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["AiLabels:BackoffMilliseconds"] = "20", ["AiLabels:Parallel"] = "2" }).Build(),
        TimeProvider.System);

    private static async Task<Dictionary<string, Item>> AddItemsAsync(TestDatabase db, TestTenant tenant, params (string Id, string? Category, string? Metadata)[] items)
    {
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        // The tenant's own item would be asked too; it is gold here so the labeler leaves it out.
        await ctx.Items.Where(i => i.ProjectId == tenant.Project.Id).ExecuteUpdateAsync(s => s.SetProperty(i => i.IsGold, true));
        var added = items.Select(x => new Item
        {
            ProjectId = tenant.Project.Id,
            ExternalId = x.Id,
            Category = x.Category,
            MetadataJson = x.Metadata,
            ConversationJson = JsonSerializer.Serialize(new[] { new { role = "user", content = $"[{x.Id}] What is six times seven?" } }),
            ResponseA = Stylish,
            ResponseB = Plain,
            CreatedAt = DateTime.UtcNow,
        }).ToList();
        ctx.Items.AddRange(added);
        await ctx.SaveChangesAsync();
        return added.ToDictionary(i => i.ExternalId!);
    }

    private static bool IsCheck(ChatRequest r) => r.Prompt.Contains("checking two assistant responses for correctness", StringComparison.Ordinal);

    private static bool IsCategory(ChatRequest r) => r.Prompt.Contains("Which category does this conversation belong to", StringComparison.Ordinal);

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Label_ByRoute_CheckedCategoryLetsTheRightAnswerBeatTheStylishWrongOneAndHumansOnlyIsNeverAsked(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var items = await AddItemsAsync(db, tenant,
            ("math-ref", "math", """{"reference_answer": "42"}"""),
            ("math-self", "math", null),
            ("chat", "chat", null),
            ("legal", "legal", null),
            ("unknown", null, null));
        var hybrid = new HybridService(db.Factory, TimeProvider.System);
        await hybrid.SaveAsync(tenant.Id, tenant.Project.Id, new CategoriesInput(
            [new("math", CategoryRoutes.AiChecked), new("chat", CategoryRoutes.Ai), new("legal", CategoryRoutes.Humans)], "Pick one of {{categories}} for {{conversation}}. Which category does this conversation belong to?"));

        // The labeler's taste: always the stylish A. Its check: A is wrong, B right. Its category for "unknown": legal.
        await using var server = await FakeChatServer.StartAsync(r =>
            IsCheck(r) ? ChatReply.Content("""{"solution": "6 × 7 = 42", "a_correct": false, "b_correct": true, "reason": "A says 41."}""")
            : IsCategory(r) ? ChatReply.Content("""{"category": "Legal"}""")
            : ChatReply.Content("""{"choice": "A", "confidence": 0.9, "rationale": "A is friendlier and well formatted."}"""));
        var labeler = Labeler(db);
        await labeler.SaveSettingsAsync(tenant.Id, tenant.Project.Id, new LlmSettingsInput(server.BaseUrl, "judge-1", null, null, 6000, 1, 5, 0));

        var result = await labeler.LabelAsync(tenant.Id, tenant.Project.Id, all: false, new NoProgress(), default);

        // Asked: math-ref, math-self, chat, unknown (which the category prompt sent to humans); legal never.
        Assert.Equal((4, 3, 0, 1, 2, 1), (result.Asked, result.Labelled, result.Errors, result.Skipped, result.DecidedByCheck, result.Categorised));
        var requests = server.Requests.ToList();
        Assert.DoesNotContain(requests, r => r.Prompt.Contains("[legal]", StringComparison.Ordinal));
        Assert.Single(requests, r => IsCategory(r));
        Assert.Contains("Pick one of chat, legal, math for user: [unknown]", requests.Single(IsCategory).Prompt, StringComparison.Ordinal);
        var checks = requests.Where(IsCheck).ToList();
        Assert.Equal(2, checks.Count);
        Assert.Contains(checks, r => r.Prompt.Contains("[math-ref]", StringComparison.Ordinal) && r.Prompt.Contains("Reference answer:\n42", StringComparison.Ordinal));
        Assert.Contains(checks, r => r.Prompt.Contains("[math-self]", StringComparison.Ordinal) && r.Prompt.Contains("First solve the problem", StringComparison.Ordinal));
        Assert.DoesNotContain(requests, r => IsCheck(r) && r.Prompt.Contains("[chat]", StringComparison.Ordinal));

        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        var labels = await ctx.AiLabels.Join(ctx.Items, l => l.ItemId, i => i.Id, (l, i) => new { i.ExternalId, l.Choice, l.Confidence, l.CheckJson, l.Rationale })
            .ToDictionaryAsync(l => l.ExternalId!);
        // The check overturned the preference on both math items; chat keeps the preference, unchecked.
        Assert.Equal((PreferenceChoice.B, PreferenceChoice.B, PreferenceChoice.A), (labels["math-ref"].Choice, labels["math-self"].Choice, labels["chat"].Choice));
        Assert.Null(labels["math-ref"].Confidence);
        Assert.StartsWith("Correctness check: A wrong, B right. Preference: A.", labels["math-ref"].Rationale, StringComparison.Ordinal);
        Assert.Null(labels["chat"].CheckJson);
        using (var check = JsonDocument.Parse(labels["math-ref"].CheckJson!))
        {
            var c = check.RootElement;
            Assert.Equal(("item", false, true, "A", "check"), (c.GetProperty("reference").GetString(), c.GetProperty("aCorrect").GetBoolean(),
                c.GetProperty("bCorrect").GetBoolean(), c.GetProperty("preference").GetString(), c.GetProperty("decidedBy").GetString()));
        }

        using (var check = JsonDocument.Parse(labels["math-self"].CheckJson!))
        {
            Assert.Equal(("self", "6 × 7 = 42"), (check.RootElement.GetProperty("reference").GetString(), check.RootElement.GetProperty("solution").GetString()));
        }

        Assert.False(labels.ContainsKey("legal"));
        Assert.False(labels.ContainsKey("unknown"));
        Assert.Equal("legal", await ctx.Items.Where(i => i.Id == items["unknown"].Id).Select(i => i.Category).SingleAsync());

        // A second run asks nothing about the humans-only items, even with "all".
        server.Requests.Clear();
        var again = await labeler.LabelAsync(tenant.Id, tenant.Project.Id, all: true, new NoProgress(), default);
        Assert.Equal(3, again.Asked);
        Assert.DoesNotContain(server.Requests, r => r.Prompt.Contains("[legal]", StringComparison.Ordinal) || r.Prompt.Contains("[unknown]", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Label_CheckedCategoryBothRightOrUnreadable_ThePreferenceDecides(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        await AddItemsAsync(db, tenant, ("both-right", "math", null), ("garbled", "math", null));
        await new HybridService(db.Factory, TimeProvider.System).SaveAsync(tenant.Id, tenant.Project.Id, new CategoriesInput([new("math", CategoryRoutes.AiChecked)], null));
        await using var server = await FakeChatServer.StartAsync(r =>
            IsCheck(r) && r.Prompt.Contains("[both-right]", StringComparison.Ordinal) ? ChatReply.Content("""{"a_correct": "yes", "b_correct": true}""")
            : IsCheck(r) ? ChatReply.Content("I cannot tell.")
            : ChatReply.Content("""{"choice": "A", "confidence": 0.8}"""));
        var labeler = Labeler(db);
        await labeler.SaveSettingsAsync(tenant.Id, tenant.Project.Id, new LlmSettingsInput(server.BaseUrl, "judge-1", null, null, 6000, 1, 5, 0));

        var result = await labeler.LabelAsync(tenant.Id, tenant.Project.Id, all: false, new NoProgress(), default);

        Assert.Equal((2, 0, 0), (result.Labelled, result.DecidedByCheck, result.Skipped));
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        var labels = await ctx.AiLabels.ToListAsync();
        Assert.All(labels, l => Assert.Equal((PreferenceChoice.A, 0.8), (l.Choice, l.Confidence)));
        Assert.All(labels, l => Assert.Contains("\"decidedBy\":\"preference\"", l.CheckJson, StringComparison.Ordinal));
    }

    private sealed class NoProgress : IJobProgress
    {
        public ValueTask ReportAsync(int percent, string? message = null) => ValueTask.CompletedTask;
    }
}
