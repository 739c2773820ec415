using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Annotations;
using Portal.App.Features.Import;
using Portal.App.Features.Organisations;
using Portal.App.Jobs;
using Portal.Core.Rlthf;

namespace Portal.Cli.Commands;

/// <summary>What another organisation's annotator saw while the import ran: next-task and submit times, and failures.</summary>
public sealed record ImportNeighbour(int Tasks, Percentiles NextTaskMs, double NextTaskMaxMs, Percentiles SubmitMs, int Errors, IReadOnlyList<string> FirstErrors);

/// <param name="StagingSeconds">Reading the file and writing it to the staging table, batch by batch.</param>
/// <param name="PublishSeconds">The one transaction that publishes the staged rows (SQLite's write lock is held for this long).</param>
/// <param name="TidySeconds">Deleting the staged rows (in short transactions) and refreshing the planner's statistics.</param>
/// <param name="CpuSeconds">The bench process's processor time during the import (the database server's not included).</param>
public sealed record ImportBenchResult(string Provider, int Pairs, long FileBytes, double Seconds, double ItemsPerSecond, double StagingSeconds, double PublishSeconds,
    double TidySeconds, double CpuSeconds, double BaselineManagedMb, double PeakManagedMb, double PeakWorkingSetMb, int Added, ImportNeighbour? Neighbour);

/// <summary>
/// <c>portal bench import</c>: a synthetic TRL file of N pairs (<c>portal synth</c>'s) imported into a scratch project through
/// <see cref="ItemImportService"/>, the code behind the import job, while a sampler records the managed heap and the working
/// set. With <c>--neighbour</c>, an annotator of another organisation asks for tasks and answers them for as long as the import
/// runs (in process, through <see cref="TaskService"/>), and the next-task times are reported. Prints one JSON object.
/// </summary>
public static class ImportBench
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static Command Command(CliContext cli)
    {
        var pairs = new Option<int>("--pairs") { Description = "Pairs in the file.", DefaultValueFactory = _ => 1_000_000 };
        var provider = new Option<string>("--provider") { Description = "sqlite (a temporary file) or postgres (a new database on the server).", DefaultValueFactory = _ => "sqlite" };
        var connection = new Option<string?>("--connection") { Description = "PostgreSQL: the server to create the scratch database on." };
        var neighbour = new Option<bool>("--neighbour") { Description = "Another organisation's annotator works through the import; report their next-task times." };
        var keep = new Option<bool>("--keep") { Description = "Keep the scratch database (printed to stderr), to look at the imported rows and the query plans." };
        var command = new Command("import", "Imports N synthetic pairs into a scratch project; prints items/s and peak memory (and a neighbour's task times) as JSON.")
        {
            pairs, provider, connection, neighbour, keep,
        };
        command.SetAction(async (parse, ct) =>
        {
            var n = parse.GetValue(pairs);
            if (n < 1)
            {
                throw new CliUsageException($"--pairs must be at least 1, not {n}.");
            }

            await using var scratch = await ScratchDatabase.CreateAsync(cli, parse.GetValue(provider)!, parse.GetValue(connection), ct);
            scratch.Keep = parse.GetValue(keep);
            if (scratch.Keep)
            {
                cli.Error.WriteLine($"bench import: the database stays: {scratch.Location}");
            }

            var result = await RunAsync(cli, scratch, n, parse.GetValue(neighbour), ct);
            cli.Out.WriteLine(JsonSerializer.Serialize(result, Json));
            return PortalCli.Ok;
        });
        return command;
    }

    internal static async Task<ImportBenchResult> RunAsync(CliContext cli, ScratchDatabase scratch, int pairs, bool withNeighbour, CancellationToken ct)
    {
        await using var services = cli.Services(scratch.Settings);
        var factory = services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await Migrator.MigrateAsync(factory, ct);
        var organisations = services.GetRequiredService<OrganisationService>();
        var org = await organisations.CreateOrganisationAsync("bench import " + Guid.NewGuid().ToString("N")[..8], ct);
        var project = new Project { Name = "Imported", Kind = ProjectKind.Pairwise, CreatedAt = DateTime.UtcNow };
        await using (var db = factory.CreateForTenant(org.Id))
        {
            db.Projects.Add(project);
            await db.SaveChangesAsync(ct);
        }

        var file = Path.Combine(Path.GetTempPath(), $"portal-bench-import-{Guid.NewGuid():N}.jsonl");
        try
        {
            await using (var writer = new StreamWriter(file))
            {
                SyntheticPairs.Write(writer, pairs, seed: 7);
            }

            var neighbour = withNeighbour ? await Neighbour.SetUpAsync(services, factory, ct) : null;
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
            var working = neighbour?.WorkAsync(services, stop.Token) ?? Task.CompletedTask;

            using var line = new ProgressLine(cli.Error, "bench import");
            var progress = new PhaseProgress(line);
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            await using var scope = services.CreateAsyncScope();
            var result = await scope.ServiceProvider.GetRequiredService<ItemImportService>()
                .ImportAsync(org.Id, project.Id, file, "bench.jsonl", progress, ct);
            watch.Stop();
            cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            await stop.CancelAsync();
            await sampler;
            await working;
            line.Done();

            const double Mb = 1024 * 1024;
            var seconds = watch.Elapsed.TotalSeconds;
            var staging = progress.PublishStarted?.TotalSeconds ?? seconds;
            var published = progress.PublishEnded?.TotalSeconds ?? seconds;
            return new ImportBenchResult(scratch.Provider, pairs, new FileInfo(file).Length, Math.Round(seconds, 2), Math.Round(result.Added / seconds),
                Math.Round(staging, 2), Math.Round(published - staging, 2), Math.Round(seconds - published, 2), Math.Round(cpu.TotalSeconds, 2),
                Math.Round(baseline / Mb, 1), Math.Round(peakManaged / Mb, 1), Math.Round(peakWorkingSet / Mb, 1), result.Added, neighbour?.Summary());
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Notes when the import starts publishing (its 96 % report) and when the publish has committed (98 %).</summary>
    private sealed class PhaseProgress(ProgressLine line) : IJobProgress
    {
        private readonly Stopwatch _watch = Stopwatch.StartNew();

        public TimeSpan? PublishStarted { get; private set; }

        public TimeSpan? PublishEnded { get; private set; }

        public ValueTask ReportAsync(int percent, string? message = null)
        {
            if (percent >= 96 && PublishStarted is null)
            {
                PublishStarted = _watch.Elapsed;
            }
            else if (percent >= 98 && PublishEnded is null)
            {
                PublishEnded = _watch.Elapsed;
            }

            line.Report(percent / 100.0);
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Another organisation with a project of its own and one annotator, who works while the import runs.</summary>
    private sealed class Neighbour(Guid orgId, Guid projectId, Guid annotatorId)
    {
        private readonly ConcurrentQueue<double> _next = new();
        private readonly ConcurrentQueue<double> _submit = new();
        private readonly ConcurrentQueue<string> _errors = new();

        public static async Task<Neighbour> SetUpAsync(ServiceProvider services, IDbContextFactory<PortalDbContext> factory, CancellationToken ct)
        {
            var org = await services.GetRequiredService<OrganisationService>().CreateOrganisationAsync("bench neighbour " + Guid.NewGuid().ToString("N")[..8], ct);
            var now = DateTime.UtcNow;
            await using var db = factory.CreateForTenant(org.Id);
            var project = new Project
            {
                Name = "Neighbour",
                Kind = ProjectKind.Pairwise,
                Overlap = 1,
                Settings = ProjectSettings.Default with { Gold = new GoldOptions { Rate = 0 } },
                CreatedAt = now,
            };
            db.Projects.Add(project);
            for (var i = 0; i < 20_000; i++)
            {
                db.Items.Add(new Item
                {
                    ProjectId = project.Id,
                    ExternalId = $"n-{i}",
                    ConversationJson = JsonSerializer.Serialize(new[] { new { role = "user", content = $"Question {i}" } }),
                    ResponseA = $"First answer to question {i}.",
                    ResponseB = $"Second answer to question {i}.",
                    CreatedAt = now,
                });
            }

            var email = $"annotator@{org.Id:N}.bench";
            var user = new PortalUser
            {
                UserName = email,
                NormalizedUserName = email.ToUpperInvariant(),
                Email = email,
                NormalizedEmail = email.ToUpperInvariant(),
                EmailConfirmed = true,
                SecurityStamp = Guid.NewGuid().ToString("N"),
                DisplayName = "Neighbour",
                CreatedAt = now,
            };
            db.Users.Add(user);
            db.Memberships.Add(new Membership { UserId = user.Id, Roles = OrgRoles.Annotator, CreatedAt = now });
            await db.SaveChangesAsync(ct);
            await db.Database.ExecuteSqlRawAsync("ANALYZE", ct);
            return new Neighbour(org.Id, project.Id, user.Id);
        }

        /// <summary>Next task, answer, and again, until <paramref name="stop"/>; each failure is counted, none stops the loop.</summary>
        public async Task WorkAsync(ServiceProvider services, CancellationToken stop)
        {
            await Task.Yield();
            var random = new Random(3);
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await using var scope = services.CreateAsyncScope();
                    var tasks = scope.ServiceProvider.GetRequiredService<TaskService>();
                    var watch = Stopwatch.StartNew();
                    var result = await tasks.NextAsync(orgId, projectId, annotatorId, CancellationToken.None);
                    _next.Enqueue(watch.Elapsed.TotalMilliseconds);
                    if (result?.Task is not { } task)
                    {
                        return;
                    }

                    watch.Restart();
                    await tasks.SubmitAsync(orgId, task.AssignmentId, annotatorId,
                        new AnnotationInput(Guid.NewGuid().ToString("N"), Choice: random.Next(2) == 0 ? ShownChoice.Left : ShownChoice.Right, Strength: 1, TimeOnTaskMs: 10_000),
                        CancellationToken.None);
                    _submit.Enqueue(watch.Elapsed.TotalMilliseconds);

                    // A quick bot rather than a tight loop: the import keeps the machine's cores it would have in use.
                    await Task.Delay(50, stop);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    _errors.Enqueue($"{ex.GetType().Name}: {ex.Message}");
                }
            }
        }

        public ImportNeighbour Summary() =>
            new(_submit.Count, Summarise(_next), Math.Round(_next.DefaultIfEmpty().Max(), 2), Summarise(_submit), _errors.Count, [.. _errors.Distinct().Take(5)]);

        /// <summary>Nearest-rank percentiles, in milliseconds to 0.01.</summary>
        private static Percentiles Summarise(IEnumerable<double> samples)
        {
            var sorted = samples.Order().ToArray();
            double At(double p) => sorted.Length == 0 ? 0 : Math.Round(sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1)], 2);
            return new Percentiles(At(0.50), At(0.95), At(0.99));
        }
    }
}
