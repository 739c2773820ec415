using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.App.Data;
using Portal.App.Features.Annotations;
using Portal.App.Jobs;
using Portal.TestSupport;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Annotate;

public class TaskEndpointTests
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private static readonly ProjectSettings NoGold = ProjectSettings.Default with { Gold = new GoldOptions { Rate = 0 } };

    private sealed record Setup(TestDatabase Db, TestTenant Tenant, Project Project, PortalFactory App, HttpClient Annotator) : IAsyncDisposable
    {
        public string Org => $"/api/v1/orgs/{Tenant.Id}";

        public async ValueTask DisposeAsync()
        {
            await App.DisposeAsync();
            await Db.DisposeAsync();
        }
    }

    private static async Task<Setup> SetUpAsync(TestProvider provider, int overlap = 3)
    {
        var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var project = await db.CreateTaskProjectAsync(tenant.Id, items: 3, overlap: overlap, settings: NoGold, name: "Pairs");
        var app = new PortalFactory(db);
        return new Setup(db, tenant, project, app, await app.SignInAsync(tenant.Member(OrgRoles.Annotator).Email!));
    }

    internal static async Task<TaskView> NextAsync(HttpClient client, string org, Guid projectId)
    {
        var response = await client.GetAsync($"{org}/projects/{projectId}/tasks/next");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var next = (await response.Content.ReadFromJsonAsync<NextTaskResult>(Json))!;
        Assert.Equal(NextTaskStatus.Assigned, next.Status);
        return next.Task!;
    }

    private static Task<HttpResponseMessage> SubmitAsync(HttpClient client, string org, Guid assignmentId, object body, string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"{org}/assignments/{assignmentId}/annotation") { Content = JsonContent.Create(body) };
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        return client.SendAsync(request);
    }

    /// <summary>Asserts a 400 validation problem naming <paramref name="field"/>, and returns its message.</summary>
    private static async Task<string> AssertInvalidAsync(HttpResponseMessage response, string field)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"Expected 400, got {(int)response.StatusCode}: {body}");
        using var json = JsonDocument.Parse(body);
        var errors = json.RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), $"The problem does not name '{field}': {body}");
        return messages[0].GetString()!;
    }

    private static async Task<(int Annotations, int Submitted)> CountAsync(Setup s)
    {
        await using var ctx = s.Db.Factory.CreateForTenant(s.Tenant.Id);
        return (await ctx.Annotations.CountAsync(), await ctx.Assignments.CountAsync(a => a.Status == AssignmentStatus.Submitted));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task WorkLoop_NextDraftSubmitReplay_StoresOneAnnotation(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider);

        var projects = await s.Annotator.GetFromJsonAsync<List<AnnotatorProject>>($"{s.Org}/annotator/projects", Json);
        var listed = Assert.Single(projects!, p => p.ProjectId == s.Project.Id);
        Assert.Equal((3, 0, false), (listed.Available, listed.DoneByMe, listed.Paused));

        var task = await NextAsync(s.Annotator, s.Org, s.Project.Id);
        Assert.Equal(task.AssignmentId, (await NextAsync(s.Annotator, s.Org, s.Project.Id)).AssignmentId);

        var draft = await s.Annotator.PutAsync($"{s.Org}/assignments/{task.AssignmentId}/draft",
            new StringContent("{\"choice\":\"Left\",\"rationale\":\"half writ\"}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.NoContent, draft.StatusCode);
        var shown = await s.Annotator.GetFromJsonAsync<TaskView>($"{s.Org}/assignments/{task.AssignmentId}", Json);
        Assert.Equal("{\"choice\":\"Left\",\"rationale\":\"half writ\"}", shown!.DraftJson);

        var answer = new { choice = "Right", strength = 2, timeOnTaskMs = 4200 };
        var first = await SubmitAsync(s.Annotator, s.Org, task.AssignmentId, answer, key: "k-1");
        var retry = await SubmitAsync(s.Annotator, s.Org, task.AssignmentId, answer, key: "k-1");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        var stored = (await first.Content.ReadFromJsonAsync<SubmitResult>(Json))!;
        var replayed = (await retry.Content.ReadFromJsonAsync<SubmitResult>(Json))!;
        Assert.False(stored.Replayed);
        Assert.True(replayed.Replayed);
        Assert.Equal(stored.AnnotationId, replayed.AnnotationId);
        Assert.Equal((1, 1), await CountAsync(s));
        Assert.Equal(HttpStatusCode.NotFound, (await s.Annotator.GetAsync($"{s.Org}/assignments/{task.AssignmentId}")).StatusCode);

        // The key may come in the body instead of the header.
        var second = await NextAsync(s.Annotator, s.Org, s.Project.Id);
        Assert.NotEqual(task.AssignmentId, second.AssignmentId);
        var inBody = await SubmitAsync(s.Annotator, s.Org, second.AssignmentId, new { idempotencyKey = "k-2", choice = "Tie" });
        Assert.Equal(HttpStatusCode.Created, inBody.StatusCode);
        Assert.Equal((2, 2), await CountAsync(s));

        // The same answer under another key is a different submit of a closed task.
        var otherKey = await SubmitAsync(s.Annotator, s.Org, task.AssignmentId, answer, key: "k-3");
        Assert.Equal(HttpStatusCode.Conflict, otherKey.StatusCode);
        Assert.Equal((2, 2), await CountAsync(s));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Submit_BadInput_400NamesTheFieldAndStoresNothing(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider);
        var task = await NextAsync(s.Annotator, s.Org, s.Project.Id);
        var id = task.AssignmentId;

        Assert.Contains("Idempotency-Key header",
            await AssertInvalidAsync(await SubmitAsync(s.Annotator, s.Org, id, new { choice = "Left", strength = 1 }), "idempotencyKey"), StringComparison.Ordinal);
        await AssertInvalidAsync(await SubmitAsync(s.Annotator, s.Org, id, new { idempotencyKey = "a", choice = "Left", strength = 1 }, key: "b"), "Idempotency-Key");
        await AssertInvalidAsync(await SubmitAsync(s.Annotator, s.Org, id, new { choice = "Left", strength = 1 }, key: new string('k', 101)), "Idempotency-Key");
        await AssertInvalidAsync(await SubmitAsync(s.Annotator, s.Org, id, new { choice = "Sideways" }, key: "k"), "choice");
        await AssertInvalidAsync(await SubmitAsync(s.Annotator, s.Org, id, new { strength = 1 }, key: "k"), "choice");
        await AssertInvalidAsync(await SubmitAsync(s.Annotator, s.Org, id, new { choice = "Left", strength = 9 }, key: "k"), "strength");
        await AssertInvalidAsync(await SubmitAsync(s.Annotator, s.Org, id, new { choice = "Left", strength = 1, timeOnTaskMs = "soon" }, key: "k"), "timeOnTaskMs");
        var malformed = await s.Annotator.PostAsync($"{s.Org}/assignments/{id}/annotation", new StringContent("{oops", Encoding.UTF8, "application/json"));
        await AssertInvalidAsync(malformed, "body");

        Assert.Equal((0, 0), await CountAsync(s));

        // Still answerable once the input is right.
        Assert.Equal(HttpStatusCode.Created, (await SubmitAsync(s.Annotator, s.Org, id, new { choice = "Left", strength = 1 }, key: "k")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Assignment_OfAnotherAnnotator_Is404OnEveryRouteAndUnchanged(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider);
        var others = await s.Db.CreateAnnotatorsAsync(s.Tenant.Id, 1, "other");
        var other = await s.App.SignInAsync(others[0].Email!);
        var theirs = await NextAsync(other, s.Org, s.Project.Id);
        var url = $"{s.Org}/assignments/{theirs.AssignmentId}";

        Assert.Equal(HttpStatusCode.NotFound, (await s.Annotator.GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await SubmitAsync(s.Annotator, s.Org, theirs.AssignmentId, new { choice = "Left", strength = 1 }, key: "k")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await s.Annotator.PostAsJsonAsync(url + "/skip", new { reason = "not mine" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await s.Annotator.PutAsync(url + "/draft", new StringContent("{}", Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await s.Annotator.GetAsync($"{s.Org}/assignments/{Guid.NewGuid()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await s.Annotator.GetAsync($"{s.Org}/projects/{Guid.NewGuid()}/tasks/next")).StatusCode);

        Assert.Equal((0, 0), await CountAsync(s));
        var still = await other.GetFromJsonAsync<TaskView>(url, Json);
        Assert.Null(still!.DraftJson);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Submit_AfterTheLeaseExpiredAndTheItemWentToAnother_Is409AndStoresNothing(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider, overlap: 1);
        await using (var ctx = s.Db.Factory.CreateForTenant(s.Tenant.Id))
        {
            // One item only, so the next annotator surely gets the same one.
            await ctx.Items.Where(i => i.ProjectId == s.Project.Id && i.ExternalId != "item-001").ExecuteDeleteAsync();
        }

        var late = await NextAsync(s.Annotator, s.Org, s.Project.Id);
        await using (var ctx = s.Db.Factory.CreateForTenant(s.Tenant.Id))
        {
            await ctx.Assignments.Where(a => a.Id == late.AssignmentId)
                .ExecuteUpdateAsync(x => x.SetProperty(a => a.LeaseExpiresAt, DateTime.UtcNow.AddMinutes(-1)));
        }

        var expired = await new ExpireLeasesJob(s.Db.Factory, TimeProvider.System, NullLogger<ExpireLeasesJob>.Instance, new JobProgressBoard())
            .ExpireAsync(s.Tenant.Id, CancellationToken.None);
        Assert.Equal(1, expired);
        var others = await s.Db.CreateAnnotatorsAsync(s.Tenant.Id, 1, "next");
        var next = await s.App.SignInAsync(others[0].Email!);
        await NextAsync(next, s.Org, s.Project.Id);

        var submit = await SubmitAsync(s.Annotator, s.Org, late.AssignmentId, new { choice = "Left", strength = 1 }, key: "late");
        var draft = await s.Annotator.PutAsync($"{s.Org}/assignments/{late.AssignmentId}/draft", new StringContent("{}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Conflict, submit.StatusCode);
        using var problem = JsonDocument.Parse(await submit.Content.ReadAsStringAsync());
        Assert.Contains("went to another annotator", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, draft.StatusCode);
        Assert.Equal((0, 0), await CountAsync(s));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Skip_WithAndWithoutReason_204Or400AndTheItemIsNotAnswerable(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider);
        var task = await NextAsync(s.Annotator, s.Org, s.Project.Id);
        var url = $"{s.Org}/assignments/{task.AssignmentId}";

        await AssertInvalidAsync(await s.Annotator.PostAsJsonAsync(url + "/skip", new { reason = " " }), "reason");
        await AssertInvalidAsync(await s.Annotator.PostAsJsonAsync(url + "/skip", new { reason = "x", flags = "Radioactive" }), "flags");
        await AssertInvalidAsync(await s.Annotator.PutAsync(url + "/draft", new StringContent("not json", Encoding.UTF8, "application/json")), "draft");

        var skip = await s.Annotator.PostAsJsonAsync(url + "/skip", new { reason = "The second answer is cut off", flags = "Broken, WrongLanguage" });
        Assert.Equal(HttpStatusCode.NoContent, skip.StatusCode);

        await using (var ctx = s.Db.Factory.CreateForTenant(s.Tenant.Id))
        {
            var row = await ctx.Assignments.SingleAsync(a => a.Id == task.AssignmentId);
            Assert.Equal((AssignmentStatus.Skipped, "The second answer is cut off", ContentFlags.Broken | ContentFlags.WrongLanguage), (row.Status, row.SkipReason, row.Flags));
        }

        Assert.Equal(HttpStatusCode.Conflict, (await SubmitAsync(s.Annotator, s.Org, task.AssignmentId, new { choice = "Left", strength = 1 }, key: "k")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await s.Annotator.PutAsync(url + "/draft", new StringContent("{}", Encoding.UTF8, "application/json"))).StatusCode);
        Assert.NotEqual(task.AssignmentId, (await NextAsync(s.Annotator, s.Org, s.Project.Id)).AssignmentId);
        Assert.Equal((0, 0), await CountAsync(s));
    }

    [Fact]
    public async Task TaskRoutes_MembersWithoutTheAnnotatorRole_Get403()
    {
        await using var s = await SetUpAsync(TestProvider.Sqlite);
        var admin = await s.App.SignInAsync(s.Tenant.Member(OrgRoles.ProjectAdmin).Email!);

        Assert.Equal(HttpStatusCode.Forbidden, (await admin.GetAsync($"{s.Org}/projects/{s.Project.Id}/tasks/next")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.GetAsync($"{s.Org}/annotator/projects")).StatusCode);
    }
}
