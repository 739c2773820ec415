using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.Core.Aggregation;
using Portal.TestSupport;

namespace Portal.Cli.Tests.Commands;

public sealed class AiLabelsCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("portal-ai-labels-cli").FullName;

    private static async Task<List<(PreferenceChoice Choice, string Model)>> LabelsAsync(TestDatabase db, TestTenant tenant)
    {
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        return [.. (await ctx.AiLabels.ToListAsync()).Select(l => (l.Choice, l.Model))];
    }

    [Fact]
    public async Task Import_GoodFileTwice_AddsThenReplacesWithAProgressLine()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var first = Path.Combine(_folder, "one.jsonl");
        var second = Path.Combine(_folder, "two.jsonl");
        await File.WriteAllTextAsync(first, """{"item": "item-1", "choice": "A", "confidence": 0.7, "model": "judge-1", "rationale": "A is right."}""" + "\n");
        await File.WriteAllTextAsync(second, $$"""{"item": "{{tenant.Item.Id}}", "choice": "tie", "model": "judge-2"}""" + "\n");

        var added = await TestCli.RunAsync(["ai-labels", "import", "--project", tenant.Project.Id.ToString(), "--input", first], db.Settings);
        var replaced = await TestCli.RunAsync(["ai-labels", "import", "--project", tenant.Project.Id.ToString(), "--input", second], db.Settings);

        Assert.True(added.ExitCode == PortalCli.Ok, added.Error);
        Assert.Equal("Imported 1 AI label(s): 1 added, 0 replaced.", added.Out.Trim());
        Assert.Contains("ai-labels import: 100%", added.Error, StringComparison.Ordinal);
        Assert.Equal("Imported 1 AI label(s): 0 added, 1 replaced.", replaced.Out.Trim());
        Assert.Equal([(PreferenceChoice.Tie, "judge-2")], await LabelsAsync(db, tenant));
    }

    [Fact]
    public async Task Import_BadLine_ExitsTwoNamingLineAndFieldAndImportsNothing()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var file = Path.Combine(_folder, "bad.jsonl");
        await File.WriteAllLinesAsync(file, ["""{"item": "item-1", "choice": "A", "model": "m"}""", """{"item": "ghost", "choice": "A", "model": "m"}"""]);

        var line = (await TestCli.RunAsync(["ai-labels", "import", "--project", tenant.Project.Id.ToString(), "--input", file], db.Settings)).AssertBadInput();

        Assert.Contains("bad.jsonl line 2: field 'item' 'ghost' is no item of this project", line, StringComparison.Ordinal);
        Assert.Empty(await LabelsAsync(db, tenant));
    }

    [Fact]
    public async Task Import_UnknownProjectOrFile_ExitsTwo()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var file = Path.Combine(_folder, "x.jsonl");
        await File.WriteAllTextAsync(file, "");

        var project = (await TestCli.RunAsync(["ai-labels", "import", "--project", Guid.NewGuid().ToString(), "--input", file], db.Settings)).AssertBadInput();
        var missing = (await TestCli.RunAsync(["ai-labels", "import", "--project", tenant.Project.Id.ToString(), "--input", file + ".nope"], db.Settings)).AssertBadInput();

        Assert.Contains("--project: there is no project", project, StringComparison.Ordinal);
        Assert.Contains("--input: there is no file", missing, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
