using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Quality;
using Portal.Core.Aggregation;

namespace Portal.Cli.Commands;

/// <summary>One timed recompute: wall time, this process's CPU time and allocations, and the peaks sampled while it ran.</summary>
public sealed record RecomputeTiming(bool Full, double Seconds, double CpuSeconds, double AllocatedMb, double PeakManagedMb, double PeakWorkingSetMb,
    int ItemsRead, int AnnotationsRead, string LoadAverage);

public sealed record QualityBenchResult(string Provider, int Annotations, int Items, int Annotators, double SeedSeconds, RecomputeTiming Full,
    int NewAnnotations, RecomputeTiming Incremental);

/// <summary>
/// <c>portal bench quality</c>: a pairwise project of N annotations (300 annotators, overlap 3) in a scratch database, then
/// a full quality recompute, then 1,000 new annotations (a fourth rating on 1,000 items) and an incremental recompute,
/// each timed with its peak managed heap and working set. Prints one JSON object.
/// </summary>
public static class QualityBench
{
    private const int AnnotatorCount = 300;
    private const int Overlap = 3;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static Command Command(CliContext cli)
    {
        var annotations = new Option<int>("--annotations") { Description = "Annotations in the project (items = annotations / 3).", DefaultValueFactory = _ => 100_000 };
        var added = new Option<int>("--new") { Description = "Annotations added before the incremental recompute.", DefaultValueFactory = _ => 1_000 };
        var provider = new Option<string>("--provider") { Description = "sqlite (a temporary file) or postgres (a new database on the server).", DefaultValueFactory = _ => "sqlite" };
        var connection = new Option<string?>("--connection") { Description = "PostgreSQL: the server to create the scratch database on." };
        var command = new Command("quality", "Times a full and an incremental quality recompute on a project of N annotations; prints JSON.")
        {
            annotations, added, provider, connection,
        };
        command.SetAction(async (parse, ct) =>
        {
            var n = parse.GetValue(annotations);
            var k = parse.GetValue(added);
            if (n < Overlap * 2 || k < 1 || k > n / Overlap)
            {
                throw new CliUsageException("--annotations must be at least 6, and --new from 1 to a third of --annotations.");
            }

            await using var scratch = await ScratchDatabase.CreateAsync(cli, parse.GetValue(provider)!, parse.GetValue(connection), ct);
            var result = await RunAsync(cli, scratch, n, k, ct);
            cli.Out.WriteLine(JsonSerializer.Serialize(result, Json));
            return PortalCli.Ok;
        });
        return command;
    }

    internal static async Task<QualityBenchResult> RunAsync(CliContext cli, ScratchDatabase scratch, int annotations, int added, CancellationToken ct)
    {
        await using var services = cli.Services(scratch.Settings);
        var factory = services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await Migrator.MigrateAsync(factory, ct);
        var seed = Stopwatch.StartNew();
        var (orgId, projectId, items, annotators) = await SeedAsync(cli, factory, annotations, ct);
        seed.Stop();

        var quality = services.GetRequiredService<QualityService>();
        var full = await TimeAsync(() => quality.RecomputeFullAsync(orgId, projectId, null, null, ct));
        await AddAsync(factory, orgId, projectId, items, annotators, added, ct);
        var incremental = await TimeAsync(() => quality.RecomputeWithOutcomeAsync(orgId, projectId, null, ct));
        return new QualityBenchResult(scratch.Provider, annotations, items.Count, annotators.Length, Math.Round(seed.Elapsed.TotalSeconds, 1), full, added, incremental);
    }

    /// <summary>Runs a recompute after a full collection, sampling the managed heap and working set every 10 ms.</summary>
    private static async Task<RecomputeTiming> TimeAsync(Func<Task<RecomputeOutcome>> recompute)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        long peakManaged = GC.GetTotalMemory(false), peakWorkingSet = Environment.WorkingSet;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peakManaged = Math.Max(peakManaged, GC.GetTotalMemory(false));
                peakWorkingSet = Math.Max(peakWorkingSet, Environment.WorkingSet);
                await Task.Delay(10, CancellationToken.None);
            }
        }, CancellationToken.None);
        var load = LoadAverage();
        process.Refresh();
        var cpu = process.TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes(true);
        var watch = Stopwatch.StartNew();
        var outcome = await recompute();
        watch.Stop();
        var allocatedAfter = GC.GetTotalAllocatedBytes(true);
        process.Refresh();
        var cpuAfter = process.TotalProcessorTime;
        await sampling.CancelAsync();
        await sampler;
        return new RecomputeTiming(outcome.Full, Math.Round(watch.Elapsed.TotalSeconds, 2), Math.Round((cpuAfter - cpu).TotalSeconds, 2),
            Mb(allocatedAfter - allocated), Mb(peakManaged), Mb(peakWorkingSet), outcome.ItemsRead, outcome.AnnotationsRead, load + " → " + LoadAverage());
    }

    private static double Mb(long bytes) => Math.Round(bytes / 1048576.0, 1);

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>
    /// An organisation and a pairwise project of annotations / 3 items, each rated by three of 300 annotators, inserted in
    /// batches of 6,000 rows with change tracking off. Each item has a preferred side that an annotator picks 80% of the time;
    /// answers spread over the last ten weeks, times on task from 2 to 60 s.
    /// </summary>
    private static async Task<(Guid OrgId, Guid ProjectId, List<Guid> Items, Guid[] Annotators)> SeedAsync(
        CliContext cli, IDbContextFactory<PortalDbContext> factory, int annotations, CancellationToken ct)
    {
        var now = DateTime.UtcNow;
        var random = new Random(18);
        var org = new Organisation { Name = "Bench " + Guid.NewGuid().ToString("N"), CreatedAt = now };
        var project = new Project { TenantId = org.Id, Name = "Bench quality", Kind = ProjectKind.Pairwise, Overlap = Overlap, CreatedAt = now };
        await using (var db = factory.CreateForTenant(org.Id))
        {
            db.Organisations.Add(org);
            db.Projects.Add(project);
            await db.SaveChangesAsync(ct);
        }

        var annotators = Enumerable.Range(0, AnnotatorCount).Select(_ => Guid.CreateVersion7()).ToArray();
        var itemCount = annotations / Overlap;
        var ids = new List<Guid>(itemCount);
        var start = now.AddDays(-70);
        var step = (now.AddHours(-1) - start).Ticks / itemCount;
        using var progress = new ProgressLine(cli.Error, "bench quality: seeding");
        const int Batch = 2000;
        for (var first = 0; first < itemCount; first += Batch)
        {
            await using var db = factory.CreateForTenant(org.Id);
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            for (var i = first; i < Math.Min(itemCount, first + Batch); i++)
            {
                var item = new Item
                {
                    TenantId = org.Id,
                    ProjectId = project.Id,
                    ExternalId = "item-" + i.ToString("D7", CultureInfo.InvariantCulture),
                    ResponseA = "First answer " + i.ToString(CultureInfo.InvariantCulture),
                    ResponseB = "Second answer " + i.ToString(CultureInfo.InvariantCulture),
                    Claimed = Overlap,
                    CreatedAt = now,
                };
                db.Items.Add(item);
                ids.Add(item.Id);
                var preferred = random.Next(2) == 0 ? PreferenceChoice.A : PreferenceChoice.B;
                for (var k = 0; k < Overlap; k++)
                {
                    db.Annotations.Add(Answer(org.Id, project.Id, item.Id, annotators[(i + (k * 101)) % AnnotatorCount], preferred, random,
                        start.AddTicks((step * i) + (k * 1000))));
                }
            }

            await db.SaveChangesAsync(ct);
            progress.Report((double)Math.Min(itemCount, first + Batch) / itemCount);
        }

        progress.Done();
        await using (var db = factory.CreateForTenant(org.Id))
        {
            await DatabaseStatistics.RefreshAsync(db.Database, "Items", ct);
            await DatabaseStatistics.RefreshAsync(db.Database, "Annotations", ct);
        }

        return (org.Id, project.Id, ids, annotators);
    }

    /// <summary>New annotations as submits make them (now): a fourth rating on items spread over the project.</summary>
    private static async Task AddAsync(IDbContextFactory<PortalDbContext> factory, Guid orgId, Guid projectId, List<Guid> items, Guid[] annotators, int count, CancellationToken ct)
    {
        var random = new Random(19);
        await using var db = factory.CreateForTenant(orgId);
        var now = DateTime.UtcNow;
        var stride = items.Count / count;
        for (var j = 0; j < count; j++)
        {
            var i = j * stride;

            // The overlap puts annotators i, i + 101 and i + 202 on item i; i + 50 is none of them.
            db.Annotations.Add(Answer(orgId, projectId, items[i], annotators[(i + 50) % AnnotatorCount], random.Next(2) == 0 ? PreferenceChoice.A : PreferenceChoice.B,
                random, now.AddTicks(j)));
        }

        await db.SaveChangesAsync(ct);
    }

    private static Annotation Answer(Guid orgId, Guid projectId, Guid itemId, Guid annotatorId, PreferenceChoice preferred, Random random, DateTime at)
    {
        var roll = random.NextDouble();
        var choice = roll < 0.8 ? preferred : roll < 0.9 ? (preferred == PreferenceChoice.A ? PreferenceChoice.B : PreferenceChoice.A) : PreferenceChoice.Tie;
        return new Annotation
        {
            TenantId = orgId,
            ProjectId = projectId,
            ItemId = itemId,
            AnnotatorId = annotatorId,
            IdempotencyKey = Guid.NewGuid().ToString("N"),
            Choice = choice,
            Strength = choice == PreferenceChoice.Tie ? null : random.Next(1, 4),
            LeftIsA = random.Next(2) == 0,
            TimeOnTaskMs = random.Next(2_000, 60_000),
            CreatedAt = at,
        };
    }
}
