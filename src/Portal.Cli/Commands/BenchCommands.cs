using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Portal.App.Data;
using Portal.App.Features.Annotations;
using Portal.App.Features.Organisations;

namespace Portal.Cli.Commands;

/// <summary>
/// <c>portal bench tasks</c>: N simulated annotators ask for tasks and answer them at once, through <see cref="TaskService"/> (the
/// code behind the task API), on a scratch database that is thrown away afterwards. Prints one JSON object.
/// </summary>
public static class BenchCommands
{
    public static void Add(RootCommand root, CliContext cli)
    {
        var bench = new Command("bench", "Benchmarks on a scratch database (created and dropped by the command).");
        bench.Subcommands.Add(Tasks(cli));
        bench.Subcommands.Add(RoundBench.Command(cli));
        bench.Subcommands.Add(ExportBench.Command(cli));
        bench.Subcommands.Add(ItemsBench.Command(cli));
        bench.Subcommands.Add(PagesBench.Command(cli));
        bench.Subcommands.Add(ImportBench.Command(cli));
        bench.Subcommands.Add(QualityBench.Command(cli));
        root.Subcommands.Add(bench);
    }

    private static Command Tasks(CliContext cli)
    {
        var annotators = new Option<int>("--annotators") { Description = "Simulated annotators working at once.", DefaultValueFactory = _ => 10 };
        var items = new Option<int>("--items") { Description = "Items in the project.", DefaultValueFactory = _ => 100 };
        var overlap = new Option<int>("--overlap") { Description = "Distinct annotators per item.", DefaultValueFactory = _ => 3 };
        var provider = new Option<string>("--provider")
        {
            Description = "sqlite (a temporary file), postgres or sqlserver (a new database on the server).",
            DefaultValueFactory = _ => "sqlite",
        };
        var connection = new Option<string?>("--connection")
        {
            Description = "PostgreSQL or SQL Server: the server to create the scratch database on (default: ConnectionStrings:Postgres or "
                + "ConnectionStrings:SqlServer). Not used with sqlite.",
        };
        var seed = new Option<int>("--seed") { Description = "Seeds the simulated answers.", DefaultValueFactory = _ => 1 };
        var warmup = new Option<int>("--warmup-items")
        {
            Description = "Items of a warm-up project the same annotators work through first, unmeasured, so that the measured run sees "
                + "the JIT-compiled code a running portal has (0: measure a cold process).",
            DefaultValueFactory = _ => 200,
        };
        var rate = new Option<double>("--rate")
        {
            Description = "Tasks per second the annotators together offer (0: none, a closed loop without think time, which measures "
                + "capacity). Each annotator then asks on a schedule of its own, a random think time (exponential, mean annotators / rate "
                + "seconds) after its previous scheduled ask, whether or not the engine kept up (open loop), so latencies are those seen "
                + "at that offered rate.",
            DefaultValueFactory = _ => 0,
        };
        var command = new Command("tasks",
            "N annotators each loop next task + submit through TaskService, the same code the API calls, until nothing is left. "
            + "Prints one JSON object (throughput, latency percentiles, round trips, checks); progress goes to stderr.")
        {
            annotators, items, overlap, provider, connection, seed, warmup, rate,
        };
        command.SetAction(async (parse, ct) =>
        {
            var options = new TaskBenchOptions(
                AtLeast(parse.GetValue(annotators), 1, "--annotators"),
                AtLeast(parse.GetValue(items), 1, "--items"),
                AtLeast(parse.GetValue(overlap), 1, "--overlap"),
                parse.GetValue(seed))
            {
                WarmupItems = Math.Max(0, parse.GetValue(warmup)),
                Rate = parse.GetValue(rate) is var r && r >= 0 && double.IsFinite(r)
                    ? r
                    : throw new CliUsageException($"--rate must be 0 (no think time) or a positive number of tasks per second, not {parse.GetValue(rate)}."),
            };
            await using var scratch = await ScratchDatabase.CreateAsync(cli, parse.GetValue(provider)!, parse.GetValue(connection), ct);
            var result = await TaskBench.RunAsync(cli, scratch, options, ct);
            cli.Out.WriteLine(JsonSerializer.Serialize(result, Json));
            return result.Checks.Passed ? PortalCli.Ok : PortalCli.Failed;
        });
        return command;
    }

    private static int AtLeast(int value, int min, string option) =>
        value >= min ? value : throw new CliUsageException($"{option} must be at least {min}, not {value}.");

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}

public sealed record TaskBenchOptions(int Annotators, int Items, int Overlap, int Seed)
{
    /// <summary>Items of the unmeasured warm-up project (0: none).</summary>
    public int WarmupItems { get; init; }

    /// <summary>Tasks per second offered by all annotators together; 0 for a closed loop without think time (capacity).</summary>
    public double Rate { get; init; }
}

public sealed record Percentiles(double P50, double P95, double P99);

/// <summary>
/// What the database says after the run. <see cref="ExpectedPerItem"/> is the overlap, or the number of annotators when there
/// are fewer of them (nobody rates an item twice).
/// </summary>
public sealed record BenchChecks(
    int ExpectedPerItem,
    int MaxAnnotationsPerItem,
    int MinAnnotationsPerItem,
    int ItemsOffTarget,
    int ItemsOverOverlap,
    int DuplicateRatings,
    bool AnnotationsMatchSubmits,
    int LostAnswers,
    int ClaimCountersOff,
    int Errors,
    bool Passed);

/// <summary>
/// Database round trips (see <see cref="RoundTripCounter"/>): of one next task and of one submit by a lone annotator who has
/// worked in the project before (the steady state), and per stored answer over the whole run (retries, expiry checks and the
/// last "nothing left" included).
/// </summary>
public sealed record RoundTrips(int Next, int Submit, double PerTaskInRun);

public sealed record TaskBenchResult(
    string Provider,
    string Through,
    int Annotators,
    int Items,
    int Overlap,
    int Annotations,
    double Seconds,
    double Throughput,
    Percentiles NextMs,
    Percentiles SubmitMs,
    RoundTrips RoundTrips,
    BenchChecks Checks,
    IReadOnlyList<string> FirstErrors)
{
    /// <summary>CPU and allocations per stored answer (load-independent, unlike the rate and latencies).</summary>
    public CostPerAnswer? PerAnswer { get; init; }

    /// <summary>The load average (1, 5, 15 minutes) when the run started and when it ended, as /proc/loadavg says.</summary>
    public string? Load { get; init; }

    /// <summary>The unmeasured warm-up: rounds run, items per round times rounds, methods the JIT compiled in the last round.</summary>
    public WarmupSummary? Warmup { get; init; }

    /// <summary>With <c>--rate</c>: the offered rate, the mean think time, and asks that started late (the engine behind).</summary>
    public PacingSummary? Pacing { get; init; }
}

public sealed record WarmupSummary(int Rounds, int Items, long JitCompiledInLastRound);

/// <summary>An open-loop run: <see cref="LateAsks"/> counts asks that started over 10 ms after their scheduled time.</summary>
public sealed record PacingSummary(double OfferedRate, double MeanThinkMs, int LateAsks);

internal static class TaskBench
{
    public static async Task<TaskBenchResult> RunAsync(CliContext cli, ScratchDatabase scratch, TaskBenchOptions options, CancellationToken ct)
    {
        await using var services = cli.Services(scratch.Settings);
        var factory = services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await Migrator.MigrateAsync(factory, ct);
        var (orgId, projectId, annotatorIds) = await SetUpAsync(services, factory, options, ct);

        // The engine runs on contexts that count their round trips; the set-up and the checks do not.
        var database = services.GetRequiredService<DatabaseOptions>();
        var counter = new RoundTripCounter(beginIsSeparate: database.Provider != DatabaseProvider.Postgres);
        var counted = new CountingFactory(database, counter);
        var engine = new TaskService(counted, services.GetRequiredService<TimeProvider>());

        var expectedPerItem = Math.Min(options.Overlap, options.Annotators);
        var target = options.Items * expectedPerItem;
        var next = new ConcurrentQueue<double>();
        var submit = new ConcurrentQueue<double>();
        var errors = new ConcurrentQueue<string>();
        var stored = new ConcurrentQueue<Guid>();
        var submitted = 0;
        using var progress = new ProgressLine(cli.Error, "bench tasks");

        // Warm-up: the same annotators work through a project of their own first, unmeasured, so that the run below measures
        // the steady state of a portal that has been serving for a while (tiered JIT done), not the first minute of a process.
        // Paced: each annotator asks on its own schedule, a think time after its previous scheduled ask (exponential, so the
        // annotators together offer a Poisson stream of `Rate` asks per second), late asks going at once without moving the
        // schedule: the offered rate does not drop when the engine is slow (an open loop), so slowness shows in the latencies.
        var meanThinkMs = options.Rate > 0 ? options.Annotators * 1000.0 / options.Rate : 0;
        var lateAsks = 0;
        var runClock = Stopwatch.StartNew();

        // Rounds of warm-up projects (unpaced) until one round leaves the JIT nearly quiet: tiered compilation re-compiles hot
        // methods in the background after they have been called enough, so one round is not enough (8,000 methods were still
        // compiled in the measured run after a single 200-item round).
        var measuring = false;
        var paced = false;
        var warmupRounds = 0;
        long warmupLastJit = 0;
        while (options.WarmupItems > 0 && warmupRounds < MaxWarmupRounds)
        {
            var jitBefore = System.Runtime.JitInfo.GetCompiledMethodCount();
            var warmupProject = await AddProjectAsync(factory, orgId, $"Warm-up {warmupRounds + 1}", options.WarmupItems, options.Overlap, ct);
            await Task.WhenAll(annotatorIds.Select((id, i) => Task.Run(() => AnnotateAsync(warmupProject, id, -1 - i - (warmupRounds * options.Annotators)), ct)));
            warmupRounds++;
            warmupLastJit = System.Runtime.JitInfo.GetCompiledMethodCount() - jitBefore;
            if (warmupLastJit <= QuietJit)
            {
                break;
            }
        }

        // Warm-up errors stay counted: they are the engine's errors too.
        submitted = 0;
        next.Clear();
        submit.Clear();
        stored.Clear();
        measuring = true;
        paced = options.Rate > 0;


        async Task AnnotateAsync(Guid project, Guid annotatorId, int index)
        {
            var random = new Random(HashCode.Combine(options.Seed, index));
            var failures = 0;
            var dueMs = paced ? runClock.Elapsed.TotalMilliseconds + Think(random) : 0;
            while (failures < 5)
            {
                ct.ThrowIfCancellationRequested();
                try
                {
                    var tasks = engine;
                    if (paced)
                    {
                        var wait = dueMs - runClock.Elapsed.TotalMilliseconds;
                        if (wait > 1)
                        {
                            await Task.Delay(TimeSpan.FromMilliseconds(wait), ct);
                        }
                        else if (wait < -LateMs)
                        {
                            Interlocked.Increment(ref lateAsks);
                        }

                        dueMs += Think(random);
                    }

                    var watch = Stopwatch.StartNew();
                    var result = await tasks.NextAsync(orgId, project, annotatorId, ct);
                    next.Enqueue(watch.Elapsed.TotalMilliseconds);
                    if (result?.Task is not { } task)
                    {
                        return;
                    }

                    var input = new AnnotationInput(
                        Guid.NewGuid().ToString("N"),
                        Choice: random.Next(2) == 0 ? ShownChoice.Left : ShownChoice.Right,
                        Strength: random.Next(1, 4),
                        TimeOnTaskMs: random.Next(5_000, 60_000));
                    watch.Restart();
                    var answer = await tasks.SubmitAsync(orgId, task.AssignmentId, annotatorId, input, ct);
                    stored.Enqueue(answer.AnnotationId);
                    submit.Enqueue(watch.Elapsed.TotalMilliseconds);
                    var done = Interlocked.Increment(ref submitted);
                    if (measuring)
                    {
                        progress.Report((double)done / target);
                    }

                    failures = 0;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    failures++;
                    errors.Enqueue($"{ex.GetType().Name}: {ex.Message}");
                }
            }
        }

        double Think(Random random) => -meanThinkMs * Math.Log(1 - random.NextDouble());

        var loadBefore = LoadAverage();
        var meter = await CostMeter.StartAsync(
            database.Provider == DatabaseProvider.Postgres ? database.ConnectionString : null, ct);
        var tripsBefore = counter.Count;
        var clock = Stopwatch.StartNew();
        runClock.Restart();
        await Task.WhenAll(annotatorIds.Select((id, i) => Task.Run(() => AnnotateAsync(projectId, id, i), ct)));
        var seconds = clock.Elapsed.TotalSeconds;
        var tripsInRun = counter.Count - tripsBefore;
        var costs = meter.Stop(submitted);
        var load = loadBefore is null ? null : $"{loadBefore} → {LoadAverage()}";
        progress.Done();

        var checks = await CheckAsync(factory, orgId, projectId, options, expectedPerItem, submitted, stored, errors.Count, ct);
        var (nextTrips, submitTrips) = await ProbeRoundTripsAsync(factory, engine, counter, orgId, annotatorIds[0], ct);
        return new TaskBenchResult(
            scratch.Provider,
            "TaskService.NextAsync and SubmitAsync in process: the code behind GET .../tasks/next and POST .../annotation, without HTTP",
            options.Annotators,
            options.Items,
            options.Overlap,
            submitted,
            Math.Round(seconds, 3),
            Math.Round(submitted / seconds, 1),
            Summarise(next),
            Summarise(submit),
            new RoundTrips(nextTrips, submitTrips, submitted == 0 ? 0 : Math.Round((double)tripsInRun / submitted, 2)),
            checks,
            [.. errors.Distinct().Take(5)])
        {
            PerAnswer = costs,
            Load = load,
            Warmup = new WarmupSummary(warmupRounds, warmupRounds * options.WarmupItems, warmupLastJit),
            Pacing = options.Rate > 0 ? new PacingSummary(options.Rate, Math.Round(meanThinkMs, 1), lateAsks) : null,
        };
    }

    /// <summary>Warm-up rounds at most, and JIT-compiled methods in a round below which the JIT counts as quiet.</summary>
    private const int MaxWarmupRounds = 8;

    private const long QuietJit = 100;

    /// <summary>An ask that starts this much after its scheduled time counts as late (the engine did not keep up).</summary>
    private const double LateMs = 10;

    private static string? LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>A throwaway organisation, a pairwise project with its items, and annotators written directly (no passwords to hash).</summary>
    private static async Task<(Guid OrgId, Guid ProjectId, IReadOnlyList<Guid> Annotators)> SetUpAsync(
        ServiceProvider services, IDbContextFactory<PortalDbContext> factory, TaskBenchOptions options, CancellationToken ct)
    {
        var org = await services.GetRequiredService<OrganisationService>().CreateOrganisationAsync("bench " + Guid.NewGuid().ToString("N")[..8], ct);
        var now = DateTime.UtcNow;
        await using var db = factory.CreateForTenant(org.Id);
        var project = AddProject(db, "Benchmark", options.Items, options.Overlap, now);

        var annotators = new List<Guid>(options.Annotators);
        for (var i = 0; i < options.Annotators; i++)
        {
            var email = $"annotator{i}@{org.Id:N}.bench";
            var user = new PortalUser
            {
                UserName = email,
                NormalizedUserName = email.ToUpperInvariant(),
                Email = email,
                NormalizedEmail = email.ToUpperInvariant(),
                EmailConfirmed = true,
                SecurityStamp = Guid.NewGuid().ToString("N"),
                DisplayName = $"Annotator {i}",
                CreatedAt = now,
            };
            db.Users.Add(user);
            db.Memberships.Add(new Membership { UserId = user.Id, Roles = OrgRoles.Annotator, CreatedAt = now });
            annotators.Add(user.Id);
        }

        await db.SaveChangesAsync(ct);
        if (!db.Database.IsSqlite())
        {
            // A working database has planner statistics; a scratch one has none until autovacuum comes by, and without
            // them PostgreSQL picks a nested-loop plan for the next-task query that is 100 times slower. SQL Server: the same
            // statistics refresh, so both servers start alike.
            await DatabaseStatistics.RefreshAllAsync(db.Database, ct);
        }

        return (org.Id, project.Id, annotators);
    }

    /// <summary>A pairwise project of <paramref name="items"/> items in priority order 0 … 9, without gold, added to the context.</summary>
    private static Project AddProject(PortalDbContext db, string name, int items, int overlap, DateTime now)
    {
        var project = new Project
        {
            Name = name,
            Kind = ProjectKind.Pairwise,
            Overlap = overlap,
            LeaseMinutes = 30,
            Settings = ProjectSettings.Default with { Gold = new GoldOptions { Rate = 0 } },
            CreatedAt = now,
        };
        db.Projects.Add(project);
        for (var i = 0; i < items; i++)
        {
            db.Items.Add(new Item
            {
                ProjectId = project.Id,
                ExternalId = $"bench-{i}",
                ConversationJson = JsonSerializer.Serialize(new[] { new { role = "user", content = $"Question {i}" } }),
                ResponseA = $"First answer to question {i}.",
                ResponseB = $"Second answer to question {i}.",
                Priority = i % 10,
                CreatedAt = now,
            });
        }

        return project;
    }

    /// <summary>The unmeasured warm-up project, with fresh planner statistics like the measured one.</summary>
    private static async Task<Guid> AddProjectAsync(IDbContextFactory<PortalDbContext> factory, Guid orgId, string name, int items, int overlap,
        CancellationToken ct)
    {
        await using var db = factory.CreateForTenant(orgId);
        var project = AddProject(db, name, items, overlap, DateTime.UtcNow);
        await db.SaveChangesAsync(ct);
        if (!db.Database.IsSqlite())
        {
            await DatabaseStatistics.RefreshAllAsync(db.Database, ct);
        }

        return project.Id;
    }

    /// <summary>
    /// Round trips of one next task and one submit, counted alone after the run: a side project of three items, the third
    /// task of an annotator who already has a standing in it (the first task also creates that).
    /// </summary>
    private static async Task<(int Next, int Submit)> ProbeRoundTripsAsync(IDbContextFactory<PortalDbContext> factory, TaskService engine,
        RoundTripCounter counter, Guid orgId, Guid annotatorId, CancellationToken ct)
    {
        Guid projectId;
        await using (var db = factory.CreateForTenant(orgId))
        {
            var project = new Project
            {
                Name = "Round trips",
                Kind = ProjectKind.Pairwise,
                Overlap = 1,
                LeaseMinutes = 30,
                Settings = ProjectSettings.Default with { Gold = new GoldOptions { Rate = 0 } },
                CreatedAt = DateTime.UtcNow,
            };
            db.Projects.Add(project);
            for (var i = 0; i < 3; i++)
            {
                db.Items.Add(new Item
                {
                    ProjectId = project.Id,
                    ExternalId = $"probe-{i}",
                    ConversationJson = """[{"role":"user","content":"Probe"}]""",
                    ResponseA = "A",
                    ResponseB = "B",
                    CreatedAt = DateTime.UtcNow,
                });
            }

            await db.SaveChangesAsync(ct);
            projectId = project.Id;
        }

        var (next, submit) = (0, 0);
        for (var i = 0; i < 3; i++)
        {
            var before = counter.Count;
            var task = (await engine.NextAsync(orgId, projectId, annotatorId, ct))?.Task
                ?? throw new InvalidOperationException("The round-trip probe got no task.");
            var between = counter.Count;
            await engine.SubmitAsync(orgId, task.AssignmentId, annotatorId,
                new AnnotationInput(Guid.NewGuid().ToString("N"), Choice: ShownChoice.Left, Strength: 1), ct);
            (next, submit) = ((int)(between - before), (int)(counter.Count - between));
        }

        return (next, submit);
    }

    private static async Task<BenchChecks> CheckAsync(IDbContextFactory<PortalDbContext> factory, Guid orgId, Guid projectId,
        TaskBenchOptions options, int expectedPerItem, int submitted, IEnumerable<Guid> stored, int errors, CancellationToken ct)
    {
        await using var db = factory.CreateForTenant(orgId);
        var perItem = await db.Items.Where(i => i.ProjectId == projectId)
            .Select(i => new { Annotations = db.Annotations.Count(a => a.ItemId == i.Id), i.Claimed })
            .ToListAsync(ct);
        var duplicates = await db.Annotations.Where(a => a.ProjectId == projectId)
            .GroupBy(a => new { a.ItemId, a.AnnotatorId })
            .CountAsync(g => g.Count() > 1, ct);
        var found = (await db.Annotations.Where(a => a.ProjectId == projectId).Select(a => a.Id).ToListAsync(ct)).ToHashSet();
        var lost = stored.Count(id => !found.Contains(id));
        var total = perItem.Sum(i => i.Annotations);
        var offTarget = perItem.Count(i => i.Annotations != expectedPerItem);
        var overOverlap = perItem.Count(i => i.Annotations > options.Overlap);

        // Every lease was answered, so each item's claim counter must equal its annotations.
        var claimsOff = perItem.Count(i => i.Claimed != i.Annotations);
        return new BenchChecks(
            expectedPerItem,
            perItem.Max(i => i.Annotations),
            perItem.Min(i => i.Annotations),
            offTarget,
            overOverlap,
            duplicates,
            total == submitted,
            lost,
            claimsOff,
            errors,
            Passed: perItem.Count == options.Items && offTarget == 0 && overOverlap == 0 && duplicates == 0 && total == submitted
                && lost == 0 && claimsOff == 0 && errors == 0);
    }

    /// <summary>Nearest-rank percentiles, in milliseconds to 0.01.</summary>
    private static Percentiles Summarise(IEnumerable<double> samples)
    {
        var sorted = samples.Order().ToArray();
        double At(double p) => sorted.Length == 0 ? 0 : Math.Round(sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1)], 2);
        return new Percentiles(At(0.50), At(0.95), At(0.99));
    }
}

/// <summary>Contexts like the portal's own, with a <see cref="RoundTripCounter"/> listening.</summary>
internal sealed class CountingFactory : IDbContextFactory<PortalDbContext>
{
    private readonly DbContextOptions<PortalDbContext> _options;

    public CountingFactory(DatabaseOptions database, RoundTripCounter counter)
    {
        var builder = new DbContextOptionsBuilder<PortalDbContext>();
        database.Configure(builder);
        builder.AddInterceptors(counter.Interceptors);
        _options = builder.Options;
    }

    public PortalDbContext CreateDbContext() => new(_options);
}

/// <summary>
/// A database that exists for one command: a temporary SQLite file, or a new PostgreSQL or SQL Server database, dropped on
/// dispose.
/// </summary>
internal sealed class ScratchDatabase : IAsyncDisposable
{
    private readonly string? _folder;
    private readonly string? _server;
    private readonly string? _name;
    private readonly bool _sqlServer;

    private ScratchDatabase(string provider, IReadOnlyDictionary<string, string?> settings, string? folder, string? server, string? name,
        bool sqlServer = false)
    {
        _sqlServer = sqlServer;
        Provider = provider;
        Settings = settings;
        _folder = folder;
        _server = server;
        _name = name;
    }

    public string Provider { get; }

    /// <summary>The scratch database is left in place, to look at afterwards.</summary>
    public bool Keep { get; set; }

    /// <summary>The SQLite file, or the PostgreSQL or SQL Server database's name.</summary>
    public string Location => _folder is not null ? Path.Combine(_folder, "bench.db") : _name!;

    /// <summary>The configuration that points the portal's services at this database.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; }

    public static async Task<ScratchDatabase> CreateAsync(CliContext cli, string provider, string? connection, CancellationToken ct)
    {
        switch (provider.ToLowerInvariant())
        {
            case "sqlite":
                if (connection is not null)
                {
                    throw new CliUsageException("--connection is for postgres and sqlserver; sqlite always uses a temporary file.");
                }

                var folder = Directory.CreateTempSubdirectory("portal-bench-").FullName;
                return new ScratchDatabase("sqlite", new Dictionary<string, string?>
                {
                    ["Database:Provider"] = nameof(DatabaseProvider.Sqlite),
                    ["ConnectionStrings:Sqlite"] = $"Data Source={Path.Combine(folder, "bench.db")}",
                }, folder, null, null);
            case "postgres":
                var server = connection ?? cli.Configuration()["ConnectionStrings:Postgres"]
                    ?? throw new CliUsageException("--connection: give the PostgreSQL server's connection string.");
                var name = "portal_bench_" + Guid.NewGuid().ToString("N");
                await using (var admin = await OpenMaintenanceAsync(server, ct))
                await using (var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin))
                {
                    await create.ExecuteNonQueryAsync(ct);
                }

                var builder = new NpgsqlConnectionStringBuilder(server) { Database = name };
                return new ScratchDatabase("postgres", new Dictionary<string, string?>
                {
                    ["Database:Provider"] = nameof(DatabaseProvider.Postgres),
                    ["ConnectionStrings:Postgres"] = builder.ConnectionString,
                }, null, server, name);
            case "sqlserver":
                var sqlServer = connection ?? cli.Configuration()["ConnectionStrings:SqlServer"]
                    ?? throw new CliUsageException("--connection: give the SQL Server's connection string.");
                var sqlName = "portal_bench_" + Guid.NewGuid().ToString("N");
                await SqlServerDatabases.CreateAsync(sqlServer, sqlName, ct);
                return new ScratchDatabase("sqlserver", new Dictionary<string, string?>
                {
                    ["Database:Provider"] = nameof(DatabaseProvider.SqlServer),
                    ["ConnectionStrings:SqlServer"] = SqlServerDatabases.For(sqlServer, sqlName),
                }, null, sqlServer, sqlName, sqlServer: true);
            default:
                throw new CliUsageException($"--provider: '{provider}' is not sqlite, postgres or sqlserver.");
        }
    }

    private static async Task<NpgsqlConnection> OpenMaintenanceAsync(string server, CancellationToken ct)
    {
        var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Database = "postgres", Pooling = false }.ConnectionString);
        await admin.OpenAsync(ct);
        return admin;
    }

    public async ValueTask DisposeAsync()
    {
        if (_name is not null && !Keep && _sqlServer)
        {
            await SqlServerDatabases.DropAsync(_server!, _name);
        }
        else if (_name is not null && !Keep)
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = await OpenMaintenanceAsync(_server!, CancellationToken.None);
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }

        if (_folder is not null && !Keep)
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(_folder, recursive: true);
        }
    }
}
