using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features.Annotations;
using Portal.TestSupport;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Quality;

public class QualityEndpointTests
{
    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Recompute_ThroughTheApi_RunsAsAJobAndTheReportShowsTheAnnotations(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var a = await db.CreateTestTenantAsync("Alpha");
        var project = await db.CreateTaskProjectAsync(a.Id, items: 4, overlap: 2,
            settings: ProjectSettings.Default with { Gold = new GoldOptions { Rate = 0 } });
        var annotators = await db.CreateAnnotatorsAsync(a.Id, 2);
        var tasks = new TaskService(db.Factory, TimeProvider.System);
        foreach (var annotator in annotators)
        {
            while (await tasks.NextAsync(a.Id, project.Id, annotator.Id) is { Status: NextTaskStatus.Assigned, Task: { } task })
            {
                await tasks.SubmitAsync(a.Id, task.AssignmentId, annotator.Id, new AnnotationInput(Guid.NewGuid().ToString(), Choice: ShownChoice.Tie));
            }
        }

        await using var app = new PortalFactory(db, jobs: true);
        var admin = await app.SignInAsync(a.Member(OrgRoles.ProjectAdmin).Email!);
        var url = $"/api/v1/orgs/{a.Id}/projects/{project.Id}/quality";
        using (var before = JsonDocument.Parse(await admin.GetStringAsync(url)))
        {
            Assert.Equal(JsonValueKind.Null, before.RootElement.GetProperty("report").ValueKind);
        }

        var started = await admin.PostAsync(url + "/recompute", null);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var run = await PortalFactory.WaitForRunAsync(admin, started.Headers.Location!.OriginalString);
        Assert.Equal(("Succeeded", 100), (run.Status, run.Progress));

        using var after = JsonDocument.Parse(await admin.GetStringAsync(url));
        var report = after.RootElement.GetProperty("report");
        Assert.Equal(8, report.GetProperty("annotations").GetInt32());
        var choice = report.GetProperty("dimensions")[0];
        Assert.Equal(("choice", 4, 8), (choice.GetProperty("key").GetString(), choice.GetProperty("units").GetInt32(), choice.GetProperty("ratings").GetInt32()));
        Assert.Equal(1.0, choice.GetProperty("percentAgreement").GetDouble());
        Assert.Equal(2, report.GetProperty("annotators").GetArrayLength());
        Assert.Equal(1, report.GetProperty("pairs").GetArrayLength());
        await using var ctx = db.Factory.CreateForTenant(a.Id);
        Assert.Equal(4, await ctx.CuratedLabels.CountAsync(l => l.ProjectId == project.Id && l.Choice == Portal.Core.Aggregation.PreferenceChoice.Tie));

        // The admin sees each item's curated label, with how it was reached, in the items list.
        using var items = JsonDocument.Parse(await admin.GetStringAsync($"/api/v1/orgs/{a.Id}/projects/{project.Id}/items?take=10"));
        var curated = items.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("curated")).ToList();
        Assert.Equal(4, curated.Count);
        Assert.All(curated, c => Assert.Equal(("Tie", "majority", 2, 1.0),
            (c.GetProperty("choice").GetString(), c.GetProperty("method").GetString(), c.GetProperty("ratings").GetInt32(), c.GetProperty("agreement").GetDouble())));

        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/v1/orgs/{a.Id}/projects/{Guid.NewGuid()}/quality")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync($"/api/v1/orgs/{a.Id}/projects/{Guid.NewGuid()}/quality/recompute", null)).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task QualityPage_AfterRecompute_ShowsTheAlphaAndTheAnnotators(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var a = await db.CreateTestTenantAsync("Alpha");
        var project = await db.CreateTaskProjectAsync(a.Id, items: 2, overlap: 2, settings: ProjectSettings.Default with { Gold = new GoldOptions { Rate = 0 } });
        var annotators = await db.CreateAnnotatorsAsync(a.Id, 2, prefix: "pageann");
        var tasks = new TaskService(db.Factory, TimeProvider.System);
        foreach (var annotator in annotators)
        {
            while (await tasks.NextAsync(a.Id, project.Id, annotator.Id) is { Status: NextTaskStatus.Assigned, Task: { } task })
            {
                await tasks.SubmitAsync(a.Id, task.AssignmentId, annotator.Id, new AnnotationInput(Guid.NewGuid().ToString(), Choice: ShownChoice.BothBad));
            }
        }

        await new Portal.App.Features.Quality.QualityService(db.Factory, TimeProvider.System).RecomputeAsync(a.Id, project.Id);
        await using var app = new PortalFactory(db);
        var admin = await app.SignInAsync(a.Member(OrgRoles.ProjectAdmin).Email!);

        var page = await admin.GetStringAsync($"/orgs/{a.Id}/projects/{project.Id}/quality");

        Assert.Contains("data-testid=\"dimension-choice\"", page, StringComparison.Ordinal);
        Assert.Contains("over 4 annotations on 2 items", page, StringComparison.Ordinal);
        Assert.Contains("Annotator pageann0", page, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"kappa-heatmap\"", page, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task AnnotatorQuality_AfterRecompute_ShowsTheirSignalsOnTheirPageAndInTheApi(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var a = await db.CreateTestTenantAsync("Alpha");
        var b = await db.CreateTestTenantAsync("Beta");
        var project = await db.CreateTaskProjectAsync(a.Id, items: 4, overlap: 2,
            settings: ProjectSettings.Default with { Gold = new GoldOptions { Rate = 0 }, Pairwise = new PairwiseOptions { StrengthLevels = 0 } });
        var annotators = await db.CreateAnnotatorsAsync(a.Id, 2, prefix: "signals");
        var tasks = new TaskService(db.Factory, TimeProvider.System);
        foreach (var annotator in annotators)
        {
            while (await tasks.NextAsync(a.Id, project.Id, annotator.Id) is { Status: NextTaskStatus.Assigned, Task: { } task })
            {
                // The second annotator always picks the left side, in a hurry.
                var choice = annotator == annotators[1] ? ShownChoice.Left : ShownChoice.Tie;
                await tasks.SubmitAsync(a.Id, task.AssignmentId, annotator.Id, new AnnotationInput(Guid.NewGuid().ToString(), Choice: choice, TimeOnTaskMs: annotator == annotators[1] ? 300 : 9000));
            }
        }

        await using var app = new PortalFactory(db, jobs: true);
        var admin = await app.SignInAsync(a.Member(OrgRoles.ProjectAdmin).Email!);
        var url = $"/api/v1/orgs/{a.Id}/projects/{project.Id}/annotators/{annotators[1].Id}/quality";
        using (var before = JsonDocument.Parse(await admin.GetStringAsync(url)))
        {
            Assert.Equal(JsonValueKind.Null, before.RootElement.GetProperty("quality").ValueKind);
        }

        var started = await admin.PostAsync($"/api/v1/orgs/{a.Id}/projects/{project.Id}/quality/recompute", null);
        Assert.Equal("Succeeded", (await PortalFactory.WaitForRunAsync(admin, started.Headers.Location!.OriginalString)).Status);

        using (var after = JsonDocument.Parse(await admin.GetStringAsync(url)))
        {
            var q = after.RootElement.GetProperty("quality");
            Assert.Equal(4, q.GetProperty("annotations").GetInt32());
            Assert.Equal(1.0, q.GetProperty("leftShare").GetDouble());
            Assert.Equal(1.0, q.GetProperty("fastShare").GetDouble());
            Assert.Equal(0.0, q.GetProperty("agreementWithOthers").GetDouble());
        }

        var page = await admin.GetStringAsync($"/orgs/{a.Id}/projects/{project.Id}/annotators/{annotators[1].Id}");
        Assert.Contains("data-testid=\"annotator-signals\"", page);
        Assert.Contains("Too fast", page);
        Assert.Contains("under 4 s", page);
        Assert.Contains("data-testid=\"annotator-chart\"", page);

        // Someone of another organisation is not an annotator here: 404, as for a user who does not exist.
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/v1/orgs/{a.Id}/projects/{project.Id}/annotators/{b.Member(OrgRoles.Annotator).Id}/quality")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/v1/orgs/{a.Id}/projects/{project.Id}/annotators/{Guid.NewGuid()}/quality")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Get_ByAttributeVersion_ReadsOldRatingsOnTheirOwnScale(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var a = await db.CreateTestTenantAsync("Alpha");
        var fivePoint = ProjectSettings.Default with { Attributes = [new AttributeDefinition("helpfulness", "Helpfulness", "", 1, 5)], Gold = new GoldOptions { Rate = 0 } };
        var project = await db.CreateTaskProjectAsync(a.Id, ProjectKind.Likert, items: 2, overlap: 2, settings: fivePoint);
        var annotators = await db.CreateAnnotatorsAsync(a.Id, 2);
        var tasks = new TaskService(db.Factory, TimeProvider.System);
        foreach (var annotator in annotators)
        {
            while (await tasks.NextAsync(a.Id, project.Id, annotator.Id) is { Status: NextTaskStatus.Assigned, Task: { } task })
            {
                await tasks.SubmitAsync(a.Id, task.AssignmentId, annotator.Id, new AnnotationInput(Guid.NewGuid().ToString(), Scores: new Dictionary<string, int> { ["helpfulness"] = 4 }));
            }
        }

        await new Portal.App.Features.Projects.ProjectService(db.Factory, TimeProvider.System).UpdateAsync(a.Id, project.Id,
            new Portal.App.Features.Projects.ProjectInput(project.Name, "", ProjectKind.Likert, 2, 30,
                fivePoint with { Attributes = [new AttributeDefinition("helpfulness", "Helpfulness", "", 1, 7)] }));

        await using var app = new PortalFactory(db);
        var admin = await app.SignInAsync(a.Member(OrgRoles.ProjectAdmin).Email!);
        var url = $"/api/v1/orgs/{a.Id}/projects/{project.Id}/quality";
        using (var old = JsonDocument.Parse(await admin.GetStringAsync(url + "?attributeVersion=1")))
        {
            var dimension = old.RootElement.GetProperty("report").GetProperty("dimensions").EnumerateArray().Single(d => d.GetProperty("key").GetString() == "helpfulness");
            Assert.Equal((2, 4), (dimension.GetProperty("units").GetInt32(), dimension.GetProperty("ratings").GetInt32()));
        }

        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync(url + "?attributeVersion=7")).StatusCode);
        var both = await admin.GetAsync(url + "?attributeVersion=1&guidelineVersion=1");
        Assert.Equal(HttpStatusCode.BadRequest, both.StatusCode);
        Assert.Contains("attributeVersion", await both.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var page = await admin.GetStringAsync($"/orgs/{a.Id}/projects/{project.Id}/quality");
        Assert.Contains("data-testid=\"attribute-version\"", page, StringComparison.Ordinal);
    }
}
