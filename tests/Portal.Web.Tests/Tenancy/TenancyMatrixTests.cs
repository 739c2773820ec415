using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Annotations;
using Portal.App.Features.Invites;
using Portal.TestSupport;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Tenancy;

/// <summary>
/// Every tenant-scoped page and endpoint, called by each role of the organisation and by an admin of another
/// organisation: the allowed roles get through; everyone else gets 403 or 404 and nothing in the database changes.
/// </summary>
public class TenancyMatrixTests
{
    private const OrgRoles Staff = OrgRoles.OrgAdmin | OrgRoles.ProjectAdmin | OrgRoles.Annotator;
    private const OrgRoles Admins = OrgRoles.OrgAdmin | OrgRoles.ProjectAdmin;
    private const OrgRoles Readers = Admins | OrgRoles.Client;
    private const string SecondProject = "Second project";

    /// <summary>The matrix. A route template here must match the app's route table exactly (checked below).</summary>
    private static readonly MatrixCase[] Cases =
    [
        new("GET", "/api/v1/orgs/{orgId:guid}/projects", Staff),
        new("GET", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}", Staff),
        new("POST", "/api/v1/orgs/{orgId:guid}/projects", Admins, Destructive: true, Body: new { name = "Matrix project", kind = "Likert" }),
        new("PUT", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}", Admins, Destructive: true, Body: new { name = "Matrix renamed", overlap = 2, leaseMinutes = 15 }),
        // Each lifecycle change is undone by the next, so the cases after them find the project open.
        new("POST", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/pause", Admins, Destructive: true),
        new("POST", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/resume", Admins, Destructive: true),
        new("POST", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/archive", Admins, Destructive: true),
        new("POST", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/unarchive", Admins, Destructive: true),
        new("GET", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/annotators/chosen", Admins),
        new("PUT", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/annotators/chosen", Admins, Destructive: true,
            Body: new { chosenOnly = false, annotatorIds = new[] { "{victimId:guid}" } }),
        new("POST", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/items", Admins, Body: new { prompt = "Q", chosen = "good", rejected = "bad" }),
        new("GET", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/progress", Admins),
        new("GET", "/api/v1/orgs/{orgId:guid}/annotator/projects", OrgRoles.Annotator),
        new("GET", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/tasks/next", OrgRoles.Annotator),
        new("GET", "/api/v1/orgs/{orgId:guid}/assignments/{assignmentId:guid}", OrgRoles.Annotator),
        new("PUT", "/api/v1/orgs/{orgId:guid}/assignments/{assignmentId:guid}/draft", OrgRoles.Annotator, Body: new { choice = "Left" }),
        new("POST", "/api/v1/orgs/{orgId:guid}/assignments/{assignmentId:guid}/annotation", OrgRoles.Annotator,
            Body: new { idempotencyKey = "matrix", choice = "Left", strength = 1 }),
        new("GET", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/tasks/last", OrgRoles.Annotator),
        new("PUT", "/api/v1/orgs/{orgId:guid}/annotations/{annotationId:guid}", OrgRoles.Annotator, Destructive: true,
            Body: new { idempotencyKey = "matrix-revise", choice = "Right", strength = 2 }),
        new("POST", "/api/v1/orgs/{orgId:guid}/assignments/{assignmentId:guid}/skip", OrgRoles.Annotator,
            Body: new { reason = "matrix", flags = "Broken" }, SecondAssignment: true),
        new("GET", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/items", Admins),
        new("GET", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/items/{itemId:guid}", Admins),
        new("PUT", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/items/{itemId:guid}/gold", Admins, Destructive: true, Body: new { choice = "A", explanation = "A is right." }),
        // The item just made gold, unmarked in bulk (the single unmark after it then finds a regular item).
        new("POST", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/items/gold", Admins, Destructive: true,
            Body: new { action = "Unmark", itemIds = new[] { "{itemId:guid}" } }),
        new("DELETE", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/items/{itemId:guid}/gold", Admins, Destructive: true),
        new("GET", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/annotators", Admins),
        new("POST", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/annotators/{userId:guid}/pause", Admins, Destructive: true, Body: new { reason = "matrix" }),
        new("POST", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/annotators/{userId:guid}/reinstate", Admins, Destructive: true),
        new("GET", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/notices", Admins),
        new("POST", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/notices/{noticeId:guid}/dismiss", Admins, Destructive: true),
        new("GET", "/api/v1/orgs/{orgId:guid}/members", OrgRoles.OrgAdmin),
        new("DELETE", "/api/v1/orgs/{orgId:guid}/members/{userId:guid}", OrgRoles.OrgAdmin, Destructive: true),
        new("GET", "/api/v1/orgs/{orgId:guid}/invites", OrgRoles.OrgAdmin),
        new("POST", "/api/v1/orgs/{orgId:guid}/invites", OrgRoles.OrgAdmin, Body: new { roles = new[] { "annotator" }, expiresInHours = 24 }),
        new("DELETE", "/api/v1/orgs/{orgId:guid}/invites/{inviteId:guid}", OrgRoles.OrgAdmin, Destructive: true),
        new("GET", "/api/v1/orgs/{orgId:guid}/jobs/runs", Admins),
        new("GET", "/api/v1/orgs/{orgId:guid}/jobs/runs/{runId:guid}", Admins),
        new("POST", "/api/v1/orgs/{orgId:guid}/jobs/expire-leases", OrgRoles.OrgAdmin),
        new("GET", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/quality", Admins),
        new("POST", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/quality/recompute", Admins),
        new("GET", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/releases", Admins),
        new("POST", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/releases", Admins, Destructive: true, Body: new { name = "Matrix release", filters = new { minRatings = 0 } }),
        new("GET", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/releases/{releaseId:guid}", Admins),
        new("PUT", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/releases/{releaseId:guid}/grants/{clientId:guid}", Admins, Destructive: true),
        new("DELETE", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/releases/{releaseId:guid}/grants/{clientId:guid}", Admins, Destructive: true),
        new("GET", "/api/v1/orgs/{orgId:guid}/releases", Readers),
        new("GET", "/api/v1/orgs/{orgId:guid}/releases/{releaseId:guid}", Readers),
        new("GET", "/api/v1/orgs/{orgId:guid}/releases/{releaseId:guid}/download", Readers),
        new("GET", "/orgs/{OrgId:guid}/projects/{ProjectId:guid}/releases", Admins, Page: true),
        new("GET", "/orgs/{OrgId:guid}/projects/{ProjectId:guid}/releases/{ReleaseId:guid}", Admins, Page: true),
        new("GET", "/orgs/{OrgId:guid}/client/releases/{ReleaseId:guid}", OrgRoles.Client, Page: true),
        new("POST", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/ai-labels", Admins, Body: new { item = "item-1", choice = "A", confidence = 0.9, model = "matrix" }),
        new("GET", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/ai-labels", Admins),
        new("GET", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/ai-labels/errors", Admins),
        new("GET", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/llm-labeler", Admins),
        new("PUT", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/llm-labeler", Admins, Destructive: true,
            Body: new { baseUrl = "http://127.0.0.1:9/v1", model = "matrix", apiKey = "sk-matrix", maxRetries = 0, timeoutSeconds = 2 }),
        new("POST", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/llm-labeler/run", Admins, Destructive: true),
        new("GET", "/orgs/{OrgId:guid}/admin", OrgRoles.OrgAdmin, Page: true),
        new("GET", "/orgs/{OrgId:guid}/admin/jobs", OrgRoles.OrgAdmin, Page: true),
        new("GET", "/orgs/{OrgId:guid}/projects", Admins, Page: true),
        new("GET", "/orgs/{OrgId:guid}/projects/{ProjectId:guid}", Admins, Page: true),
        new("GET", "/orgs/{OrgId:guid}/projects/{ProjectId:guid}/quality", Admins, Page: true),
        new("GET", "/orgs/{OrgId:guid}/projects/{ProjectId:guid}/progress", Admins, Page: true),
        new("GET", "/orgs/{OrgId:guid}/projects/{ProjectId:guid}/settings", Admins, Page: true),
        new("GET", "/orgs/{OrgId:guid}/projects/{ProjectId:guid}/items", Admins, Page: true),
        new("GET", "/orgs/{OrgId:guid}/projects/{ProjectId:guid}/items/{ItemId:guid}", Admins, Page: true),
        new("GET", "/orgs/{OrgId:guid}/projects/{ProjectId:guid}/annotators", Admins, Page: true),
        new("GET", "/orgs/{OrgId:guid}/projects/{ProjectId:guid}/ai-labels", Admins, Page: true),
        new("GET", "/orgs/{OrgId:guid}/annotate", OrgRoles.Annotator, Page: true),
        new("GET", "/orgs/{OrgId:guid}/projects/{ProjectId:guid}/annotate", OrgRoles.Annotator, Page: true),
        new("GET", "/orgs/{OrgId:guid}/client", OrgRoles.Client, Page: true),
        new("GET", "/orgs/{OrgId:guid}/projects/{ProjectId:guid}/rlthf", Admins, Page: true),
        new("GET", "/orgs/{OrgId:guid}/projects/{ProjectId:guid}/annotators/{UserId:guid}", Admins, Page: true),
        new("GET", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/annotators/{userId:guid}/quality", Admins),
        new("GET", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/rlthf", Admins),
        new("GET", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/rlthf/rounds/{number:int}", Admins),
        new("GET", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/rlthf/rounds/{number:int}/items", Admins),
        new("GET", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/guidelines", Staff),
        new("GET", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/guidelines/versions", Admins),
        new("GET", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/guidelines/diff", Admins),
        new("POST", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/guidelines", Admins, Destructive: true,
            Body: new { markdown = "# Matrix\n\nRate carefully.", changeNote = "matrix", change = "Minor" }),
        new("GET", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/guidelines/status", OrgRoles.Annotator),
        new("POST", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/guidelines/acknowledge", OrgRoles.Annotator, Body: new { version = 2 }),
        new("GET", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/qualification/sheet", OrgRoles.Annotator),
        new("GET", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/qualification", Admins),
        new("PUT", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/qualification", Admins, Destructive: true,
            Body: new { itemIds = new[] { "{goldItemId:guid}" }, passMark = 1.0, maxAttempts = 2, cooldownMinutes = 0 }),
        new("POST", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/qualification/attempts", OrgRoles.Annotator, Destructive: true,
            Body: new { answers = new[] { new { itemId = "{goldItemId:guid}", choice = "Left" } } }),
        new("POST", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/qualification/annotators/{userId:guid}/reset", Admins, Destructive: true),
        new("DELETE", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/qualification", Admins, Destructive: true),
        new("GET", "/orgs/{OrgId:guid}/projects/{ProjectId:guid}/guidelines", Admins, Page: true),
        new("GET", "/orgs/{OrgId:guid}/projects/{ProjectId:guid}/guidelines/read", OrgRoles.Annotator, Page: true),
        new("GET", "/orgs/{OrgId:guid}/projects/{ProjectId:guid}/qualification", Admins, Page: true),
        new("GET", "/orgs/{OrgId:guid}/projects/{ProjectId:guid}/qualification/take", OrgRoles.Annotator, Page: true),
        new("GET", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/calibration", Admins),
        new("GET", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/calibration/{number:int}", Admins),
        new("GET", "/api/v1/orgs/{orgId:guid}/annotator/calibration", OrgRoles.Annotator),
        new("GET", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/calibration/{number:int}/sheet", OrgRoles.Annotator),
        new("GET", "/orgs/{OrgId:guid}/projects/{ProjectId:guid}/calibration", Admins, Page: true),
        new("GET", "/orgs/{OrgId:guid}/projects/{ProjectId:guid}/calibration/{Number:int}", Admins, Page: true),
        new("GET", "/orgs/{OrgId:guid}/projects/{ProjectId:guid}/calibration/{Number:int}/rate", OrgRoles.Annotator, Page: true),
        new("GET", "/orgs/{OrgId:guid}/projects/{ProjectId:guid}/calibration/{Number:int}/feedback", OrgRoles.Annotator, Page: true),
        // Calibration round 1 in order: an answer, an explanation, a second round, closing round 1, making its item gold.
        new("PUT", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/calibration/{number:int}/answers/{itemId:guid}", OrgRoles.Annotator, Destructive: true,
            Body: new { choice = "A", rationale = "matrix" }),
        new("PUT", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/calibration/{number:int}/items/{itemId:guid}/explanation", Admins, Destructive: true,
            Body: new { explanation = "A answers it." }),
        new("POST", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/calibration", Admins, Destructive: true,
            Body: new { title = "Matrix round 2", itemIds = new[] { "{goldItemId:guid}" } }),
        new("POST", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/calibration/{number:int}/close", Admins, Destructive: true),
        new("POST", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/calibration/{number:int}/items/{itemId:guid}/promote", Admins, Destructive: true),
        new("GET", "/orgs/{OrgId:guid}/projects/{ProjectId:guid}/red-team", Admins, Page: true),
        new("GET", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/red-team/runs", Admins),
        new("GET", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/red-team/runs/{redTeamRunId:guid}", Admins),
        new("GET", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/red-team/runs/{redTeamRunId:guid}/attacks", Admins),
        new("POST", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/red-team/runs/{redTeamRunId:guid}/sample", Admins, Destructive: true,
            Body: new { share = 1.0 }),
        new("POST", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/red-team/runs/{redTeamRunId:guid}/stop", Admins, Destructive: true),
        // Every call of this run fails (nothing listens on port 9): its job ends failed after its one attack.
        new("POST", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/red-team/runs", Admins, Destructive: true, Body: new
        {
            categories = new[] { "matrix" },
            attacksPerCategory = 1,
            attacker = new { baseUrl = "http://127.0.0.1:9/v1", model = "a", apiKey = "sk-matrix", maxRetries = 0 },
            target = new { baseUrl = "http://127.0.0.1:9/v1", model = "t", maxRetries = 0 },
            judge = new { baseUrl = "http://127.0.0.1:9/v1", model = "j", maxRetries = 0 },
            rewriter = new { baseUrl = "http://127.0.0.1:9/v1", model = "r", maxRetries = 0 },
        }),
        new("GET", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/categories", Admins),
        new("GET", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/quality/categories", Admins),
        new("POST", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/quality/suggest-routes", Admins, Body: new { threshold = 0.7, minItems = 1 }),
        new("PUT", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/categories", Admins, Destructive: true,
            Body: new { categories = new[] { new { name = "matrix", route = "humans" } }, categoryPrompt = "Which of {{categories}}? {{conversation}}" }),
        new("POST", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/categories/routes", Admins, Destructive: true,
            Body: new { routes = new Dictionary<string, string> { ["matrix"] = "ai-checked" } }),
        new("PUT", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/items/{itemId:guid}/category", Admins, Destructive: true, Body: new { category = "matrix" }),
        new("POST", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/feedback", Admins,
            Body: new { id = "matrix-1", kind = "thumbs", conversation = new[] { new { role = "user", content = "Hi" } }, response = "Hello", thumb = "up", modelVersion = "matrix", timestamp = "2026-12-05T09:00:00Z" }),
        new("GET", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/feedback/summary", Admins),
        new("GET", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/feedback/settings", Admins),
        new("PUT", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/feedback/settings", Admins, Destructive: true,
            Body: new { picksToItems = true, editsToItems = false, ratingsToItems = true, thumbsToItems = false, samplingRate = 0.5 }),
        new("GET", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/feedback/tokens", Admins),
        new("POST", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/feedback/tokens", Admins, Destructive: true, Body: new { name = "matrix minted" }),
        new("DELETE", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/feedback/tokens/{tokenId:guid}", Admins, Destructive: true),
        new("GET", "/orgs/{OrgId:guid}/projects/{ProjectId:guid}/feedback", Admins, Page: true),
        // Last: closing round 1 makes way for a new round, whose job then works in the background (nothing checked after it).
        new("POST", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/rlthf/rounds/{number:int}/close", Admins, Destructive: true),
        new("POST", "/api/v1/orgs/{orgId:guid}/projects/{projectId:guid}/rlthf/rounds", Admins, Destructive: true, Body: new { budget = "2" }),
    ];

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task EveryTenantRoute_CalledByEachRoleAndAnotherTenant_OnlyAllowedRolesGetThrough(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var a = await db.CreateTestTenantAsync("Alpha");
        var b = await db.CreateTestTenantAsync("Beta");
        var ids = await ResourcesAsync(db, a);
        var foreignIds = await ResourcesAsync(db, b);
        await using var app = new PortalFactory(db, jobs: true);

        var callers = new Dictionary<string, HttpClient>();
        foreach (var role in Builders.SingleRoles)
        {
            callers[role.ToString()] = await app.SignInAsync(a.Member(role).Email!);
        }

        callers["OtherTenantAdmin"] = await app.SignInAsync(b.Member(OrgRoles.OrgAdmin).Email!);
        var failures = new List<string>();

        foreach (var c in Cases.Where(c => !c.Destructive))
        {
            foreach (var (caller, client) in callers)
            {
                var allowed = Enum.TryParse<OrgRoles>(caller, out var role) && c.Allowed.HasFlag(role);
                await Check(c, caller, client, ids, allowed, failures, db);
            }

            // A member with the right role, asking through their own organisation for the other tenant's resources.
            if (c.Template.Contains("Id:guid}", StringComparison.Ordinal) && c.Template.Count(ch => ch == '{') > 1)
            {
                var role = Builders.SingleRoles.First(r => c.Allowed.HasFlag(r));
                var mixed = foreignIds with { OrgId = a.Id };
                await Check(c, $"{role} asking for another tenant's resource", callers[role.ToString()], mixed, allowed: false, failures, db);
            }
        }

        // Destructive cases (and writes that would look the same done twice): every refused caller first, while there
        // is still something for them to change, then the least privileged allowed role once, in the order of Cases.
        foreach (var c in Cases.Where(c => c.Destructive))
        {
            foreach (var (caller, client) in callers.Where(x => !(Enum.TryParse<OrgRoles>(x.Key, out var r) && c.Allowed.HasFlag(r))))
            {
                await Check(c, caller, client, ids, allowed: false, failures, db);
            }

            var role = Builders.SingleRoles.Last(r => c.Allowed.HasFlag(r));
            if (c.Template.Count(ch => ch == '{') > 1)
            {
                var mixed = foreignIds with { OrgId = a.Id };
                await Check(c, $"{role} asking for another tenant's resource", callers[role.ToString()], mixed, allowed: false, failures, db);
            }

            await Check(c, role.ToString(), callers[role.ToString()], ids, allowed: true, failures, db);
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public async Task RouteTable_EveryTenantScopedRoute_IsInTheMatrix()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        await using var app = new PortalFactory(db);
        var sources = app.Services.GetRequiredService<IEnumerable<EndpointDataSource>>();
        var tenantRoutes = sources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } t && t.Contains("rgId", StringComparison.Ordinal))
            .SelectMany(e => Methods(e).Select(m => $"{m} {Normalise(e.RoutePattern.RawText!)}"))
            .Distinct()
            .ToList();
        var covered = Cases.Select(c => $"{c.Method} {Normalise(c.Template)}").ToHashSet();

        Assert.NotEmpty(tenantRoutes);
        var missing = tenantRoutes.Where(r => !covered.Contains(r)).ToList();
        Assert.True(missing.Count == 0, "Tenant-scoped routes missing from the matrix:\n" + string.Join("\n", missing));
    }

    [Fact]
    public async Task TenantRoutes_Anonymous_ApiAnswers401AndPagesRedirectToSignIn()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db);
        var client = app.Anonymous();

        foreach (var c in Cases)
        {
            var response = await Send(client, c, await ResourcesAsync(db, a));
            if (c.Page)
            {
                Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
                Assert.StartsWith("/account/login", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
            }
            else
            {
                Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            }
        }
    }

    private static async Task Check(MatrixCase c, string caller, HttpClient client, Resources ids, bool allowed, List<string> failures, TestDatabase db)
    {
        var before = await SnapshotAsync(db);
        var response = await Send(client, c, ids);
        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsStringAsync();
        if (allowed)
        {
            if (status is < 200 or > 299)
            {
                failures.Add($"{c.Method} {c.Template} as {caller}: expected success, got {status} {body[..Math.Min(body.Length, 300)]}");
            }
            else if (c.Page && body.Contains("data-testid=\"not-found\"", StringComparison.Ordinal))
            {
                failures.Add($"{c.Method} {c.Template} as {caller}: answered 200 but rendered the not-found content");
            }
            else if (response.StatusCode == HttpStatusCode.Accepted && response.Headers.Location is { } run)
            {
                // A started job changes the database later: let it finish so the next caller's snapshot is its own.
                await PortalFactory.WaitForRunAsync(client, run.OriginalString);
            }

            return;
        }

        if (status is not (403 or 404))
        {
            failures.Add($"{c.Method} {c.Template} as {caller}: expected 403/404, got {status}");
        }

        if (c.Page && status == 404 && !body.Contains("Page not found", StringComparison.Ordinal))
        {
            failures.Add($"{c.Method} {c.Template} as {caller}: 404 without the not-found page");
        }

        // A member of the organisation sees its name in the page's header; an outsider must not.
        var outsider = !Enum.TryParse<OrgRoles>(caller, out _);
        foreach (var secret in outsider ? new[] { ids.ProjectName, ids.OrgName } : [])
        {
            if (body.Contains(secret, StringComparison.Ordinal))
            {
                failures.Add($"{c.Method} {c.Template} as {caller}: the refusal mentions '{secret}'");
            }
        }

        var after = await SnapshotAsync(db);
        if (before != after)
        {
            failures.Add($"{c.Method} {c.Template} as {caller}: the database changed ({before} -> {after})");
        }
    }

    private static Task<HttpResponseMessage> Send(HttpClient client, MatrixCase c, Resources ids)
    {
        var path = c.Template
            .Replace("{orgId:guid}", ids.OrgId.ToString(), StringComparison.OrdinalIgnoreCase)
            .Replace("{projectId:guid}", ids.ProjectId.ToString(), StringComparison.OrdinalIgnoreCase)
            .Replace("{userId:guid}", ids.VictimUserId.ToString(), StringComparison.OrdinalIgnoreCase)
            .Replace("{inviteId:guid}", ids.InviteId.ToString(), StringComparison.OrdinalIgnoreCase)
            .Replace("{runId:guid}", ids.RunId.ToString(), StringComparison.OrdinalIgnoreCase)
            .Replace("{itemId:guid}", ids.ItemId.ToString(), StringComparison.OrdinalIgnoreCase)
            .Replace("{noticeId:guid}", ids.NoticeId.ToString(), StringComparison.OrdinalIgnoreCase)
            .Replace("{number:int}", "1", StringComparison.OrdinalIgnoreCase)
            .Replace("{releaseId:guid}", ids.ReleaseId.ToString(), StringComparison.OrdinalIgnoreCase)
            .Replace("{clientId:guid}", ids.ClientId.ToString(), StringComparison.OrdinalIgnoreCase)
            .Replace("{assignmentId:guid}", (c.SecondAssignment ? ids.SecondAssignmentId : ids.AssignmentId).ToString(), StringComparison.OrdinalIgnoreCase)
            .Replace("{annotationId:guid}", ids.AnnotationId.ToString(), StringComparison.OrdinalIgnoreCase)
            .Replace("{redTeamRunId:guid}", ids.RedTeamRunId.ToString(), StringComparison.OrdinalIgnoreCase)
            .Replace("{tokenId:guid}", ids.FeedbackTokenId.ToString(), StringComparison.OrdinalIgnoreCase);
        var request = new HttpRequestMessage(new HttpMethod(c.Method), path);
        if (c.Body is not null)
        {
            // Bodies may name the tenant's gold item, which only exists once the resources are made.
            var json = System.Text.Json.JsonSerializer.Serialize(c.Body, System.Text.Json.JsonSerializerOptions.Web)
                .Replace("{goldItemId:guid}", ids.GoldItemId.ToString(), StringComparison.Ordinal)
                .Replace("{itemId:guid}", ids.ItemId.ToString(), StringComparison.Ordinal)
                .Replace("{victimId:guid}", ids.VictimUserId.ToString(), StringComparison.Ordinal);
            request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        }

        return client.SendAsync(request);
    }

    /// <summary>Ids of one tenant's resources to put in the routes, and names that must never leak into a refusal.</summary>
    /// <remarks>
    /// <see cref="AssignmentId"/> and <see cref="SecondAssignmentId"/> are live leases of the tenant's annotator, taken
    /// through the engine in two projects: one to read, draft and answer, one to skip.
    /// </remarks>
    private sealed record Resources(Guid OrgId, Guid ProjectId, Guid VictimUserId, Guid InviteId, Guid RunId, Guid ItemId, Guid NoticeId,
        Guid AssignmentId, Guid SecondAssignmentId, string OrgName, string ProjectName, Guid GoldItemId = default, Guid ReleaseId = default, Guid ClientId = default,
        Guid AnnotationId = default, Guid RedTeamRunId = default, Guid FeedbackTokenId = default);

    private static async Task<Resources> ResourcesAsync(TestDatabase db, TestTenant tenant)
    {
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        var victimEmail = $"victim@{tenant.Organisation.Name.ToLowerInvariant()}.test";
        var victim = await ctx.Users.FirstOrDefaultAsync(u => u.Email == victimEmail);
        if (victim is null)
        {
            using var scope = db.Services.CreateScope();
            var organisations = scope.ServiceProvider.GetRequiredService<Portal.App.Features.Organisations.OrganisationService>();
            victim = await organisations.CreateUserAsync(victimEmail, Builders.Password, "Victim");
            await organisations.GrantAsync(tenant.Id, victim.Id, OrgRoles.Annotator);
            var invite = await scope.ServiceProvider.GetRequiredService<InviteService>()
                .CreateAsync(tenant.Id, OrgRoles.Annotator, TimeSpan.FromHours(1), tenant.Member(OrgRoles.OrgAdmin).Id, "matrix");
            ctx.JobRuns.Add(new JobRun { TenantId = tenant.Id, JobName = "expire-leases", Status = RunStatus.Succeeded, QueuedAt = DateTime.UtcNow });
            ctx.ProjectNotices.Add(new ProjectNotice { ProjectId = tenant.Project.Id, AnnotatorId = victim.Id, Message = "Victim was paused: gold accuracy 20% over 5 answers", CreatedAt = DateTime.UtcNow });
            await ctx.SaveChangesAsync();

            var tasks = scope.ServiceProvider.GetRequiredService<TaskService>();
            var (second, _) = await db.CreateTestProjectAsync(tenant.Id, SecondProject);
            await tasks.NextAsync(tenant.Id, tenant.Project.Id, tenant.Member(OrgRoles.Annotator).Id);
            await tasks.NextAsync(tenant.Id, second.Id, tenant.Member(OrgRoles.Annotator).Id);

            // An answer of the annotator in a third project, for the revision case.
            var (third, _) = await db.CreateTestProjectAsync(tenant.Id, "Third project");
            var answered = await tasks.NextAsync(tenant.Id, third.Id, tenant.Member(OrgRoles.Annotator).Id);
            await tasks.SubmitAsync(tenant.Id, answered!.Task!.AssignmentId, tenant.Member(OrgRoles.Annotator).Id,
                new AnnotationInput("matrix-third", Choice: ShownChoice.Left, Strength: 1));

            // The targeted-feedback loop: ten AI-labelled pairs and a round waiting for humans.
            for (var i = 0; i < 10; i++)
            {
                var item = new Item { ProjectId = tenant.Project.Id, ExternalId = $"loop-{i}", ConversationJson = "[]", ResponseA = $"yes {i}", ResponseB = $"no {i}", CreatedAt = DateTime.UtcNow };
                ctx.Items.Add(item);
                ctx.AiLabels.Add(new AiLabel { ProjectId = tenant.Project.Id, ItemId = item.Id, Choice = i % 2 == 0 ? Portal.Core.Aggregation.PreferenceChoice.A : Portal.Core.Aggregation.PreferenceChoice.B, Model = "matrix", CreatedAt = DateTime.UtcNow });
            }

            ctx.RlthfRounds.Add(new RlthfRound { ProjectId = tenant.Project.Id, Number = 1, Status = RoundStatus.AwaitingHumans, BudgetRequested = "1", Budget = 1, Selected = 1, CreatedAt = DateTime.UtcNow });
            // Guidelines (two versions, so there is a change to diff) and a gold item for the qualification test, after the leases above.
            var guidelines = scope.ServiceProvider.GetRequiredService<Portal.App.Features.Guidelines.GuidelineService>();
            foreach (var note in new[] { "first", "second" })
            {
                await guidelines.PublishAsync(tenant.Id, tenant.Project.Id, tenant.Member(OrgRoles.ProjectAdmin).Id,
                    new Portal.App.Features.Guidelines.PublishGuidelineInput($"# Guidelines\n\nThe {note} version.", note, GuidelineChange.Minor));
            }

            var gold = new Item
            {
                ProjectId = tenant.Project.Id,
                ExternalId = "matrix-gold",
                ConversationJson = "[{\"role\":\"user\",\"content\":\"Gold?\"}]",
                ResponseA = "Right",
                ResponseB = "Wrong",
                IsGold = true,
                Gold = new GoldAnswer { Choice = Portal.Core.Aggregation.PreferenceChoice.A, Explanation = "A is right." },
                CreatedAt = DateTime.UtcNow,
            };
            ctx.Items.Add(gold);
            // A qualification test older than the annotator's first answer, so they are new to it (not grandfathered)
            // and the attempts case can take it; the PUT case edits it.
            ctx.QualificationTests.Add(new QualificationTest
            {
                ProjectId = tenant.Project.Id,
                ItemIds = [gold.Id],
                MaxAttempts = 2,
                CooldownMinutes = 0,
                CreatedAt = DateTime.UtcNow,
                UpdatedAt = DateTime.UtcNow,
            });
            await ctx.SaveChangesAsync();
            // A calibration round open on the tenant's item, with the tenant's annotators taking part.
            await scope.ServiceProvider.GetRequiredService<Portal.App.Features.Calibration.CalibrationService>().OpenAsync(tenant.Id, tenant.Project.Id,
                tenant.Member(OrgRoles.ProjectAdmin).Id, new Portal.App.Features.Calibration.OpenCalibrationInput("Matrix calibration", [tenant.Item.Id]));
            // A ready release of the project, granted to the tenant's client.
            var release = await db.CutTestReleaseAsync(tenant.Id, tenant.Project.Id, "Matrix v1", tenant.Member(OrgRoles.ProjectAdmin).Id);
            await db.ReleaseService().GrantAsync(tenant.Id, tenant.Project.Id, release.Id, tenant.Member(OrgRoles.Client).Id, tenant.Member(OrgRoles.ProjectAdmin).Id);
            // A red-team run still running, with one pair not yet sent to humans: the stop and sample cases have something to change.
            var redTeam = new RedTeamRun { ProjectId = tenant.Project.Id, Status = RedTeamRunStatus.Running, CategoriesJson = "[\"matrix\"]", AttacksPerCategory = 2, HarmThreshold = 5, CreatedAt = DateTime.UtcNow };
            ctx.RedTeamRuns.Add(redTeam);
            ctx.RedTeamAttacks.Add(new RedTeamAttack { ProjectId = tenant.Project.Id, RunId = redTeam.Id, Category = "matrix", Topic = "matrix", HarmScore = 9, Harmful = true, ItemId = tenant.Item.Id, CreatedAt = DateTime.UtcNow });
            await ctx.SaveChangesAsync();
        }

        var inviteId = await ctx.Invites.Where(i => i.Note == "matrix").Select(i => i.Id).FirstAsync();
        var runId = await ctx.JobRuns.IgnoreQueryFilters().Where(r => r.TenantId == tenant.Id).Select(r => r.Id).FirstAsync();
        var noticeId = await ctx.ProjectNotices.Select(n => n.Id).FirstAsync();
        var leases = ctx.Assignments.Where(a => a.AnnotatorId == tenant.Member(OrgRoles.Annotator).Id);
        var assignmentId = await leases.Where(a => a.ProjectId == tenant.Project.Id).Select(a => a.Id).FirstAsync();
        var secondAssignmentId = await leases.Where(a => a.ProjectId != tenant.Project.Id && a.Status == AssignmentStatus.Leased).Select(a => a.Id).FirstAsync();
        var annotationId = await ctx.Annotations.Where(a => a.IdempotencyKey == "matrix-third").Select(a => a.Id).FirstAsync();
        var goldItemId = await ctx.Items.Where(i => i.ExternalId == "matrix-gold").Select(i => i.Id).FirstAsync();
        var releaseId = await ctx.Releases.Where(r => r.Name == "Matrix v1").Select(r => r.Id).FirstAsync();
        var redTeamRunId = await ctx.RedTeamRuns.OrderBy(r => r.CreatedAt).Select(r => r.Id).FirstAsync();
        var feedbackTokenId = await ctx.ApiTokens.Where(t => t.FeedbackTenantId == tenant.Id && t.Name == "matrix").Select(t => (Guid?)t.Id).FirstOrDefaultAsync()
            ?? (await db.Services.CreateScope().ServiceProvider.GetRequiredService<Portal.App.Features.Feedback.FeedbackTokenService>()
                .CreateAsync(tenant.Id, tenant.Project.Id, tenant.Member(OrgRoles.ProjectAdmin).Id, "matrix", null))!.Id;
        return new Resources(tenant.Id, tenant.Project.Id, victim.Id, inviteId, runId, tenant.Item.Id, noticeId, assignmentId, secondAssignmentId,
            tenant.Organisation.Name, tenant.Project.Name + " of " + tenant.Organisation.Name, goldItemId, releaseId, tenant.Member(OrgRoles.Client).Id, annotationId,
            redTeamRunId, feedbackTokenId);
    }

    private static async Task<string> SnapshotAsync(TestDatabase db)
    {
        await using var ctx = db.Factory.CreateSystem();
        var memberships = await ctx.Memberships.IgnoreQueryFilters().Select(m => (int)m.Roles).ToListAsync();
        var invites = await ctx.Invites.IgnoreQueryFilters().Select(i => i.RevokedAt == null && i.UsedAt == null).ToListAsync();
        var projects = await ctx.Projects.IgnoreQueryFilters().OrderBy(p => p.Id)
            .Select(p => new { p.Name, p.Overlap, p.LeaseMinutes, Paused = p.PausedAt != null, Archived = p.ArchivedAt != null, p.ChosenAnnotatorsOnly }).ToListAsync();
        var standings = await ctx.ProjectAnnotators.IgnoreQueryFilters().Select(a => a.PausedAt != null).ToListAsync();
        return string.Join('/',
            string.Join(',', projects.Select(p => $"{p.Name}:{p.Overlap}:{p.LeaseMinutes}:{p.Paused}:{p.Archived}:{p.ChosenAnnotatorsOnly}")),
            await ctx.ProjectAnnotators.IgnoreQueryFilters().CountAsync(a => a.Chosen),
            await ctx.AnnotationRevisions.IgnoreQueryFilters().CountAsync(),
            await ctx.Items.IgnoreQueryFilters().CountAsync(i => i.IsGold),
            standings.Count, standings.Count(paused => paused),
            await ctx.ProjectNotices.IgnoreQueryFilters().CountAsync(n => n.DismissedAt != null),
            memberships.Count, memberships.Sum(),
            invites.Count, invites.Count(open => open),
            await ctx.Projects.IgnoreQueryFilters().CountAsync(),
            await ctx.Items.IgnoreQueryFilters().CountAsync(),
            await ctx.Assignments.IgnoreQueryFilters().CountAsync(),
            await ctx.ProjectMetrics.IgnoreQueryFilters().CountAsync(),
            await ctx.CuratedLabels.IgnoreQueryFilters().CountAsync(),
            await ctx.AiLabels.IgnoreQueryFilters().CountAsync(),
            await ctx.RlthfRounds.IgnoreQueryFilters().CountAsync(),
            await ctx.RlthfRounds.IgnoreQueryFilters().SumAsync(r => (int)r.Status),
            await ctx.Assignments.IgnoreQueryFilters().SumAsync(a => (int)a.Status),
            await ctx.Assignments.IgnoreQueryFilters().CountAsync(a => a.DraftJson != null),
            await ctx.Annotations.IgnoreQueryFilters().CountAsync(),
            await ctx.JobRuns.IgnoreQueryFilters().CountAsync(),
            await ctx.GuidelineVersions.IgnoreQueryFilters().CountAsync(),
            await ctx.GuidelineAcknowledgements.IgnoreQueryFilters().CountAsync(),
            await ctx.QualificationTests.IgnoreQueryFilters().CountAsync(),
            await ctx.QualificationAttempts.IgnoreQueryFilters().CountAsync(a => a.VoidedAt == null),
            await ctx.Releases.IgnoreQueryFilters().CountAsync(),
            await ctx.CalibrationRounds.IgnoreQueryFilters().CountAsync(),
            await ctx.CalibrationRounds.IgnoreQueryFilters().SumAsync(r => (int)r.Status),
            await ctx.CalibrationRoundItems.IgnoreQueryFilters().CountAsync(i => i.Explanation != "" || i.PromotedAt != null),
            await ctx.CalibrationAnswers.IgnoreQueryFilters().CountAsync(),
            await ctx.ReleaseGrants.IgnoreQueryFilters().CountAsync(g => g.RevokedAt == null),
            await ctx.AiLabelErrors.IgnoreQueryFilters().CountAsync(),
            string.Join(',', await ctx.LlmLabelerSettings.IgnoreQueryFilters().Select(l => l.Model + l.PromptVersion).ToListAsync()),
            await ctx.RedTeamRuns.IgnoreQueryFilters().CountAsync(),
            await ctx.RedTeamRuns.IgnoreQueryFilters().CountAsync(r => r.StopRequestedAt != null),
            await ctx.RedTeamAttacks.IgnoreQueryFilters().CountAsync(a => a.SentToHumansAt != null),
            string.Join(',', await ctx.ProjectCategories.IgnoreQueryFilters().OrderBy(c => c.Name).Select(c => c.Name + ":" + c.Route).ToListAsync()),
            await ctx.Items.IgnoreQueryFilters().CountAsync(i => i.Category != null),
            await ctx.Projects.IgnoreQueryFilters().CountAsync(p => p.CategoryPrompt != null),
            await ctx.FeedbackEvents.IgnoreQueryFilters().CountAsync(),
            string.Join(',', await ctx.FeedbackSettings.IgnoreQueryFilters().Select(f => f.SamplingRate).ToListAsync()),
            await ctx.ApiTokens.CountAsync(t => t.RevokedAt == null),
            await ctx.Organisations.CountAsync());
    }

    /// <summary>
    /// A Blazor page's endpoint also takes POST (its forms); the same authorization metadata guards both,
    /// so the page's GET case covers it.
    /// </summary>
    private static IEnumerable<string> Methods(RouteEndpoint e) =>
        e.Metadata.GetMetadata<Microsoft.AspNetCore.Components.Endpoints.ComponentTypeMetadata>() is not null
            ? ["GET"]
            : e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"];

    private static string Normalise(string template) => template.TrimEnd('/').ToLowerInvariant();

    /// <param name="SecondAssignment">The case closes its assignment so that the other cases could not use it (a skip): it gets one of its own.</param>
    private sealed record MatrixCase(string Method, string Template, OrgRoles Allowed, bool Page = false, bool Destructive = false, object? Body = null,
        bool SecondAssignment = false);
}
