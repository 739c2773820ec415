using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.TestSupport;

namespace Portal.Cli.Tests.Commands;

public sealed class ImportCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("portal-import-cli").FullName;

    private static async Task<int> ItemCountAsync(TestDatabase db, TestTenant tenant)
    {
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        return await ctx.Items.CountAsync(i => i.ProjectId == tenant.Project.Id);
    }

    [Fact]
    public async Task Import_HhRlhfFile_ImportsEveryPairOnceAndReportsProgress()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var file = Path.Combine(_folder, "hh.jsonl");
        await File.WriteAllLinesAsync(file, Enumerable.Range(1, 30).Select(i =>
            $"{{\"id\": \"hh{i}\", \"chosen\": \"\\n\\nHuman: Q{i}\\n\\nAssistant: good\", \"rejected\": \"\\n\\nHuman: Q{i}\\n\\nAssistant: bad\"}}"));

        var first = await TestCli.RunAsync(["import", "--org", "Alpha", "--project", tenant.Project.Name, "--file", file], db.Settings);
        var second = await TestCli.RunAsync(["import", "--org", tenant.Id.ToString(), "--project", tenant.Project.Id.ToString(), "--file", file], db.Settings);

        Assert.True(first.ExitCode == PortalCli.Ok, first.Error);
        Assert.Equal("Imported 30 item(s).", first.Out.Trim());
        Assert.Contains("import: 100%", first.Error, StringComparison.Ordinal);
        Assert.Equal("Imported 0 item(s); 30 already in the project were skipped.", second.Out.Trim());
        Assert.Equal(1 + 30, await ItemCountAsync(db, tenant));
    }

    [Fact]
    public async Task Import_BadLine_ExitsTwoNamingTheLineAndImportsNothing()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var file = Path.Combine(_folder, "bad.jsonl");
        await File.WriteAllLinesAsync(file, ["{\"prompt\": \"Q\", \"chosen\": \"c\", \"rejected\": \"r\"}", "{oops"]);

        var run = await TestCli.RunAsync(["import", "--org", "Alpha", "--project", tenant.Project.Name, "--file", file], db.Settings);

        Assert.Equal(PortalCli.BadInput, run.ExitCode);
        Assert.Contains("bad.jsonl line 2: is not valid JSON", run.Error, StringComparison.Ordinal);
        Assert.Equal(1, await ItemCountAsync(db, tenant));
    }

    [Fact]
    public async Task Import_UnknownProject_ExitsTwo()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        await db.CreateTestTenantAsync("Alpha");
        var file = Path.Combine(_folder, "x.jsonl");
        await File.WriteAllTextAsync(file, "");

        var line = (await TestCli.RunAsync(["import", "--org", "Alpha", "--project", "Nope", "--file", file], db.Settings)).AssertBadInput();

        Assert.Contains("--project: no project", line, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
