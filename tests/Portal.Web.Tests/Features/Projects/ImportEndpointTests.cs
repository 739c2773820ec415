using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Annotations;
using Portal.App.Features.Import;
using Portal.App.Features.Tokens;
using Portal.Core.Aggregation;
using Portal.TestSupport;
using Portal.Web.Tests.Features.Annotate;
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
    public async Task ImportItems_ManyBatchesStagedThenPublished_TheJobSucceedsWithEveryItem(TestProvider provider)
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

    [Theory]
    [InlineData("ignore")]
    [InlineData("external")] // the file's labels become an external rater's annotations: staged and published the same way
    public async Task ImportItems_SqliteImportBetweenBatches_AnotherOrganisationsAnnotatorWorksAndSeesNoStagedItem(string labels)
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var a = await db.CreateTestTenantAsync("Alpha");
        var b = await db.CreateTestTenantAsync("Beta");
        var noGold = ProjectSettings.Default with { Gold = new GoldOptions { Rate = 0 } };
        var betaProject = await db.CreateTaskProjectAsync(b.Id, items: 3, overlap: 1, settings: noGold, name: "Beta pairs");
        var gate = new BatchGate(a.Project.Id);
        await using var factory = new PortalFactory(db, jobs: true);

        // A one-second busy timeout instead of thirty: had the import kept the write lock, the other organisation's writes
        // would fail at once instead of waiting.
        await using var app = factory.WithWebHostBuilder(w => w
            .UseSetting("ConnectionStrings:Sqlite", db.Options.ConnectionString + ";Default Timeout=1")
            .ConfigureTestServices(s => s.AddSingleton<IImportObserver>(gate)));
        var admin = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        Assert.Equal(HttpStatusCode.Redirect, (await PortalFactory.PostLoginAsync(admin, a.Member(OrgRoles.ProjectAdmin).Email!, Builders.Password)).StatusCode);
        var annotator = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        Assert.Equal(HttpStatusCode.Redirect, (await PortalFactory.PostLoginAsync(annotator, b.Member(OrgRoles.Annotator).Email!, Builders.Password)).StatusCode);
        var minted = await annotator.PostAsJsonAsync("/api/v1/me/tokens", new { name = "bot", expiresInDays = 30 });
        Assert.Equal(HttpStatusCode.Created, minted.StatusCode);
        var bot = app.CreateClient();
        bot.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await minted.Content.ReadFromJsonAsync<CreatedToken>())!.Token);
        var lines = string.Join('\n', Enumerable.Range(1, 2 * ItemImportService.BatchSize + 500)
            .Select(i => $"{{\"id\": \"m{i}\", \"prompt\": \"Question {i}\", \"chosen\": \"good {i}\", \"rejected\": \"bad {i}\"}}"));

        var started = await admin.PostAsync($"/api/v1/orgs/{a.Id}/projects/{a.Project.Id}/items?fileName=big.jsonl&labels={labels}",
            new StringContent(lines, Encoding.UTF8, "application/jsonl"));
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        await gate.Staged.Task.WaitAsync(TimeSpan.FromMinutes(2));

        // The import has committed a batch and is paused before the next: Beta's annotator gets a task and submits it.
        var betaOrg = $"/api/v1/orgs/{b.Id}";
        var task = await TaskEndpointTests.NextAsync(annotator, betaOrg, betaProject.Id);
        var submit = new HttpRequestMessage(HttpMethod.Post, $"{betaOrg}/assignments/{task.AssignmentId}/annotation") { Content = JsonContent.Create(new { choice = "Right", strength = 2 }) };
        submit.Headers.Add("Idempotency-Key", "during-import");
        var submitted = await annotator.SendAsync(submit);
        Assert.True(submitted.StatusCode == HttpStatusCode.Created, $"submit answered {(int)submitted.StatusCode}: {await submitted.Content.ReadAsStringAsync()}");
        Assert.Equal(HttpStatusCode.OK, (await bot.GetAsync("/api/v1/me")).StatusCode);
        var botTask = await bot.GetFromJsonAsync<JsonElement>($"{betaOrg}/projects/{betaProject.Id}/tasks/next");
        Assert.Equal("Assigned", botTask.GetProperty("status").GetString());

        // A batch is staged, and no reader sees it: SQLite stages in a temp table of the import's own connection (decision
        // 0010), so not even the shared staging table shows a row, and Alpha's project still has its one item.
        // No external rater or annotation of the import yet either.
        await using (var ctx = db.Factory.CreateSystem())
        {
            Assert.Equal(0, await ctx.ImportStagedItems.IgnoreQueryFilters().CountAsync());
            Assert.Equal(0, await ctx.ExternalRaters.IgnoreQueryFilters().CountAsync());
            Assert.Equal(0, await ctx.Annotations.IgnoreQueryFilters().CountAsync(x => x.TenantId == a.Id));
        }

        Assert.Equal(1, (await admin.GetFromJsonAsync<ProjectView>($"/api/v1/orgs/{a.Id}/projects/{a.Project.Id}"))!.Items);

        gate.Release.SetResult();
        var run = await PortalFactory.WaitForRunAsync(admin, started.Headers.Location!.OriginalString);
        var count = 2 * ItemImportService.BatchSize + 500;
        var said = labels == "external" ? $"; the file's labels of {count} item(s) became annotations of 1 external rater(s)" : "";
        Assert.Equal(("Succeeded", $"Imported {count} item(s){said}."), (run.Status, run.Message));
        Assert.Equal(1 + count, (await admin.GetFromJsonAsync<ProjectView>($"/api/v1/orgs/{a.Id}/projects/{a.Project.Id}"))!.Items);
        await using (var ctx = db.Factory.CreateForTenant(a.Id))
        {
            var annotations = await ctx.Annotations.Where(x => x.ProjectId == a.Project.Id).ToListAsync();
            Assert.Equal(labels == "external" ? count : 0, annotations.Count);
            Assert.All(annotations, x => Assert.Equal((PreferenceChoice?)PreferenceChoice.A, x.Choice));
            Assert.Equal(annotations.Count, annotations.Select(x => x.ItemId).Distinct().Count());
            Assert.Equal(labels == "external" ? ["External 1 · big"] : [], await ctx.ExternalRaters.Select(r => r.Name).ToListAsync());
        }
    }

    /// <summary>Holds an import of one project after its first committed batch until the test releases it.</summary>
    private sealed class BatchGate(Guid projectId) : IImportObserver
    {
        public TaskCompletionSource Staged { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async ValueTask BatchStagedAsync(Guid project, int batches, CancellationToken ct)
        {
            if (project == projectId && batches == 1)
            {
                Staged.SetResult();
                await Release.Task.WaitAsync(ct);
            }
        }
    }

    private sealed record ProjectView(Guid Id, string Name, int Items);
}
