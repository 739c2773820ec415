using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Gold;
using Portal.Core.Aggregation;

namespace Portal.Cli.Commands;

/// <summary>How long one kind of items-grid page took, over several runs after a warm-up.</summary>
public sealed record ItemsQueryTiming(string Query, int Rows, int Total, double MedianMs, double MaxMs);

public sealed record ItemsBenchResult(string Provider, int Items, int Annotations, double SeedSeconds, int Runs, IReadOnlyList<ItemsQueryTiming> Queries);

/// <summary>
/// <c>portal bench items</c>: a pairwise project of N items with overlap-many annotations each in a scratch database, then
/// the admin's items grid asks for its pages through <see cref="ItemBrowser"/>, the code behind the items page and
/// <c>GET …/items</c>: the first page, a deep page, each sort, the search box and the filters. Prints one JSON object.
/// </summary>
public static class ItemsBench
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static Command Command(CliContext cli)
    {
        var items = new Option<int>("--items") { Description = "Items in the project.", DefaultValueFactory = _ => 100_000 };
        var overlap = new Option<int>("--overlap") { Description = "Annotations per item (on every item but a tenth, which stays unrated).", DefaultValueFactory = _ => 3 };
        var runs = new Option<int>("--runs") { Description = "Timed runs of each query, after one warm-up.", DefaultValueFactory = _ => 10 };
        var provider = new Option<string>("--provider") { Description = "sqlite (a temporary file) or postgres (a new database on the server).", DefaultValueFactory = _ => "sqlite" };
        var connection = new Option<string?>("--connection") { Description = "PostgreSQL: the server to create the scratch database on." };
        var keep = new Option<bool>("--keep") { Description = "Keep the scratch database (printed to stderr), to look at the query plans." };
        var command = new Command("items", "Pages through a project of N items the way the admin's items grid does; prints the median and worst time per query as JSON.")
        {
            items, overlap, runs, provider, connection, keep,
        };
        command.SetAction(async (parse, ct) =>
        {
            var n = parse.GetValue(items);
            var k = parse.GetValue(overlap);
            var r = parse.GetValue(runs);
            if (n < 1 || k < 0 || r < 1)
            {
                throw new CliUsageException("--items and --runs must be at least 1 and --overlap at least 0.");
            }

            await using var scratch = await ScratchDatabase.CreateAsync(cli, parse.GetValue(provider)!, parse.GetValue(connection), ct);
            scratch.Keep = parse.GetValue(keep);
            if (scratch.Keep)
            {
                cli.Error.WriteLine($"bench items: the database stays: {scratch.Location}");
            }

            var result = await RunAsync(cli, scratch, n, k, r, ct);
            cli.Out.WriteLine(JsonSerializer.Serialize(result, Json));
            return PortalCli.Ok;
        });
        return command;
    }

    internal static async Task<ItemsBenchResult> RunAsync(CliContext cli, ScratchDatabase scratch, int items, int overlap, int runs, CancellationToken ct)
    {
        await using var services = cli.Services(scratch.Settings);
        var factory = services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await Migrator.MigrateAsync(factory, ct);
        var seed = Stopwatch.StartNew();
        var (orgId, projectId, annotations) = await SeedAsync(cli, factory, items, overlap, ct);
        seed.Stop();

        var browser = services.GetRequiredService<ItemBrowser>();
        var queries = new (string Name, ItemQuery Query)[]
        {
            ("first page (priority)", new ItemQuery()),
            ("page 2,000 (priority)", new ItemQuery(Skip: 25 * 1999)),
            ("first page by external id, descending", new ItemQuery(Sort: ItemSort.ExternalId, Descending: true)),
            ("first page by import order", new ItemQuery(Sort: ItemSort.Created)),
            ("first page by ratings, descending", new ItemQuery(Sort: ItemSort.Annotations, Descending: true)),
            ("search \"question 4242\"", new ItemQuery(Search: "question 4242")),
            ("gold only", new ItemQuery(Gold: true)),
            ("unrated only", new ItemQuery(Rated: false)),
        };
        var timings = new List<ItemsQueryTiming>();
        using var progress = new ProgressLine(cli.Error, "bench items: queries");
        foreach (var (index, (name, query)) in queries.Index())
        {
            var page = await browser.SearchAsync(orgId, projectId, query, ct) ?? throw new InvalidOperationException("The bench project vanished.");
            var times = new List<double>(runs);
            for (var i = 0; i < runs; i++)
            {
                var watch = Stopwatch.StartNew();
                page = await browser.SearchAsync(orgId, projectId, query, ct) ?? throw new InvalidOperationException("The bench project vanished.");
                times.Add(watch.Elapsed.TotalMilliseconds);
            }

            times.Sort();
            timings.Add(new ItemsQueryTiming(name, page.Items.Count, page.Total, Math.Round(times[times.Count / 2], 1), Math.Round(times[^1], 1)));
            progress.Report((index + 1.0) / queries.Length);
        }

        progress.Done();
        return new ItemsBenchResult(scratch.Provider, items, annotations, Math.Round(seed.Elapsed.TotalSeconds, 1), runs, timings);
    }

    /// <summary>
    /// An organisation, a pairwise project and its items, inserted in batches: one in 100 is gold, one in ten has no rating,
    /// the others <paramref name="overlap"/> submitted annotations by distinct annotators.
    /// </summary>
    private static async Task<(Guid OrgId, Guid ProjectId, int Annotations)> SeedAsync(
        CliContext cli, IDbContextFactory<PortalDbContext> factory, int items, int overlap, CancellationToken ct)
    {
        var now = DateTime.UtcNow;
        var org = new Organisation { Name = "Bench " + Guid.NewGuid().ToString("N"), CreatedAt = now };
        var project = new Project { TenantId = org.Id, Name = "Bench items", Kind = ProjectKind.Pairwise, CreatedAt = now };
        await using (var db = factory.CreateForTenant(org.Id))
        {
            db.Organisations.Add(org);
            db.Projects.Add(project);
            await db.SaveChangesAsync(ct);
        }

        var annotators = Enumerable.Range(0, 300).Select(_ => Guid.CreateVersion7()).ToArray();
        var annotations = 0;
        using var progress = new ProgressLine(cli.Error, "bench items: seeding");
        const int Batch = 5000;
        for (var start = 0; start < items; start += Batch)
        {
            await using var db = factory.CreateForTenant(org.Id);
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            for (var i = start; i < Math.Min(items, start + Batch); i++)
            {
                var item = new Item
                {
                    TenantId = org.Id,
                    ProjectId = project.Id,
                    ExternalId = $"item-{i:D7}",
                    ConversationJson = JsonSerializer.Serialize(new[] { new { role = "user", content = $"Please answer question {i} about the training data." } }),
                    ResponseA = $"First answer to question {i}, with enough words to look like a response that an annotator reads.",
                    ResponseB = $"Second answer to question {i}, a little longer and a little different from the first one.",
                    Priority = i % 10,
                    IsGold = i % 100 == 0,
                    CreatedAt = now.AddMilliseconds(i),
                };
                db.Items.Add(item);
                if (i % 10 == 9)
                {
                    continue;
                }

                item.Claimed = overlap;
                for (var k = 0; k < overlap; k++)
                {
                    var assignment = new Assignment
                    {
                        TenantId = org.Id,
                        ProjectId = project.Id,
                        ItemId = item.Id,
                        AnnotatorId = annotators[(i + (k * 101)) % annotators.Length],
                        Status = AssignmentStatus.Submitted,
                        LeasedAt = now,
                        LeaseExpiresAt = now.AddMinutes(30),
                        ClosedAt = now,
                    };
                    db.Assignments.Add(assignment);
                    db.Annotations.Add(new Annotation
                    {
                        TenantId = org.Id,
                        ProjectId = project.Id,
                        ItemId = item.Id,
                        AssignmentId = assignment.Id,
                        AnnotatorId = assignment.AnnotatorId,
                        IdempotencyKey = assignment.Id.ToString("N"),
                        Choice = (i + k) % 3 == 0 ? PreferenceChoice.B : PreferenceChoice.A,
                        TimeOnTaskMs = 20_000,
                        CreatedAt = now,
                    });
                    annotations++;
                }
            }

            await db.SaveChangesAsync(ct);
            progress.Report((double)Math.Min(items, start + Batch) / items);
        }

        progress.Done();
        await using (var db = factory.CreateForTenant(org.Id))
        {
            // What an import does at its end (ItemImportService), and nothing more: the annotations get no statistics.
            await DatabaseStatistics.RefreshAsync(db.Database, "Items", ct);
        }

        return (org.Id, project.Id, annotations);
    }
}
