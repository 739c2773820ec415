using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Organisations;
using Portal.App.Features.Rlthf;
using Portal.Core.Aggregation;
using Portal.Core.Pairs;
using Portal.Core.Rlthf;

namespace Portal.Cli.Commands;

/// <summary>What <c>portal bench round</c> measured: one targeted-feedback round of the portal on a scratch database.</summary>
/// <param name="Precision">AI errors among the selected pairs over the number selected; compare with <see cref="AiErrorRate"/>.</param>
public sealed record RoundBenchResult(
    string Provider,
    int Pairs,
    string Budget,
    int Selected,
    double AiErrorRate,
    int AiWrongAmongSelected,
    double Precision,
    double SetupSeconds,
    double PlanSeconds,
    double PairsPerSecond,
    long PeakWorkingSetMb);

/// <summary>
/// <c>portal bench round</c>: synthetic pairs with AI labels (wrong with the given probability) in a scratch project, then one
/// round planned by <see cref="RlthfService"/>, the code the round job runs: read, cross-fitted training, selection, queueing.
/// </summary>
internal static class RoundBench
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static Command Command(CliContext cli)
    {
        var pairs = new Option<int>("--pairs") { Description = "Pairwise items with an AI label.", DefaultValueFactory = _ => 10_000 };
        var aiError = new Option<double>("--ai-error") { Description = "Chance that an AI label is wrong.", DefaultValueFactory = _ => 0.25 };
        var budget = new Option<string>("--budget") { Description = "The round's budget: items (500) or a share (7%).", DefaultValueFactory = _ => "7%" };
        var provider = new Option<string>("--provider") { Description = "sqlite (a temporary file) or postgres (a new database on the server).", DefaultValueFactory = _ => "sqlite" };
        var connection = new Option<string?>("--connection") { Description = "PostgreSQL: the server to create the scratch database on." };
        var seed = new Option<int>("--seed") { Description = "Seeds the pairs and the AI errors.", DefaultValueFactory = _ => 1 };
        var command = new Command("round",
            "One targeted-feedback round on a scratch project of synthetic AI-labelled pairs, planned by the same service as the round job. "
            + "Prints one JSON object (times, peak memory, targeting precision against the AI error rate); progress goes to stderr.")
        {
            pairs, aiError, budget, provider, connection, seed,
        };
        command.SetAction(async (parse, ct) =>
        {
            var count = parse.GetValue(pairs) is var n and >= RlthfService.MinPairs ? n : throw new CliUsageException($"--pairs must be at least {RlthfService.MinPairs}.");
            var error = parse.GetValue(aiError) is var e and >= 0 and <= 1 ? e : throw new CliUsageException("--ai-error must be between 0 and 1.");
            await using var scratch = await ScratchDatabase.CreateAsync(cli, parse.GetValue(provider)!, parse.GetValue(connection), ct);
            var result = await RunAsync(cli, scratch, count, error, parse.GetValue(budget)!, parse.GetValue(seed), ct);
            cli.Out.WriteLine(JsonSerializer.Serialize(result, Json));
            return PortalCli.Ok;
        });
        return command;
    }

    private static async Task<RoundBenchResult> RunAsync(CliContext cli, ScratchDatabase scratch, int count, double aiError, string budget, int seed, CancellationToken ct)
    {
        await using var services = cli.Services(scratch.Settings);
        var factory = services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await Migrator.MigrateAsync(factory, ct);
        var clock = Stopwatch.StartNew();
        var org = await services.GetRequiredService<OrganisationService>().CreateOrganisationAsync("bench " + Guid.NewGuid().ToString("N")[..8], ct);
        var project = new Project
        {
            Name = "Round benchmark",
            Kind = ProjectKind.Pairwise,
            Overlap = 1,
            Settings = ProjectSettings.Default with { Gold = new GoldOptions { Rate = 0 } },
            CreatedAt = DateTime.UtcNow,
        };
        var wrong = new HashSet<Guid>();
        using (var text = new StringWriter())
        {
            SyntheticPairs.Write(text, count, seed);
            var random = new Random(seed);
            await using var db = factory.CreateForTenant(org.Id);
            db.Projects.Add(project);
            await db.SaveChangesAsync(ct);
            foreach (var batch in PreferencePairReader.Read(new StringReader(text.ToString())).Chunk(2000))
            {
                foreach (var pair in batch)
                {
                    var item = new Item
                    {
                        ProjectId = project.Id,
                        ExternalId = pair.ExternalId,
                        ConversationJson = JsonSerializer.Serialize(pair.Conversation.Select(t => new { role = t.Role, content = t.Content })),
                        ResponseA = pair.ResponseA,
                        ResponseB = pair.ResponseB,
                        CreatedAt = DateTime.UtcNow,
                    };
                    var isWrong = random.NextDouble() < aiError;
                    if (isWrong)
                    {
                        wrong.Add(item.Id);
                    }

                    db.Items.Add(item);
                    db.AiLabels.Add(new AiLabel { ProjectId = project.Id, ItemId = item.Id, Choice = isWrong ? PreferenceChoice.B : PreferenceChoice.A, Model = "bench", CreatedAt = DateTime.UtcNow });
                }

                await db.SaveChangesAsync(ct);
                db.ChangeTracker.Clear();
            }
        }

        var setup = clock.Elapsed.TotalSeconds;
        using var scope = services.CreateScope();
        var rlthf = scope.ServiceProvider.GetRequiredService<RlthfService>();
        var number = (await rlthf.StartAsync(org.Id, project.Id, null, new StartRoundInput(budget), launch: false, ct))!.Value;
        var round = (await rlthf.RoundAsync(org.Id, project.Id, number, ct))!;
        clock.Restart();
        using (var line = new ProgressLine(cli.Error, "bench round"))
        {
            await rlthf.PlanAsync(org.Id, round.Id, new ImportCommand.LineProgress(line), ct);
            line.Done();
        }

        var plan = clock.Elapsed.TotalSeconds;
        var selected = await rlthf.SelectedAsync(org.Id, project.Id, number, 1_000_000, ct) ?? [];
        var hits = selected.Count(s => wrong.Contains(s.ItemId));
        return new RoundBenchResult(scratch.Provider, count, budget, selected.Count, (double)wrong.Count / count, hits,
            selected.Count == 0 ? 0 : (double)hits / selected.Count, Math.Round(setup, 2), Math.Round(plan, 2), Math.Round(count / plan),
            Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024));
    }
}
