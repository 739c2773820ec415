using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Import;
using Portal.App.Features.Organisations;
using Portal.App.Jobs;
using Portal.TestSupport;

namespace Portal.App.Tests.Features.Import;

public sealed class ItemImportServiceTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("portal-import").FullName;

    private async Task<string> FileAsync(string name, IEnumerable<string> lines)
    {
        var path = Path.Combine(_folder, name);
        await File.WriteAllLinesAsync(path, lines);
        return path;
    }

    private static ItemImportService Service(TestDatabase db) => db.Services.CreateScope().ServiceProvider.GetRequiredService<ItemImportService>();

    private static IEnumerable<string> Pairs(int from, int count) =>
        Enumerable.Range(from, count).Select(i => $"{{\"id\": \"p{i}\", \"prompt\": \"Question {i}\", \"chosen\": \"good {i}\", \"rejected\": \"bad {i}\"}}");

    private static async Task<int> CountAsync(TestDatabase db, TestTenant tenant)
    {
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        return await ctx.Items.CountAsync(i => i.ProjectId == tenant.Project.Id);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task Import_ThenReimportWithMore_AddsOnlyTheNewExternalIds(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var progress = new RecordingProgress();

        var first = await Service(db).ImportAsync(tenant.Id, tenant.Project.Id, await FileAsync("a.jsonl", Pairs(1, 2500)), "a.jsonl", progress, default);
        var second = await Service(db).ImportAsync(tenant.Id, tenant.Project.Id, await FileAsync("b.jsonl", Pairs(2001, 1000)), "b.jsonl", progress, default);

        Assert.Equal((2500, 0), (first.Added, first.AlreadyPresent));
        Assert.Equal((500, 500), (second.Added, second.AlreadyPresent));
        Assert.Equal(1 + 3000, await CountAsync(db, tenant));
        Assert.Equal(100, progress.Percents[^1]);
        Assert.True(progress.Percents.Count > 2, "no progress was reported between batches");
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        var item = await ctx.Items.SingleAsync(i => i.ExternalId == "p42");
        Assert.Equal(("good 42", "bad 42"), (item.ResponseA, item.ResponseB));
        Assert.Contains("Question 42", item.ConversationJson, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task Import_BadLineAfterManyGoodOnes_ImportsNothingAndNamesTheLine(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var lines = Pairs(1, 2400).Append("{\"prompt\": \"Q\", \"chosen\": \"only one\"}");

        var ex = await Assert.ThrowsAsync<PortalValidationException>(() =>
            Service(db).ImportAsync(tenant.Id, tenant.Project.Id, FileAsync("bad.jsonl", lines).Result, "bad.jsonl", new RecordingProgress(), default));

        Assert.Contains("bad.jsonl line 2401: field 'rejected'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing was imported", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, await CountAsync(db, tenant));
    }

    [Fact]
    public async Task Import_LikertFileIntoLikertProject_KeepsOneResponse()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        Guid likert;
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            var project = new Project { Name = "Ratings", Kind = ProjectKind.Likert, CreatedAt = DateTime.UtcNow };
            ctx.Projects.Add(project);
            await ctx.SaveChangesAsync();
            likert = project.Id;
        }

        var path = await FileAsync("likert.csv", ["id,prompt,response", "l1,\"Hi, you\",Hello", "l2,Why?,Because"]);
        var result = await Service(db).ImportAsync(tenant.Id, likert, path, "likert.csv", new RecordingProgress(), default);

        Assert.Equal(2, result.Added);
        await using var check = db.Factory.CreateForTenant(tenant.Id);
        Assert.All(await check.Items.Where(i => i.ProjectId == likert).ToListAsync(), i => Assert.Null(i.ResponseB));
    }

    [Fact]
    public async Task Import_ProjectOfAnotherTenant_IsRefused()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var a = await db.CreateTestTenantAsync("Alpha");
        var b = await db.CreateTestTenantAsync("Beta");

        await Assert.ThrowsAsync<PortalValidationException>(async () =>
            await Service(db).ImportAsync(a.Id, b.Project.Id, await FileAsync("x.jsonl", Pairs(1, 3)), "x.jsonl", new RecordingProgress(), default));
        Assert.Equal(1, await CountAsync(db, b));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private sealed class RecordingProgress : IJobProgress
    {
        public List<int> Percents { get; } = [];

        public ValueTask ReportAsync(int percent, string? message = null)
        {
            Percents.Add(percent);
            return ValueTask.CompletedTask;
        }
    }
}
