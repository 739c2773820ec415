using System.Net;
using System.Text.Json;
using Portal.App.Data;
using Portal.TestSupport;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Jobs;

public class JobEndpointTests
{
    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task ListRuns_ProjectId_ListsThatProjectsRunsOnlyAndAnotherOrganisationsProjectIsNotFound(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var alpha = await db.CreateTestTenantAsync("Alpha");
        var beta = await db.CreateTestTenantAsync("Beta");
        var (other, _) = await db.CreateTestProjectAsync(alpha.Id, "Other");
        await db.AddJobRunsAsync(alpha.Id, alpha.Project.Id, 3, "import-items");
        await db.AddJobRunsAsync(alpha.Id, other.Id, 2, "cut-release");
        await db.AddJobRunsAsync(beta.Id, beta.Project.Id, 4, "import-items");
        await using var app = new PortalFactory(db);
        var admin = await app.SignInAsync(alpha.Member(OrgRoles.ProjectAdmin).Email!);
        var url = $"/api/v1/orgs/{alpha.Id}/jobs/runs";

        var project = await admin.GetAsync($"{url}?projectId={alpha.Project.Id}");
        var all = await admin.GetAsync(url);
        var betas = await admin.GetAsync($"{url}?projectId={beta.Project.Id}");

        Assert.Equal(["import-items run 03", "import-items run 02", "import-items run 01"], await MessagesAsync(project));
        Assert.Equal(5, (await MessagesAsync(all)).Count);
        Assert.Equal(HttpStatusCode.NotFound, betas.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task ListRuns_PageAndSearch_AnswerOnePageWithTheTotalInAHeader(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var alpha = await db.CreateTestTenantAsync("Alpha");
        await db.AddJobRunsAsync(alpha.Id, alpha.Project.Id, 25, "import-items");
        await db.AddJobRunsAsync(alpha.Id, null, 3, "expire-leases");
        await using var app = new PortalFactory(db);
        var admin = await app.SignInAsync(alpha.Member(OrgRoles.ProjectAdmin).Email!);
        var url = $"/api/v1/orgs/{alpha.Id}/jobs/runs";

        var page3 = await admin.GetAsync($"{url}?projectId={alpha.Project.Id}&page=3&pageSize=10");
        var search = await admin.GetAsync($"{url}?search=EXPIRE&pageSize=2");
        var unpaged = await admin.GetAsync(url);

        Assert.Equal(Enumerable.Range(1, 5).Reverse().Select(n => $"import-items run {n:00}"), await MessagesAsync(page3));
        Assert.Equal("25", page3.Headers.GetValues("X-Total-Count").Single());
        Assert.Equal(["expire-leases run 03", "expire-leases run 02"], await MessagesAsync(search));
        Assert.Equal("3", search.Headers.GetValues("X-Total-Count").Single());
        Assert.Equal(28, (await MessagesAsync(unpaged)).Count);
    }

    [Theory]
    [InlineData("page=0", "page")]
    [InlineData("pageSize=0", "pageSize")]
    [InlineData("pageSize=201", "pageSize")]
    public async Task ListRuns_BadPaging_IsABadRequestNamingTheParameter(string query, string field)
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var alpha = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db);
        var admin = await app.SignInAsync(alpha.Member(OrgRoles.ProjectAdmin).Email!);

        var response = await admin.GetAsync($"/api/v1/orgs/{alpha.Id}/jobs/runs?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _));
    }

    private static async Task<List<string>> MessagesAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return [.. body.RootElement.EnumerateArray().Select(r => r.GetProperty("message").GetString()!)];
    }
}
