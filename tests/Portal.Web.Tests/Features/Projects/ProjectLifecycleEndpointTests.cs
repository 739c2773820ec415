using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.TestSupport;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Projects;

/// <summary>The API of project pause and archive, chosen annotators, bulk gold and revising an answer, end to end over HTTP.</summary>
public class ProjectLifecycleEndpointTests
{
    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task PauseArchiveChosen_ThroughTheApi_AnnotatorSeesTheEffect(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db);
        var admin = await app.SignInAsync(a.Member(OrgRoles.ProjectAdmin).Email!);
        var annotator = await app.SignInAsync(a.Member(OrgRoles.Annotator).Email!);
        var project = $"/api/v1/orgs/{a.Id}/projects/{a.Project.Id}";

        var paused = await admin.PostAsync($"{project}/pause", null);
        Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        Assert.NotEqual(JsonValueKind.Null, (await paused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("pausedAt").ValueKind);
        var next = await annotator.GetFromJsonAsync<JsonElement>($"{project}/tasks/next");
        Assert.Equal("ProjectPaused", next.GetProperty("status").GetString());
        await admin.PostAsync($"{project}/resume", null);

        var refused = await admin.PutAsJsonAsync($"{project}/annotators/chosen", new { chosenOnly = true, annotatorIds = new[] { a.Member(OrgRoles.Client).Id } });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.True((await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("annotatorIds[0]", out _));
        var chosen = await admin.PutAsJsonAsync($"{project}/annotators/chosen", new { chosenOnly = true, annotatorIds = Array.Empty<Guid>() });
        Assert.Equal(HttpStatusCode.OK, chosen.StatusCode);
        Assert.Equal("NotChosen", (await annotator.GetFromJsonAsync<JsonElement>($"{project}/tasks/next")).GetProperty("status").GetString());
        Assert.True((await admin.GetFromJsonAsync<JsonElement>($"{project}/annotators/chosen")).GetProperty("chosenOnly").GetBoolean());

        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"{project}/archive", null)).StatusCode);
        var list = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/{a.Id}/projects");
        Assert.DoesNotContain(list.EnumerateArray(), p => p.GetProperty("id").GetGuid() == a.Project.Id);
        var all = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/{a.Id}/projects?archived=true");
        Assert.Contains(all.EnumerateArray(), p => p.GetProperty("id").GetGuid() == a.Project.Id);
        Assert.Equal(HttpStatusCode.NotFound, (await annotator.GetAsync($"{project}/tasks/next")).StatusCode);
        var put = await admin.PutAsJsonAsync(project, new { name = "Renamed" });
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        using var body = new StringContent("{\"prompt\":\"p\",\"response_a\":\"a\",\"response_b\":\"b\"}\n", System.Text.Encoding.UTF8, "application/jsonl");
        var import = await admin.PostAsync($"{project}/items", body);
        Assert.Equal(HttpStatusCode.BadRequest, import.StatusCode);
        Assert.True((await import.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("project", out _));
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"{project}/unarchive", null)).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task ReviseAnswer_ThroughTheApi_CreatedThenReplayedAndOneAnnotation(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db);
        var annotator = await app.SignInAsync(a.Member(OrgRoles.Annotator).Email!);
        var next = await annotator.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/{a.Id}/projects/{a.Project.Id}/tasks/next");
        var assignment = next.GetProperty("task").GetProperty("assignmentId").GetGuid();
        var submitted = await annotator.PostAsJsonAsync($"/api/v1/orgs/{a.Id}/assignments/{assignment}/annotation",
            new { idempotencyKey = "first", choice = "Left", strength = 1 });
        Assert.Equal(HttpStatusCode.Created, submitted.StatusCode);

        var last = await annotator.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/{a.Id}/projects/{a.Project.Id}/tasks/last");
        var annotationId = last.GetProperty("annotationId").GetGuid();
        Assert.Equal("Left", last.GetProperty("answer").GetProperty("choice").GetString());
        var revise = () => annotator.PutAsJsonAsync($"/api/v1/orgs/{a.Id}/annotations/{annotationId}", new { idempotencyKey = "second", choice = "Right", strength = 3 });

        Assert.Equal(HttpStatusCode.Created, (await revise()).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await revise()).StatusCode);
        var invalid = await annotator.PutAsJsonAsync($"/api/v1/orgs/{a.Id}/annotations/{annotationId}", new { idempotencyKey = "third", choice = "Right", strength = 9 });
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);

        await using var ctx = db.Factory.CreateForTenant(a.Id);
        var stored = await ctx.Annotations.AsNoTracking().SingleAsync();
        Assert.Equal((annotationId, 1, 3), (stored.Id, stored.Revisions, stored.Strength));
        Assert.Equal(1, await ctx.AnnotationRevisions.CountAsync());
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task BulkGold_ItemWithoutConsensus_BadRequestNamingItAndNothingMarked(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db);
        var admin = await app.SignInAsync(a.Member(OrgRoles.ProjectAdmin).Email!);

        var response = await admin.PostAsJsonAsync($"/api/v1/orgs/{a.Id}/projects/{a.Project.Id}/items/gold",
            new { action = "Mark", source = "Consensus", itemIds = new[] { a.Item.Id } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Contains("has no consensus yet", errors.GetProperty("itemIds[0]")[0].GetString(), StringComparison.Ordinal);
        await using var ctx = db.Factory.CreateForTenant(a.Id);
        Assert.False(await ctx.Items.AnyAsync(i => i.IsGold));
    }
}
