using System.Net;
using System.Net.Http.Json;
using System.Text;
using Portal.App.Data;
using Portal.TestSupport;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Projects;

public class ImportEndpointTests
{
    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task ImportItems_ThroughTheApi_RunsAsAJobAndIsAllOrNothing(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db, jobs: true);
        var admin = await app.SignInAsync(a.Member(OrgRoles.ProjectAdmin).Email!);
        var url = $"/api/v1/orgs/{a.Id}/projects/{a.Project.Id}/items";
        var good = "id,prompt,response_a,response_b\nc1,\"Hi, there\",A1,B1\nc2,Q2,A2,B2\nc3,Q3,A3,B3\n";

        var started = await admin.PostAsync(url + "?fileName=pairs.csv", new StringContent(good, Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var run = await PortalFactory.WaitForRunAsync(admin, started.Headers.Location!.OriginalString);
        Assert.Equal("Succeeded", run.Status);
        Assert.Equal("Imported 3 item(s).", run.Message);

        var bad = "{\"prompt\": \"Q\", \"chosen\": \"c\", \"rejected\": \"r\"}\n{\"prompt\": \"Q\", \"chosen\": \"c\"}\n";
        var failed = await PortalFactory.WaitForRunAsync(admin,
            (await admin.PostAsync(url, new StringContent(bad, Encoding.UTF8, "application/jsonl"))).Headers.Location!.OriginalString);
        Assert.Equal("Failed", failed.Status);
        Assert.Contains("items.jsonl line 2: field 'rejected'", failed.Error, StringComparison.Ordinal);

        var again = await PortalFactory.WaitForRunAsync(admin,
            (await admin.PostAsync(url + "?fileName=pairs.csv", new StringContent(good, Encoding.UTF8, "text/csv"))).Headers.Location!.OriginalString);
        Assert.Equal("Imported 0 item(s); 3 already in the project were skipped.", again.Message);

        var project = await admin.GetFromJsonAsync<ProjectView>($"/api/v1/orgs/{a.Id}/projects/{a.Project.Id}");
        Assert.Equal(1 + 3, project!.Items);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task ImportItems_ManyBatches_TheJobReportsProgressWhileItsTransactionIsOpen(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db, jobs: true);
        var admin = await app.SignInAsync(a.Member(OrgRoles.ProjectAdmin).Email!);
        var lines = string.Join('\n', Enumerable.Range(1, 5000).Select(i => $"{{\"id\": \"m{i}\", \"prompt\": \"Question {i}\", \"chosen\": \"good {i}\", \"rejected\": \"bad {i}\"}}"));

        var started = await admin.PostAsync($"/api/v1/orgs/{a.Id}/projects/{a.Project.Id}/items?fileName=many.jsonl", new StringContent(lines, Encoding.UTF8, "application/jsonl"));
        var run = await PortalFactory.WaitForRunAsync(admin, started.Headers.Location!.OriginalString);

        Assert.Equal(("Succeeded", "Imported 5000 item(s)."), (run.Status, run.Message));
        var project = await admin.GetFromJsonAsync<ProjectView>($"/api/v1/orgs/{a.Id}/projects/{a.Project.Id}");
        Assert.Equal(1 + 5000, project!.Items);
    }

    private sealed record ProjectView(Guid Id, string Name, int Items);
}
