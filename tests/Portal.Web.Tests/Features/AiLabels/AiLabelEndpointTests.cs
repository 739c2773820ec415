using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.Core.Aggregation;
using Portal.TestSupport;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.AiLabels;

public class AiLabelEndpointTests
{
    private static readonly ProjectSettings NoGold = ProjectSettings.Default with { Gold = new GoldOptions { Rate = 0 } };

    private static StringContent Jsonl(params string[] lines) => new(string.Join('\n', lines), Encoding.UTF8, "application/x-ndjson");

    private static async Task<int> CountAsync(TestDatabase db, Guid tenantId)
    {
        await using var ctx = db.Factory.CreateForTenant(tenantId);
        return await ctx.AiLabels.CountAsync();
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Import_ThenAgain_AddsThenReplacesAndListsWithPaging(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var project = await db.CreateTaskProjectAsync(tenant.Id, items: 3, settings: NoGold, name: "Pairs");
        await using var app = new PortalFactory(db);
        var admin = await app.SignInAsync(tenant.Member(OrgRoles.ProjectAdmin).Email!);
        var url = $"/api/v1/orgs/{tenant.Id}/projects/{project.Id}/ai-labels";

        var first = await admin.PostAsync(url, Jsonl(
            """{"item": "item-001", "choice": "A", "confidence": 0.9, "model": "judge", "rationale": "A is kinder."}""",
            """{"item": "item-002", "choice": "tie", "model": "judge"}"""));
        var second = await admin.PostAsync(url, Jsonl("""{"item": "item-002", "choice": "B", "confidence": 0.55, "model": "judge-2"}"""));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        using (var body = JsonDocument.Parse(await first.Content.ReadAsStringAsync()))
        {
            Assert.Equal((2, 0), (body.RootElement.GetProperty("added").GetInt32(), body.RootElement.GetProperty("replaced").GetInt32()));
        }

        using (var body = JsonDocument.Parse(await second.Content.ReadAsStringAsync()))
        {
            Assert.Equal((0, 1), (body.RootElement.GetProperty("added").GetInt32(), body.RootElement.GetProperty("replaced").GetInt32()));
        }

        using var page = JsonDocument.Parse(await admin.GetStringAsync(url + "?skip=0&take=1"));
        Assert.Equal(2, page.RootElement.GetProperty("total").GetInt32());
        Assert.Equal(1, page.RootElement.GetProperty("items").GetArrayLength());
        using var all = JsonDocument.Parse(await admin.GetStringAsync(url));
        var item2 = all.RootElement.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("externalId").GetString() == "item-002");
        Assert.Equal(("judge-2", 0.55, "import"), (item2.GetProperty("model").GetString(), item2.GetProperty("confidence").GetDouble(), item2.GetProperty("origin").GetString()));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Import_BadLine_Answers400NamingLineAndFieldAndChangesNothing(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db);
        var admin = await app.SignInAsync(tenant.Member(OrgRoles.ProjectAdmin).Email!);
        var url = $"/api/v1/orgs/{tenant.Id}/projects/{tenant.Project.Id}/ai-labels";

        var response = await admin.PostAsync(url, Jsonl(
            """{"item": "item-1", "choice": "A", "model": "judge"}""",
            """{"item": "item-1", "choice": "A", "confidence": 7, "model": "judge"}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("line 2: field 'confidence' 7 is out of range", text, StringComparison.Ordinal);
        Assert.Equal(0, await CountAsync(db, tenant.Id));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task LlmLabeler_SettingsAndRunThroughTheJob_LabelsFromTheLocalEndpointAndNeverReturnsTheKey(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var project = await db.CreateTaskProjectAsync(tenant.Id, items: 4, settings: NoGold, name: "Pairs");
        await using var server = await FakeChatServer.StartAsync(r => r.Prompt.Contains("Question 3?", StringComparison.Ordinal)
            ? ChatReply.Content("no idea")
            : ChatReply.Content("""{"choice": "B", "confidence": 0.8, "rationale": "B is complete."}"""));
        await using var app = new PortalFactory(db, jobs: true);
        var admin = await app.SignInAsync(tenant.Member(OrgRoles.ProjectAdmin).Email!);
        var org = $"/api/v1/orgs/{tenant.Id}/projects/{project.Id}";

        var notYet = await admin.PostAsync($"{org}/llm-labeler/run", null);
        var saved = await admin.PutAsJsonAsync($"{org}/llm-labeler", new { baseUrl = server.BaseUrl, model = "judge-1", apiKey = "sk-never-shown", maxRequestsPerMinute = 6000, maxRetries = 1 });
        var read = await admin.GetStringAsync($"{org}/llm-labeler");
        var started = await admin.PostAsync($"{org}/llm-labeler/run", null);

        Assert.Equal(HttpStatusCode.BadRequest, notYet.StatusCode);
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.DoesNotContain("sk-never-shown", await saved.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("sk-never-shown", read, StringComparison.Ordinal);
        Assert.Contains("\"hasApiKey\":true", read, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var run = await PortalFactory.WaitForRunAsync(admin, started.Headers.Location!.OriginalString);
        Assert.Equal("Succeeded", run.Status);
        Assert.Contains("4 item(s)", run.Message, StringComparison.Ordinal);
        Assert.All(server.Requests, r => Assert.Equal("Bearer sk-never-shown", r.Authorization));

        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        var labels = await ctx.AiLabels.ToListAsync();
        Assert.Equal(4, server.Requests.Count);
        Assert.Equal(3, labels.Count);
        Assert.All(labels, l => Assert.Equal((PreferenceChoice.B, "llm", (int?)1, "judge-1"), (l.Choice, l.Origin, l.PromptVersion, l.Model)));
        using var errors = JsonDocument.Parse(await admin.GetStringAsync($"{org}/ai-labels/errors"));
        var error = Assert.Single(errors.RootElement.EnumerateArray());
        Assert.Equal("no idea", error.GetProperty("answer").GetString());
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task AnnotatorViews_TaskApiAndTaskPage_NeverCarryTheAiLabel(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var project = await db.CreateTaskProjectAsync(tenant.Id, items: 1, overlap: 1, settings: NoGold, name: "Pairs");
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            var item = await ctx.Items.SingleAsync(i => i.ProjectId == project.Id);
            ctx.AiLabels.Add(new AiLabel
            {
                ProjectId = project.Id,
                ItemId = item.Id,
                Choice = PreferenceChoice.B,
                Confidence = 0.97,
                Model = "SECRET-MODEL-7",
                Rationale = "SECRET-RATIONALE-42",
                CreatedAt = DateTime.UtcNow,
            });
            await ctx.SaveChangesAsync();
        }

        await using var app = new PortalFactory(db);
        var annotator = await app.SignInAsync(tenant.Member(OrgRoles.Annotator).Email!);
        var org = $"/api/v1/orgs/{tenant.Id}";

        var next = await annotator.GetAsync($"{org}/projects/{project.Id}/tasks/next");
        var nextText = await next.Content.ReadAsStringAsync();
        var assignmentId = JsonDocument.Parse(nextText).RootElement.GetProperty("task").GetProperty("assignmentId").GetGuid();
        var assignment = await annotator.GetStringAsync($"{org}/assignments/{assignmentId}");
        var page = await annotator.GetStringAsync($"/orgs/{tenant.Id}/projects/{project.Id}/annotate");
        var list = await annotator.GetAsync($"{org}/projects/{project.Id}/ai-labels");

        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Contains("Question 1?", nextText, StringComparison.Ordinal);
        Assert.Contains("Question 1?", assignment, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"task-page\"", page, StringComparison.Ordinal);
        foreach (var (name, text) in new[] { ("tasks/next", nextText), ("assignment", assignment), ("task page", page) })
        {
            Assert.False(text.Contains("SECRET-RATIONALE-42", StringComparison.Ordinal), $"{name} carries the AI rationale");
            Assert.False(text.Contains("SECRET-MODEL-7", StringComparison.Ordinal), $"{name} carries the AI model");
            Assert.False(text.Contains("0.97", StringComparison.Ordinal), $"{name} carries the AI confidence");
        }

        Assert.Equal(HttpStatusCode.Forbidden, list.StatusCode);
    }
}
