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
    int ItemsRead, int AnnotationsRead, string LoadAverage)
{
    /// <summary>Where an incremental run spent its wall time (see <see cref="RecomputeOutcome.Phases"/>).</summary>
    public IReadOnlyList<RecomputePhase> Phases { get; init; } = [];

    /// <summary>The statements of the run that took the most time (EF Core's own measure of each).</summary>
    public IReadOnlyList<StatementTiming> Statements { get; init; } = [];
}

/// <param name="Full">The full recompute; null when an existing bench database was timed again (<c>--database</c>).</param>
public sealed record QualityBenchResult(string Provider, int Annotations, int Items, int Annotators, double SeedSeconds, RecomputeTiming? Full,
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
        var keep = new Option<bool>("--keep") { Description = "Keep the scratch database (printed to stderr), to time it again with --database or look at its query plans." };
        var database = new Option<string?>("--database") { Description = "Time an existing bench database (SQLite file or PostgreSQL database name) again: --new more annotations and an incremental recompute, no seed, no full recompute." };
        var command = new Command("quality", "Times a full and an incremental quality recompute on a project of N annotations; prints JSON.")
        {
            annotations, added, provider, connection, keep, database,
        };
        command.SetAction(async (parse, ct) =>
        {
            var n = parse.GetValue(annotations);
            var k = parse.GetValue(added);
            if (n < Overlap * 2 || k < 1 || k > n / Overlap)
            {
                throw new CliUsageException("--annotations must be at least 6, and --new from 1 to a third of --annotations.");
            }

            if (parse.GetValue(database) is { } existing)
            {
                var again = await AgainAsync(cli, parse.GetValue(provider)!, PagesBench.Existing(cli, parse.GetValue(provider)!, parse.GetValue(connection), existing), k, ct);
                cli.Out.WriteLine(JsonSerializer.Serialize(again, Json));
                return PortalCli.Ok;
            }

            await using var scratch = await ScratchDatabase.CreateAsync(cli, parse.GetValue(provider)!, parse.GetValue(connection), ct);
            scratch.Keep = parse.GetValue(keep);
            if (scratch.Keep)
            {
                cli.Error.WriteLine($"bench quality: the scratch database is kept: {scratch.Location}");
            }

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
        var incremental = await WarmThenTimeAsync(factory, quality, orgId, projectId, items, annotators, added, 0, ct);
        return new QualityBenchResult(scratch.Provider, items * Overlap, items, annotators.Length, Math.Round(seed.Elapsed.TotalSeconds, 1), full, added, incremental);
    }

    /// <summary>
    /// An existing bench database (kept with <c>--keep</c>) timed again: <paramref name="added"/> more annotations, a rating by
    /// an annotator not yet on each item (batch r rates items r, stride + r, …), and the incremental recompute after them.
    /// </summary>
    private static async Task<QualityBenchResult> AgainAsync(CliContext cli, string provider, IReadOnlyDictionary<string, string?> settings, int added, CancellationToken ct)
    {
        await using var services = cli.Services(settings);
        var factory = services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await Migrator.MigrateAsync(factory, ct);
        Guid orgId, projectId;
        await using (var system = factory.CreateSystem())
        {
            var found = await system.Projects.IgnoreQueryFilters().Where(p => p.Name == "Bench quality").Select(p => new { p.Id, p.TenantId }).SingleAsync(ct);
            (orgId, projectId) = (found.TenantId, found.Id);
        }

        int itemCount, annotationCount;
        Guid[] annotators;
        await using (var db = factory.CreateForTenant(orgId))
        {
            itemCount = await db.Items.CountAsync(i => i.ProjectId == projectId, ct);
            annotationCount = await db.Annotations.CountAsync(a => a.ProjectId == projectId, ct);

            // Annotator j rated item j first (slot 0, the earliest of its three seeded ratings).
            var first = await ItemIdsAsync(factory, orgId, projectId, [.. Enumerable.Range(0, AnnotatorCount)], ct);
            var ratings = await db.Annotations.AsNoTracking().Where(a => first.Contains(a.ItemId)).Select(a => new { a.ItemId, a.AnnotatorId, a.CreatedAt }).ToListAsync(ct);
            annotators = [.. first.Select(id => ratings.Where(r => r.ItemId == id).MinBy(r => r.CreatedAt)!.AnnotatorId)];
        }

        var batch = Math.Max(1, (annotationCount - (itemCount * Overlap)) / added);
        if (itemCount / added <= batch)
        {
            throw new CliUsageException($"--database: this bench database has had {batch} batches of {added}; seed a new one.");
        }

        var quality = services.GetRequiredService<QualityService>();
        var incremental = await WarmThenTimeAsync(factory, quality, orgId, projectId, itemCount, annotators, added, batch, ct);
        return new QualityBenchResult(provider, annotationCount + added, itemCount, annotators.Length, 0, null, added, incremental);
    }

    /// <summary>
    /// The incremental recompute as the portal's long-running process runs it: first a warm-up (ten new annotations and an
    /// untimed incremental run, which compiles its queries and code), then <paramref name="added"/> new annotations and the
    /// timed run. The warm-up's ten are within the catch-up margin of the timed run, which reads their items again.
    /// </summary>
    private static async Task<RecomputeTiming> WarmThenTimeAsync(IDbContextFactory<PortalDbContext> factory, QualityService quality, Guid orgId, Guid projectId,
        int itemCount, Guid[] annotators, int added, int batch, CancellationToken ct)
    {
        await AddAsync(factory, orgId, projectId, itemCount, annotators, added, batch, warmUp: true, ct);
        var warm = await quality.RecomputeWithOutcomeAsync(orgId, projectId, null, ct);
        if (warm.Full)
        {
            throw new InvalidOperationException("The warm-up recompute was a full one: " + warm.FullBecause);
        }

        await AddAsync(factory, orgId, projectId, itemCount, annotators, added, batch, warmUp: false, ct);
        return await TimeAsync(() => quality.RecomputeWithOutcomeAsync(orgId, projectId, null, ct));
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
        using var statements = new StatementTimes();
        var watch = Stopwatch.StartNew();
        var outcome = await recompute();
        watch.Stop();
        var allocatedAfter = GC.GetTotalAllocatedBytes(true);
        process.Refresh();
        var cpuAfter = process.TotalProcessorTime;
        await sampling.CancelAsync();
        await sampler;
        return new RecomputeTiming(outcome.Full, Math.Round(watch.Elapsed.TotalSeconds, 2), Math.Round((cpuAfter - cpu).TotalSeconds, 2),
            Mb(allocatedAfter - allocated), Mb(peakManaged), Mb(peakWorkingSet), outcome.ItemsRead, outcome.AnnotationsRead, load + " → " + LoadAverage())
        {
            Phases = outcome.Phases,
            Statements = statements.Top(8),
        };
    }

    private static double Mb(long bytes) => Math.Round(bytes / 1048576.0, 1);

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>
    /// An organisation and a pairwise project of annotations / 3 items, each rated by three of 300 annotators (item i by
    /// annotators i, i + 101 and i + 202), generated by the database itself: one <c>INSERT … SELECT</c> over a number series
    /// for the items and one for their annotations, then the tables' statistics. Each item has a preferred side that an
    /// annotator picks 80% of the time (10% the other, 10% a tie), strength 1–3, answers spread over the last ten weeks,
    /// times on task from 2 to 60 s. The "random" draws are multiplicative hashes of the item number and slot, so a seed
    /// is the same on every run and provider, and each row's draw is one expression (no volatile function evaluated twice).
    /// </summary>
    /// <returns>The item ids in item-number order are not returned (a third of a million Guids would sit in the measured heap); <see cref="ItemIdsAsync"/> reads the few the bench needs.</returns>
    private static async Task<(Guid OrgId, Guid ProjectId, int Items, Guid[] Annotators)> SeedAsync(
        CliContext cli, IDbContextFactory<PortalDbContext> factory, int annotations, CancellationToken ct)
    {
        var now = DateTime.UtcNow;
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
        var start = now.AddDays(-70);
        var stepMs = Math.Max(1, (long)(now.AddHours(-1) - start).TotalMilliseconds / itemCount);
        cli.Error.WriteLine($"bench quality: generating {itemCount} items and {itemCount * Overlap} annotations in the database");
        await using (var db = factory.CreateForTenant(org.Id))
        {
            db.Database.SetCommandTimeout(TimeSpan.FromMinutes(60));
            await db.Database.OpenConnectionAsync(ct); // The temporary table lives as long as the connection.
            var provider = db.Database.IsNpgsql() ? SeedSql.Postgres : db.Database.IsSqlServer() ? SeedSql.SqlServer : SeedSql.Sqlite;
            if (provider == SeedSql.Sqlite)
            {
                // This connection only: a page cache of 512 MB instead of 2 MB while nine indexes of a million rows are built.
                await db.Database.ExecuteSqlRawAsync("PRAGMA cache_size = -524288", ct);
            }

            foreach (var sql in SeedStatements(provider, org.Id, project.Id, annotators, itemCount, start, stepMs, now))
            {
                await db.Database.ExecuteSqlRawAsync(sql, ct);
            }

            if (provider == SeedSql.Sqlite)
            {
                // Back to SQLite's default before the connection returns to the pool, where the timed recomputes reuse it.
                await db.Database.ExecuteSqlRawAsync("PRAGMA cache_size = -2000", ct);
            }

            // PostgreSQL: VACUUM as autovacuum would, so the visibility map is set and index-only scans are possible.
            foreach (var table in new[] { "Items", "Annotations" })
            {
                await db.Database.ExecuteSqlRawAsync(provider switch
                {
                    SeedSql.Postgres => $"VACUUM ANALYZE \"{table}\"",
                    SeedSql.SqlServer => $"UPDATE STATISTICS [{table}]",
                    _ => $"ANALYZE \"{table}\"",
                }, ct);
            }
        }

        return (org.Id, project.Id, itemCount, annotators);
    }

    private enum SeedSql
    {
        Sqlite,
        Postgres,
        SqlServer,
    }

    /// <summary>The seed's statements: only numbers, Guids and dates made here go into them, never user input.</summary>
    private static IEnumerable<string> SeedStatements(SeedSql provider, Guid orgId, Guid projectId, Guid[] annotators, int itemCount, DateTime start, long stepMs, DateTime now)
    {
        var (pg, ms) = (provider == SeedSql.Postgres, provider == SeedSql.SqlServer);

        // Guids are TEXT (upper case) on SQLite, uuid on PostgreSQL, uniqueidentifier on SQL Server; booleans 0/1 or true/false.
        string Id(Guid id) => pg ? $"'{id}'::uuid" : ms ? $"'{id}'" : $"'{id.ToString().ToUpperInvariant()}'";
        // Ids in creation order, as Guid.CreateVersion7 makes them in the portal (a random prefix per seed, then the number):
        // the primary keys and the item-id indexes grow at their end, as they do in production, instead of at random places.
        var prefix = Random.Shared.Next(1 << 30);
        string OrderedId(string kind, string number) => provider switch
        {
            SeedSql.Postgres => $"(lpad(to_hex({prefix}), 8, '0') || '-0000-7000-{kind}-' || lpad(to_hex({number}), 12, '0'))::uuid",
            SeedSql.SqlServer => "NEWID()",
            _ => $"printf('%08X-0000-7000-{kind}-%012X', {prefix}, {number})",
        };
        string Bool(string condition) => pg ? $"({condition})" : $"CASE WHEN {condition} THEN 1 ELSE 0 END";
        string Text(string number) => pg ? $"{number}::text" : ms ? $"CAST({number} AS varchar(20))" : $"CAST({number} AS TEXT)";
        var concat = ms ? "+" : "||";
        var startEpochMs = new DateTimeOffset(start).ToUnixTimeMilliseconds();
        string At(string offsetMs) => provider switch
        {
            SeedSql.Postgres => $"to_timestamp(({startEpochMs} + {offsetMs}) / 1000.0)",
            SeedSql.SqlServer => $"DATEADD(millisecond, ({offsetMs}) % 1000, DATEADD(second, ({offsetMs}) / 1000, CAST('{Stamp(start, "yyyy-MM-dd HH:mm:ss.fff")}' AS datetime2)))",
            _ => $"strftime('%Y-%m-%d %H:%M:%f', ({startEpochMs} + {offsetMs}) / 1000.0, 'unixepoch')",
        };
        var nowText = provider switch
        {
            SeedSql.Postgres => $"'{Stamp(now, "yyyy-MM-dd HH:mm:ss.ffffff")}+00'::timestamptz",
            SeedSql.SqlServer => $"CAST('{Stamp(now, "yyyy-MM-dd HH:mm:ss.fffffff")}' AS datetime2)",
            _ => $"'{Stamp(now, "yyyy-MM-dd HH:mm:ss.fffffff")}'",
        };
        var (no, three) = (pg ? "false" : "0", Overlap.ToString(CultureInfo.InvariantCulture));
        var annotatorTable = ms ? "#bench_annotators" : "bench_annotators";
        var bigint = pg || ms ? "bigint" : "INTEGER";

        // SQL Server types a literal beyond int as numeric, whose division is not an integer one.
        string L(long value) => ms ? $"CAST({value} AS bigint)" : value.ToString(CultureInfo.InvariantCulture);
        string Stamp(DateTime at, string format) => at.ToString(format, CultureInfo.InvariantCulture);

        // The numbers 0 … items − 1: a series (PostgreSQL), a recursive CTE (SQLite), row numbers of a cross join (SQL Server).
        var series = provider switch
        {
            SeedSql.Postgres => $"WITH g(n) AS (SELECT generate_series(0, {itemCount - 1}))",
            SeedSql.SqlServer => $"WITH g(n) AS (SELECT TOP ({itemCount}) ROW_NUMBER() OVER (ORDER BY (SELECT NULL)) - 1 FROM sys.all_columns a CROSS JOIN sys.all_columns b CROSS JOIN sys.all_columns c)",
            _ => $"WITH RECURSIVE g(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM g WHERE n < {itemCount - 1})",
        };
        yield return $"""
            {series}
            INSERT INTO "Items" ("Id", "TenantId", "ProjectId", "ExternalId", "ConversationJson", "ResponseA", "ResponseB", "Priority", "Claimed", "IsGold", "CreatedAt")
            SELECT {OrderedId("8000", "g.n")}, {Id(orgId)}, {Id(projectId)}, 'item-' {concat} {(ms ? "FORMAT(g.n, 'D7')" : pg ? "lpad(g.n::text, 7, '0')" : "printf('%07d', g.n)")},
                   '[]', 'First answer ' {concat} {Text("g.n")}, 'Second answer ' {concat} {Text("g.n")}, 0, {three}, {no}, {nowText}
            FROM g
            """;
        yield return $"CREATE {(ms ? "" : "TEMP ")}TABLE {annotatorTable} (idx INTEGER PRIMARY KEY, id {(pg ? "uuid" : ms ? "uniqueidentifier" : "TEXT")} NOT NULL)";
        yield return $"INSERT INTO {annotatorTable} (idx, id) VALUES " + string.Join(", ", annotators.Select((id, i) => $"({i}, {Id(id)})"));

        // Per item n: p, its preferred side (a hash bit). Per rating (n, k): h, from which the roll (choice), strength, side and time.
        var number = $"CAST(substring(i.\"ExternalId\", 6, 7) AS {bigint})".Replace("substring", pg || ms ? "substring" : "substr", StringComparison.Ordinal);
        yield return $"""
            INSERT INTO "Annotations" ("Id", "TenantId", "ProjectId", "ItemId", "AnnotatorId", "IdempotencyKey", "Choice", "Strength", "LeftIsA", "Revisions", "TimeOnTaskMs", "CreatedAt")
            SELECT {OrderedId("8001", "r.n * 3 + r.k")}, r.tenant, r.project, r.item, r.annotator, 'bench-' {concat} {Text("r.n")} {concat} '-' {concat} {Text("r.k")},
                   CASE WHEN (r.h / 4096) % 1000 < 800 THEN r.p WHEN (r.h / 4096) % 1000 < 900 THEN 1 - r.p ELSE 2 END,
                   CASE WHEN (r.h / 4096) % 1000 < 900 THEN 1 + (r.h / 1024) % 3 ELSE NULL END,
                   {Bool("(r.h2 / 65536) % 2 = 0")}, 0, 2000 + (r.h2 / 16) % 58000, {At("r.n * " + stepMs + " + r.k")}
            FROM (
                SELECT i."TenantId" AS tenant, i."ProjectId" AS project, i."Id" AS item, b.id AS annotator, {number} AS n, s.k AS k,
                       (({number} * {L(2246822519)}) % {L(4294967296)}) / {L(2147483648)} AS p,
                       (({number} * 3 + s.k) * {L(2654435761)}) % {L(4294967296)} AS h,
                       (({number} * 3 + s.k) * {L(2246822519)} + {L(374761393)}) % {L(4294967296)} AS h2
                FROM "Items" i
                CROSS JOIN (SELECT 0 AS k UNION ALL SELECT 1 UNION ALL SELECT 2) s
                JOIN {annotatorTable} b ON b.idx = ({number} + s.k * 101) % {AnnotatorCount}
                WHERE i."ProjectId" = {Id(projectId)}
            ) r
            """;
        yield return $"DROP TABLE {annotatorTable}";
    }

    /// <summary>The ids of the given item numbers (at most a few thousand), in that order, from their external ids.</summary>
    private static async Task<List<Guid>> ItemIdsAsync(IDbContextFactory<PortalDbContext> factory, Guid orgId, Guid projectId, IReadOnlyList<int> numbers, CancellationToken ct)
    {
        await using var db = factory.CreateForTenant(orgId);
        var byExternal = new Dictionary<string, Guid>();
        foreach (var chunk in numbers.Select(n => "item-" + n.ToString("D7", CultureInfo.InvariantCulture)).Chunk(500))
        {
            foreach (var item in await db.Items.AsNoTracking().Where(i => i.ProjectId == projectId && chunk.Contains(i.ExternalId!))
                .Select(i => new { i.Id, i.ExternalId }).ToListAsync(ct))
            {
                byExternal[item.ExternalId!] = item.Id;
            }
        }

        return [.. numbers.Select(n => byExternal["item-" + n.ToString("D7", CultureInfo.InvariantCulture)])];
    }

    /// <summary>New annotations as submits make them (now): a fourth rating on items spread over the project.</summary>
    /// <remarks>
    /// Batch r rates items r, stride + r, 2·stride + r, …: item i by annotator i + 50 (i + 150 for the warm-up's ten, on the
    /// batch's first ten items), none of the seeded i, i + 101 and i + 202.
    /// </remarks>
    private static async Task AddAsync(IDbContextFactory<PortalDbContext> factory, Guid orgId, Guid projectId, int itemCount, Guid[] annotators, int count, int batch,
        bool warmUp, CancellationToken ct)
    {
        var random = new Random(19 + batch + (warmUp ? 1000 : 0));
        var stride = itemCount / count;
        var shift = warmUp ? 150 : 50;
        count = warmUp ? Math.Min(10, count) : count;
        var numbers = Enumerable.Range(0, count).Select(j => (j * stride) + batch).ToList();
        var items = await ItemIdsAsync(factory, orgId, projectId, numbers, ct);
        await using var db = factory.CreateForTenant(orgId);
        var now = DateTime.UtcNow;
        for (var j = 0; j < count; j++)
        {
            var i = numbers[j];
            db.Annotations.Add(Answer(orgId, projectId, items[j], annotators[(i + shift) % AnnotatorCount], random.Next(2) == 0 ? PreferenceChoice.A : PreferenceChoice.B,
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
