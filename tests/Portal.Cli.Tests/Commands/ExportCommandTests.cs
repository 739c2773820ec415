using System.IO.Compression;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.Core.Aggregation;
using Portal.Core.Export;
using Portal.TestSupport;

namespace Portal.Cli.Tests.Commands;

/// <summary>Runs alone, after the parallel tests: the memory check reads the process's managed heap, which other tests would fill too.</summary>
[CollectionDefinition(nameof(CliMemoryMeasurements), DisableParallelization = true)]
public sealed class CliMemoryMeasurements;

[Collection(nameof(CliMemoryMeasurements))]
public sealed class ExportCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("portal-export-cli").FullName;

    private static async Task<(TestTenant Tenant, Release Release)> ReleaseAsync(TestDatabase db)
    {
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var project = await db.CreateTaskProjectAsync(tenant.Id, items: 12, name: "Pairs");
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            foreach (var (item, n) in (await ctx.Items.AsNoTracking().Where(i => i.ProjectId == project.Id).ToListAsync()).Select((item, n) => (item, n)))
            {
                await db.AddTestAnnotationAsync(tenant.Id, item, tenant.Member(OrgRoles.Annotator).Id, n % 4 == 0 ? PreferenceChoice.Tie : PreferenceChoice.B);
            }
        }

        return (tenant, await db.CutTestReleaseAsync(tenant.Id, project.Id, "cli v1", tenant.Member(OrgRoles.ProjectAdmin).Id));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Export_Release_WritesTheDownloadBytesWithProgressAndLogsItAsCli(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var (tenant, release) = await ReleaseAsync(db);
        var plain = Path.Combine(_folder, "r.jsonl");
        var gz = Path.Combine(_folder, "r.jsonl.gz");
        var ties = Path.Combine(_folder, "ties.jsonl");

        var run = await TestCli.RunAsync(["export", "--release", release.Id.ToString(), "--format", "trl-messages", "--output", plain], db.Settings);
        var zipped = await TestCli.RunAsync(["export", "--release", release.Id.ToString(), "--format", "trl-messages", "--output", gz, "--gzip"], db.Settings);
        var kept = await TestCli.RunAsync(["export", "--release", release.Id.ToString(), "--format", "hh-rlhf", "--keep-ties", "--output", ties], db.Settings);

        Assert.True(run.ExitCode == PortalCli.Ok, run.Error);
        Assert.Contains("export: 100%", run.Error, StringComparison.Ordinal);
        var bytes = await File.ReadAllBytesAsync(plain);
        Assert.Equal(await db.ExportTestReleaseAsync(tenant.Id, release, "trl-messages"), bytes);
        var files = JsonSerializer.Deserialize<List<JsonElement>>(release.FilesJson)!;
        var stored = files.Single(f => f.GetProperty("format").GetString() == "trl-messages" && !f.GetProperty("keepTies").GetBoolean());
        Assert.Equal(stored.GetProperty("sha256").GetString(), ContentHash.Of(bytes));
        Assert.Contains(ContentHash.Of(bytes), run.Error, StringComparison.Ordinal);
        Assert.Equal(9, bytes.Count(b => b == (byte)'\n'));

        Assert.True(zipped.ExitCode == PortalCli.Ok, zipped.Error);
        var gzBytes = await File.ReadAllBytesAsync(gz);
        Assert.Equal(stored.GetProperty("gzipSha256").GetString(), ContentHash.Of(gzBytes));
        await using (var unzip = new GZipStream(new MemoryStream(gzBytes), CompressionMode.Decompress))
        using (var back = new MemoryStream())
        {
            await unzip.CopyToAsync(back);
            Assert.Equal(bytes, back.ToArray());
        }

        Assert.True(kept.ExitCode == PortalCli.Ok, kept.Error);
        Assert.Equal(12, (await File.ReadAllLinesAsync(ties)).Length);

        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        var log = await ctx.DownloadLogs.AsNoTracking().Where(d => d.ReleaseId == release.Id).OrderBy(d => d.At).ToListAsync();
        Assert.Equal(["trl-messages:cli:False:" + bytes.Length, "trl-messages:cli:True:" + gzBytes.Length, "hh-rlhf:cli:False:" + new FileInfo(ties).Length],
            log.Select(d => $"{d.Format}:{d.Via}:{d.Gzip}:{d.Bytes}"));
        Assert.All(log, d => Assert.Null(d.UserId));
    }

    [Fact]
    public async Task Export_BadReleaseOrFormat_ExitsTwoNamingTheOption()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var (_, release) = await ReleaseAsync(db);
        var output = Path.Combine(_folder, "never.jsonl");

        Assert.Contains("--release", (await TestCli.RunAsync(["export", "--release", "nope", "--format", "trl-plain", "--output", output], db.Settings)).AssertBadInput(), StringComparison.Ordinal);
        Assert.Contains("no release", (await TestCli.RunAsync(["export", "--release", Guid.NewGuid().ToString(), "--format", "trl-plain", "--output", output], db.Settings)).AssertBadInput(), StringComparison.Ordinal);
        var format = (await TestCli.RunAsync(["export", "--release", release.Id.ToString(), "--format", "likert-items-csv", "--output", output], db.Settings)).AssertBadInput();
        Assert.Contains("trl-plain, trl-messages, hh-rlhf", format, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    /// <summary>
    /// The memory check: ten times the pairs must not take ten times the memory. The exporter holds one batch of rows and
    /// one chunk of output, so the managed heap's peak growth stays within a fixed bound whatever the release's size.
    /// </summary>
    [Fact]
    public async Task BenchExport_TenTimesThePairs_PeakManagedMemoryDoesNotGrowWithThem()
    {
        var small = await TestCli.RunAsync(["bench", "export", "--pairs", "3000"]);
        var large = await TestCli.RunAsync(["bench", "export", "--pairs", "30000"]);
        Assert.True(small.ExitCode == PortalCli.Ok && large.ExitCode == PortalCli.Ok, small.Error + large.Error);
        using var s = JsonDocument.Parse(small.Out);
        using var l = JsonDocument.Parse(large.Out);
        var (smallBytes, largeBytes) = (s.RootElement.GetProperty("bytes").GetInt64(), l.RootElement.GetProperty("bytes").GetInt64());
        var (smallGrowth, largeGrowth) = (s.RootElement.GetProperty("managedGrowthMb").GetDouble(), l.RootElement.GetProperty("managedGrowthMb").GetDouble());
        Assert.InRange(largeBytes, 9 * smallBytes, 11 * smallBytes);
        Assert.True(largeBytes > 30_000_000, $"only {largeBytes} bytes written");
        Assert.True(largeGrowth < 64, $"the managed heap grew by {largeGrowth} MB for {largeBytes / 1e6:0} MB written");
        Assert.True(largeGrowth < smallGrowth + 32, $"growth {smallGrowth} MB at 3,000 pairs but {largeGrowth} MB at 30,000");
        Assert.True(l.RootElement.GetProperty("pairsPerSecond").GetDouble() > 0);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
