using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features.Annotations;
using Portal.TestSupport;

namespace Portal.Cli.Tests.Commands;

public sealed class AgreementProjectTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("portal-agreement-project").FullName;

    private static async Task<Project> AnnotatedLikertProjectAsync(TestDatabase db, Guid tenantId)
    {
        var settings = ProjectSettings.Default with { Gold = new GoldOptions { Rate = 0 }, Attributes = [new("helpfulness", "Helpfulness", ""), new("safety", "Safety", "")] };
        var project = await db.CreateTaskProjectAsync(tenantId, ProjectKind.Likert, items: 6, overlap: 3, settings: settings);
        var annotators = await db.CreateAnnotatorsAsync(tenantId, 3);
        var tasks = new TaskService(db.Factory, TimeProvider.System);
        for (var a = 0; a < annotators.Count; a++)
        {
            while (await tasks.NextAsync(tenantId, project.Id, annotators[a].Id) is { Status: NextTaskStatus.Assigned, Task: { } task })
            {
                var n = int.Parse(task.Conversation[0].Content.Split(' ')[1].TrimEnd('?'), CultureInfo.InvariantCulture);
                await tasks.SubmitAsync(tenantId, task.AssignmentId, annotators[a].Id, new AnnotationInput(Guid.NewGuid().ToString(),
                    Scores: new Dictionary<string, int> { ["helpfulness"] = Math.Clamp(n + (a == 2 ? 1 : 0), 1, 7), ["safety"] = 1 + ((n + a) % 7) }));
            }
        }

        return project;
    }

    [Fact]
    public async Task Agreement_Project_EqualsTheSameRatingsThroughACsv()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var project = await AnnotatedLikertProjectAsync(db, tenant.Id);
        var csv = Path.Combine(_folder, "safety.csv");
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            var rows = await ctx.Annotations.Where(a => a.ProjectId == project.Id).ToListAsync();
            await File.WriteAllLinesAsync(csv, ["unit,rater,value", .. rows.Select(r => $"{r.ItemId},{r.AnnotatorId},{r.Scores!["safety"]}")]);
        }

        var fromProject = await TestCli.RunAsync(["agreement", "--project", project.Id.ToString(), "--attribute", "safety", "--metric", "krippendorff", "--level", "ordinal"], db.Settings);
        var fromFile = await TestCli.RunAsync(["agreement", "--input", csv, "--metric", "krippendorff", "--level", "ordinal"]);

        Assert.True(fromProject.ExitCode == PortalCli.Ok, fromProject.Error);
        using var p = JsonDocument.Parse(fromProject.Out);
        using var f = JsonDocument.Parse(fromFile.Out);
        Assert.Equal(f.RootElement.GetProperty("value").GetDouble(), p.RootElement.GetProperty("value").GetDouble(), 12);
        Assert.Equal((6, 3, 18), (p.RootElement.GetProperty("units").GetInt32(), p.RootElement.GetProperty("raters").GetInt32(), p.RootElement.GetProperty("ratings").GetInt32()));
        Assert.Equal(("safety", project.Id.ToString()), (p.RootElement.GetProperty("attribute").GetString(), p.RootElement.GetProperty("project").GetString()));

        // Without --attribute: the first attribute.
        var first = await TestCli.RunAsync(["agreement", "--project", project.Id.ToString(), "--metric", "fleiss"], db.Settings);
        Assert.True(first.ExitCode == PortalCli.Ok, first.Error);
        using var h = JsonDocument.Parse(first.Out);
        Assert.Equal("helpfulness", h.RootElement.GetProperty("attribute").GetString());
        Assert.Equal("fleiss", h.RootElement.GetProperty("metric").GetString());
    }

    [Fact]
    public async Task Agreement_ProjectMistakes_ExitTwoWithOneLine()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var project = await AnnotatedLikertProjectAsync(db, tenant.Id);

        var unknown = (await TestCli.RunAsync(["agreement", "--project", Guid.NewGuid().ToString(), "--metric", "percent"], db.Settings)).AssertBadInput();
        var attribute = (await TestCli.RunAsync(["agreement", "--project", project.Id.ToString(), "--attribute", "tone", "--metric", "percent"], db.Settings)).AssertBadInput();
        var both = (await TestCli.RunAsync(["agreement", "--project", project.Id.ToString(), "--input", "x.csv", "--metric", "percent"], db.Settings)).AssertBadInput();
        var cohen = (await TestCli.RunAsync(["agreement", "--project", project.Id.ToString(), "--metric", "cohen"], db.Settings)).AssertBadInput();

        Assert.Contains("there is no project", unknown, StringComparison.Ordinal);
        Assert.Contains("rates no 'tone'; it rates helpfulness, safety", attribute, StringComparison.Ordinal);
        Assert.Contains("either --input", both, StringComparison.Ordinal);
        Assert.Contains("exactly two raters but 3", cohen, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
