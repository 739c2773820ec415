using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Releases;
using Portal.Core.Aggregation;
using Portal.Core.Export;

namespace Portal.Cli.Commands;

public sealed record ExportBenchResult(string Provider, string Format, int Pairs, long Bytes, double InsertSeconds, double Seconds, double PairsPerSecond,
    double MegabytesPerSecond, double BaselineManagedMb, double PeakManagedMb, double ManagedGrowthMb, double PeakWorkingSetMb, string Sha256)
{
    /// <summary>Bytes the export allocated on the managed heap (<see cref="GC.GetTotalAllocatedBytes"/>), all threads.</summary>
    public double AllocatedMb { get; init; }
}

/// <summary>
/// <c>portal bench export</c>: a release of N synthetic pairs (frozen rows with full provenance) in a scratch database, written
/// by <see cref="ReleaseExporter"/> (the code behind the download API) to a null stream, while a sampler records the managed
/// heap and the working set. Prints one JSON object.
/// </summary>
public static class ExportBench
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static Command Command(CliContext cli)
    {
        var pairs = new Option<int>("--pairs") { Description = "Pairs in the release.", DefaultValueFactory = _ => 100_000 };
        var format = new Option<string>("--format") { Description = "trl-plain, trl-messages or hh-rlhf; with -parquet (trl-plain-parquet) for the Parquet file.", DefaultValueFactory = _ => "trl-plain" };
        var provider = new Option<string>("--provider") { Description = "sqlite (a temporary file) or postgres (a new database on the server).", DefaultValueFactory = _ => "sqlite" };
        var connection = new Option<string?>("--connection") { Description = "PostgreSQL: the server to create the scratch database on." };
        var command = new Command("export", "Streams a release of N synthetic pairs through the release exporter; prints pairs/s, MB/s and peak memory as JSON.")
        {
            pairs, format, provider, connection,
        };
        command.SetAction(async (parse, ct) =>
        {
            var n = parse.GetValue(pairs);
            if (n < 1)
            {
                throw new CliUsageException($"--pairs must be at least 1, not {n}.");
            }

            if (!ReleaseFormats.TryParse(parse.GetValue(format), out var f, out var parquet) || !f.IsPairwise())
            {
                throw new CliUsageException($"--format: '{parse.GetValue(format)}' is not a pair format; use {ReleaseFormats.AllNames(pairwise: true)}.");
            }
            await using var scratch = await ScratchDatabase.CreateAsync(cli, parse.GetValue(provider)!, parse.GetValue(connection), ct);
            var result = await RunAsync(cli, scratch, n, f, parquet, ct);
            cli.Out.WriteLine(JsonSerializer.Serialize(result, Json));
            return PortalCli.Ok;
        });
        return command;
    }

    internal static async Task<ExportBenchResult> RunAsync(CliContext cli, ScratchDatabase scratch, int pairs, ExportFormat format, bool parquet, CancellationToken ct)
    {
        await using var services = cli.Services(scratch.Settings);
        var factory = services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await Migrator.MigrateAsync(factory, ct);
        var insert = Stopwatch.StartNew();
        var (tenantId, release) = await SeedAsync(cli, factory, pairs, ct);
        insert.Stop();

        var exporter = services.GetRequiredService<ReleaseExporter>();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        long peakManaged = baseline, peakWorkingSet = 0;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            using var process = Process.GetCurrentProcess();
            while (!stop.IsCancellationRequested)
            {
                peakManaged = Math.Max(peakManaged, GC.GetTotalMemory(false));
                process.Refresh();
                peakWorkingSet = Math.Max(peakWorkingSet, process.WorkingSet64);
                try
                {
                    await Task.Delay(10, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }, CancellationToken.None);

        using var progress = new ProgressLine(cli.Error, "bench export");
        await using var sink = new ContentHashStream(Stream.Null);
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();
        await exporter.WriteAsync(tenantId, release, format, keepTies: false, parquet, sink, r => progress.Report((double)r / pairs), ct);
        watch.Stop();
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        await stop.CancelAsync();
        await sampler;
        progress.Done();

        const double Mb = 1024 * 1024;
        var seconds = watch.Elapsed.TotalSeconds;
        return new ExportBenchResult(scratch.Provider, ReleaseFormats.NameOf(format, parquet), pairs, sink.BytesWritten, Math.Round(insert.Elapsed.TotalSeconds, 2),
            Math.Round(seconds, 3), Math.Round(pairs / seconds), Math.Round(sink.BytesWritten / Mb / seconds, 1), Math.Round(baseline / Mb, 1),
            Math.Round(peakManaged / Mb, 1), Math.Round((peakManaged - baseline) / Mb, 1), Math.Round(peakWorkingSet / Mb, 1), sink.Finish())
        {
            AllocatedMb = Math.Round(allocated / Mb, 1),
        };
    }

    /// <summary>An organisation, a project and a ready release of <paramref name="pairs"/> frozen rows, inserted in batches.</summary>
    private static async Task<(Guid TenantId, Release Release)> SeedAsync(CliContext cli, IDbContextFactory<PortalDbContext> factory, int pairs, CancellationToken ct)
    {
        var org = new Organisation { Name = "Bench " + Guid.NewGuid().ToString("N"), CreatedAt = DateTime.UtcNow };
        var project = new Project { TenantId = org.Id, Name = "Bench pairs", Kind = ProjectKind.Pairwise, CreatedAt = DateTime.UtcNow };
        var release = new Release
        {
            TenantId = org.Id,
            ProjectId = project.Id,
            Name = "bench",
            Status = ReleaseStatus.Ready,
            Pairwise = true,
            Items = pairs,
            StatsJson = JsonSerializer.Serialize(new ReleaseStats { Layout = ReleaseStats.CurrentLayout }, JsonSerializerOptions.Web),
            CreatedAt = DateTime.UtcNow,
            CompletedAt = DateTime.UtcNow,
        };
        await using (var db = factory.CreateForTenant(org.Id))
        {
            db.Organisations.Add(org);
            db.Projects.Add(project);
            db.Releases.Add(release);
            await db.SaveChangesAsync(ct);
        }

        var salt = Pseudonyms.NewSalt();
        var annotators = Enumerable.Range(0, 40).Select(i => Pseudonyms.For(salt, $"annotator-{i}").Value).ToArray();
        var random = new Random(7);
        var words = "the a model answer question helpful clear because therefore however example result data training reward policy value".Split(' ');
        string Text(int count) => string.Join(' ', Enumerable.Range(0, count).Select(_ => words[random.Next(words.Length)]));
        using var progress = new ProgressLine(cli.Error, "bench export: seeding");
        const int Batch = 5000;
        for (var start = 0; start < pairs; start += Batch)
        {
            await using var db = factory.CreateForTenant(org.Id);
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            for (var i = start; i < Math.Min(pairs, start + Batch); i++)
            {
                db.ReleaseRows.Add(new ReleaseRow
                {
                    ReleaseId = release.Id,
                    Ordinal = i + 1,
                    ItemId = Guid.CreateVersion7(),
                    ExternalId = $"pair-{i:D7}",
                    ConversationJson = JsonSerializer.Serialize(new[] { new { role = "user", content = Text(20) + "?" } }),
                    ResponseA = Text(60),
                    ResponseB = Text(60),
                    Choice = i % 4 == 0 ? PreferenceChoice.B : PreferenceChoice.A,
                    LabelSource = CuratedLabelSource.Human,
                    Strength = 1.5,
                    Ratings = 3,
                    Agreement = 2 / 3.0,
                    Aggregation = AggregationMethod.MajorityVote.ToExportName(),
                    GuidelineVersion = 1,
                    ALeft = 2,
                    BLeft = 1,
                    AnnotatorsJson = JsonSerializer.Serialize(new[] { annotators[i % 40], annotators[(i + 11) % 40], annotators[(i + 23) % 40] }.Order(StringComparer.Ordinal)),
                });
            }

            await db.SaveChangesAsync(ct);
            progress.Report((double)Math.Min(pairs, start + Batch) / pairs);
        }

        return (org.Id, release);
    }
}
