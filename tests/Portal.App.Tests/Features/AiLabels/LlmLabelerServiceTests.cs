using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.AiLabels;
using Portal.App.Features.Organisations;
using Portal.App.Features.Projects;
using Portal.App.Jobs;
using Portal.Core.Aggregation;
using Portal.Core.AiLabels;
using Portal.TestSupport;

namespace Portal.App.Tests.Features.AiLabels;

public sealed class LlmLabelerServiceTests
{
    private static LlmLabelerService Service(TestDatabase db) => new(db.Factory, db.Services.GetRequiredService<IDataProtectionProvider>(),
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["AiLabels:BackoffMilliseconds"] = "20", ["AiLabels:Parallel"] = "3" }).Build(),
        TimeProvider.System);

    private static LlmSettingsInput Input(string baseUrl, string? key = "sk-secret-123", string? template = null, int rpm = 6000) =>
        new(baseUrl, "judge-1", key, template, rpm, 2, 5, 0.2);

    private static async Task<List<Item>> AddItemsAsync(TestDatabase db, TestTenant tenant, int n)
    {
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        var items = Enumerable.Range(1, n).Select(i => new Item
        {
            ProjectId = tenant.Project.Id,
            ExternalId = $"p{i}",
            ConversationJson = $$"""[{"role":"user","content":"Question {{i}}"}]""",
            ResponseA = $"answer-a-{i}",
            ResponseB = $"answer-b-{i}",
            CreatedAt = DateTime.UtcNow,
        }).ToList();
        ctx.Items.AddRange(items);
        await ctx.SaveChangesAsync();
        return items;
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task SaveSettings_TemplateChange_BumpsTheVersionAndTheKeyIsNeverShownOrStoredPlain(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var service = Service(db);

        var first = await service.SaveSettingsAsync(tenant.Id, tenant.Project.Id, Input("http://127.0.0.1:9/v1"));
        var same = await service.SaveSettingsAsync(tenant.Id, tenant.Project.Id, Input("http://127.0.0.1:9/v1", key: null) with { MaxRetries = 4 });
        var changed = await service.SaveSettingsAsync(tenant.Id, tenant.Project.Id, Input("http://127.0.0.1:9/v1", key: null,
            template: "Pick one. {{conversation}} A: {{response_a}} B: {{response_b}}"));
        var removed = await service.SaveSettingsAsync(tenant.Id, tenant.Project.Id, Input("http://127.0.0.1:9/v1", key: ""));

        Assert.Equal((1, 1, 2), (first!.PromptVersion, same!.PromptVersion, changed!.PromptVersion));
        Assert.Equal((true, true, true, false), (first.HasApiKey, same.HasApiKey, changed.HasApiKey, removed!.HasApiKey));
        Assert.Equal(4, same.MaxRetries);
        Assert.DoesNotContain("sk-secret-123", System.Text.Json.JsonSerializer.Serialize(first), StringComparison.Ordinal);
        await service.SaveSettingsAsync(tenant.Id, tenant.Project.Id, Input("http://127.0.0.1:9/v1"));
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        var stored = await ctx.LlmLabelerSettings.SingleAsync();
        Assert.NotNull(stored.ApiKeyProtected);
        Assert.DoesNotContain("sk-secret-123", stored.ApiKeyProtected, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task SaveSettings_BadFields_NameEachAndSaveNothing(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");

        var ex = await Assert.ThrowsAsync<ValidationProblemsException>(() => Service(db).SaveSettingsAsync(tenant.Id, tenant.Project.Id,
            new LlmSettingsInput("ftp://x", "", null, "no placeholders", 0, 11, 0, 3)));

        Assert.Equal(["baseUrl", "model", "promptTemplate", "maxRequestsPerMinute", "maxRetries", "timeoutSeconds", "temperature"],
            ex.Problems.Select(p => p.Field));
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        Assert.Equal(0, await ctx.LlmLabelerSettings.CountAsync());
        Assert.Equal(LlmLabelerService.Defaults, await Service(db).GetSettingsAsync(tenant.Id, tenant.Project.Id));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Label_AgainstALocalEndpoint_StoresLabelsWithThePromptVersionAndMalformedAnswersAsErrors(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var items = await AddItemsAsync(db, tenant, 6);
        var first429 = 0;
        // p1…p6: B when the prompt asks about an even question, A otherwise; p5 answers nonsense; p2 gets a 429 first.
        await using var server = await FakeChatServer.StartAsync(r =>
        {
            if (r.Prompt.Contains("Question 2", StringComparison.Ordinal) && Interlocked.Exchange(ref first429, 1) == 0)
            {
                return ChatReply.Fail(429);
            }

            if (r.Prompt.Contains("Question 5", StringComparison.Ordinal))
            {
                return ChatReply.Content("I'd rather not say.");
            }

            var even = new[] { "Question 2", "Question 4", "Question 6" }.Any(q => r.Prompt.Contains(q, StringComparison.Ordinal));
            return ChatReply.Content(even ? """Here: {"choice": "B", "confidence": 0.9, "rationale": "B is better."}""" : """{"choice": "A", "confidence": 0.7}""");
        });
        var service = Service(db);
        var template = "Q: {{conversation}}\nA: {{response_a}}\nB: {{response_b}}\nAnswer in JSON.";
        await service.SaveSettingsAsync(tenant.Id, tenant.Project.Id, Input(server.BaseUrl, template: PromptTemplate.Default));
        await service.SaveSettingsAsync(tenant.Id, tenant.Project.Id, Input(server.BaseUrl, key: null, template: template));
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            // Already labelled by an import: a run without "all" leaves it alone.
            ctx.AiLabels.Add(new AiLabel { ProjectId = tenant.Project.Id, ItemId = items[5].Id, Choice = PreferenceChoice.Tie, Model = "imported", CreatedAt = DateTime.UtcNow });
            await ctx.SaveChangesAsync();
        }

        var result = await service.LabelAsync(tenant.Id, tenant.Project.Id, all: false, new NoProgress(), default);

        // item-1 (the tenant's own, "A"/"B", no conversation) and p1…p5: six asked, p5 unreadable.
        Assert.Equal(new LlmLabelResult(6, 5, 1), result);
        Assert.Equal(7, server.Requests.Count);
        Assert.All(server.Requests, r => Assert.Equal("Bearer sk-secret-123", r.Authorization));
        Assert.Contains(server.Requests, r => r.Prompt == "Q: user: Question 3\nA: answer-a-3\nB: answer-b-3\nAnswer in JSON.");
        await using var check = db.Factory.CreateForTenant(tenant.Id);
        var labels = await check.AiLabels.Join(check.Items, l => l.ItemId, i => i.Id, (l, i) => new { i.ExternalId, l.Choice, l.Confidence, l.Origin, l.PromptVersion, l.Model, l.Rationale })
            .ToDictionaryAsync(l => l.ExternalId!);
        Assert.Equal((PreferenceChoice.B, 0.9, "llm", (int?)2, "judge-1", "B is better."),
            (labels["p2"].Choice, labels["p2"].Confidence, labels["p2"].Origin, labels["p2"].PromptVersion, labels["p2"].Model, labels["p2"].Rationale));
        Assert.Equal((PreferenceChoice.A, 0.7), (labels["p3"].Choice, labels["p3"].Confidence));
        Assert.Equal(PreferenceChoice.B, labels["p4"].Choice);
        Assert.False(labels.ContainsKey("p5"));
        Assert.Equal(("imported", PreferenceChoice.Tie), (labels["p6"].Model, labels["p6"].Choice));
        var error = await check.AiLabelErrors.SingleAsync();
        Assert.Equal((items[4].Id, "I'd rather not say.", 2), (error.ItemId, error.Answer, error.PromptVersion));
        Assert.Contains("no JSON object", error.Error, StringComparison.Ordinal);

        // Again, now for all: every non-gold pair is asked, p6's imported label replaced.
        var again = await service.LabelAsync(tenant.Id, tenant.Project.Id, all: true, new NoProgress(), default);
        Assert.Equal(7, again.Asked);
        Assert.Equal("llm", (await check.AiLabels.SingleAsync(l => l.ItemId == items[5].Id)).Origin);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Label_WithoutSettings_SaysSoAndAsksNothing(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");

        var ex = await Assert.ThrowsAsync<PortalValidationException>(() => Service(db).LabelAsync(tenant.Id, tenant.Project.Id, false, new NoProgress(), default));

        Assert.Equal("settings", ex.Field);
    }

    private sealed class NoProgress : IJobProgress
    {
        public ValueTask ReportAsync(int percent, string? message = null) => ValueTask.CompletedTask;
    }
}
