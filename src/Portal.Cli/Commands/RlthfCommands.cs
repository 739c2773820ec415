using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Features.Organisations;
using Portal.App.Features.Rlthf;
using Portal.Core.Pairs;
using Portal.Core.Rlthf;

namespace Portal.Cli.Commands;

/// <summary>
/// <c>portal rlthf simulate</c> replays targeted human feedback offline on a labelled pair file with the same round code the
/// portal's jobs run; <c>portal synth</c> writes a synthetic pair file whose truth a reward model can learn.
/// </summary>
public static class RlthfCommands
{
    public static void Add(RootCommand root, CliContext cli)
    {
        var rlthf = new Command("rlthf", "Targeted human feedback (RLTHF, Xu et al., ICML 2025).");
        rlthf.Subcommands.Add(Simulate(cli));
        rlthf.Subcommands.Add(Round(cli));
        root.Subcommands.Add(rlthf);
        root.Subcommands.Add(Synth(cli));
    }

    private static Command Simulate(CliContext cli)
    {
        var input = new Option<string>("--input")
        {
            Description = "Pair file (JSONL, .gz allowed, or Parquet) of any pairwise shape the importer reads (TRL, HH-RLHF, UltraFeedback binarized, "
                + "Chatbot Arena, SHP); the file's preferred response is the truth, pairs without one (ties, both bad) are left out.",
            Required = true,
        };
        var aiError = new Option<double>("--ai-error") { Description = "Chance that the simulated AI labeller is wrong on a pair.", DefaultValueFactory = _ => 0.25 };
        var aiLabels = new Option<string?>("--ai-labels")
        {
            Description = "Real AI labels instead of simulated ones: JSONL, one {\"label\": \"chosen\"|\"rejected\"} a line in the order of --input.",
        };
        var budget = new Option<double>("--budget") { Description = "Human labels as a share of all pairs, over the whole run.", DefaultValueFactory = _ => 0.07 };
        var iterations = new Option<int>("--iterations") { Description = "Rounds.", DefaultValueFactory = _ => 4 };
        var seed = new Option<int>("--seed") { Description = "Seeds the AI errors, the shuffles and the folds.", DefaultValueFactory = _ => 1 };
        var strategy = new Option<string>("--strategy") { Description = "rlthf, random or uncertainty.", DefaultValueFactory = _ => "rlthf" };
        var autoFlip = new Option<bool>("--auto-flip") { Description = "Also flip the pairs beyond the mirror of the elbow without asking humans (off by default)." };
        var featurizer = new Option<string>("--featurizer")
        {
            Description = "The built-in reward model's features: hashed (word n-grams), minilm (sentence embeddings of all-MiniLM-L6-v2, "
                + "about 80 texts per CPU second) or minilm+hashed (both); after minilm, +last adds the last sentence's embedding and "
                + "+rfN N random ReLU features of the embeddings.",
            DefaultValueFactory = _ => "hashed",
        };
        var embeddingCache = new Option<string?>("--embedding-cache")
        {
            Description = "A file of sentence embeddings read before the run when it exists and written after it, so repeated runs on the "
                + "same pairs embed each text once.",
        };
        var repeats = new Option<int>("--repeats") { Description = "Fold splits whose out-of-fold margins are averaged.", DefaultValueFactory = _ => 1 };
        var committee = new Option<double>("--committee-doubt")
        {
            Description = "With --repeats above 1: move each margin towards its label by this many standard deviations of the repeats' margins.",
        };
        var l2 = new Option<string?>("--l2") { Description = "L2 penalties to choose from by out-of-fold log-loss, comma-separated (default 1e-4,1e-3,1e-2)." };
        var command = new Command("simulate",
            "Runs RLTHF rounds offline: the file's chosen is the truth, AI labels are the truth flipped with --ai-error (or --ai-labels), "
            + "simulated humans answer with the truth. Prints one JSON object; progress goes to stderr.")
        {
            input, aiError, aiLabels, budget, iterations, seed, strategy, autoFlip, featurizer, embeddingCache, repeats, committee, l2,
        };
        command.SetAction(async (parse, ct) =>
        {
            var options = new SimulationOptions
            {
                AiError = InRange(parse.GetValue(aiError), "--ai-error"),
                Budget = InRange(parse.GetValue(budget), "--budget"),
                Iterations = parse.GetValue(iterations) is var n and >= 1 ? n : throw new CliUsageException("--iterations must be at least 1."),
                Seed = parse.GetValue(seed),
                Strategy = ParseStrategy(parse.GetValue(strategy)!),
                Round = new RoundOptions
                {
                    Selection = new SelectionOptions { AutoFlip = parse.GetValue(autoFlip) },
                    Repeats = parse.GetValue(repeats) is var r and >= 1 ? r : throw new CliUsageException("--repeats must be at least 1."),
                    CommitteeDoubt = parse.GetValue(committee) is var c and >= 0 and < 100 ? c : throw new CliUsageException("--committee-doubt must be from 0 to 100."),
                },
            };
            if (parse.GetValue(l2) is { } grid)
            {
                options = options with { Round = options.Round with { L2Grid = ParseL2(grid) } };
            }
            var path = parse.GetValue(input)!;
            var (pairs, unlabelled) = ReadPairs(path);
            if (unlabelled > 0)
            {
                cli.Error.WriteLine($"{unlabelled} pair(s) without a preference (ties, both bad, unlabelled) were left out; {pairs.Count} remain.");
            }

            if (parse.GetValue(aiLabels) is { } labelsPath)
            {
                if (unlabelled > 0)
                {
                    throw new CliUsageException("--ai-labels: its lines follow the order of --input, whose pairs without a preference were left out; give a file whose every pair has one.");
                }

                options = options with { AiLabels = ReadAiLabels(labelsPath, pairs.Count) };
            }

            var embedding = ParseFeaturizer(parse.GetValue(featurizer)!);
            using var embedder = embedding is null ? null : new SentenceEmbedder();
            IRewardTrainer? trainer = embedder is null ? null : new EmbeddingRewardTrainer(embedder, embedding);
            var cache = parse.GetValue(embeddingCache);
            if (embedder is not null && cache is not null && File.Exists(cache))
            {
                cli.Error.WriteLine($"Read {embedder.LoadCache(cache)} embeddings from {cache}.");
            }
            using var progress = new ProgressLine(cli.Error, "simulate");
            var result = await RlthfSimulator.RunAsync(pairs, options, trainer, progress, ct);
            progress.Done();
            if (embedder is not null && cache is not null && embedder.TextsEmbedded > 0)
            {
                embedder.SaveCache(cache);
            }
            if (embedder is not null)
            {
                cli.Error.WriteLine(FormattableString.Invariant(
                    $"Embedded {embedder.TextsEmbedded} texts in {embedder.CpuTime.TotalSeconds:F1} s of process CPU ({embedder.TextsEmbedded / Math.Max(1e-9, embedder.CpuTime.TotalSeconds):F0} texts per CPU second)."));
            }
            cli.Out.WriteLine(result.ToJson());
            return PortalCli.Ok;
        });
        return command;
    }

    /// <summary><c>portal rlthf round</c>: one round of a project's loop, planned in the foreground (the same code as the round job).</summary>
    private static Command Round(CliContext cli)
    {
        var org = new Option<string>("--org") { Description = "Organisation id or exact name.", Required = true };
        var project = new Option<string>("--project") { Description = "Project id or exact name within the organisation.", Required = true };
        var budget = new Option<string>("--budget") { Description = "Items for humans: a number (50) or a share of the loop's pairs (7%).", DefaultValueFactory = _ => "7%" };
        var strategy = new Option<string>("--strategy") { Description = "rlthf, random or uncertainty.", DefaultValueFactory = _ => "rlthf" };
        var overlap = new Option<int>("--overlap") { Description = "Human ratings per selected item.", DefaultValueFactory = _ => 1 };
        var autoFlip = new Option<bool>("--auto-flip") { Description = "Flip the AI labels beyond the mirror of the elbow without asking humans." };
        var command = new Command("round",
            "Plans a round of a project's targeted-feedback loop now: retrains the reward model, scores, selects and queues the selected "
            + "items for annotators. Prints the round as JSON; progress goes to stderr.")
        {
            org, project, budget, strategy, overlap, autoFlip,
        };
        command.SetAction(async (parse, ct) =>
        {
            await using var services = await cli.MigratedServices(ct);
            var (orgId, projectId) = await CliContext.ResolveProjectAsync(services, parse.GetValue(org)!, parse.GetValue(project)!, ct);
            using var scope = services.CreateScope();
            var rlthf = scope.ServiceProvider.GetRequiredService<RlthfService>();
            int number;
            try
            {
                number = (await rlthf.StartAsync(orgId, projectId, null,
                    new StartRoundInput(parse.GetValue(budget)!, parse.GetValue(strategy), parse.GetValue(overlap), AutoFlip: parse.GetValue(autoFlip)), launch: false, ct))!.Value;
            }
            catch (PortalValidationException ex)
            {
                throw new CliUsageException($"--{Option(ex.Field)}: {ex.Message}");
            }

            var round = (await rlthf.RoundAsync(orgId, projectId, number, ct))!;
            using (var line = new ProgressLine(cli.Error, $"round {number}"))
            {
                try
                {
                    await rlthf.PlanAsync(orgId, round.Id, new ImportCommand.LineProgress(line), ct);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    await rlthf.FailAsync(orgId, round.Id, ex.Message, CancellationToken.None);
                    throw;
                }

                line.Done();
            }

            round = (await rlthf.RoundAsync(orgId, projectId, number, ct))!;
            cli.Out.WriteLine(JsonSerializer.Serialize(round with { Curve = [] }, RoundJson));
            return PortalCli.Ok;
        });
        return command;
    }

    private static readonly JsonSerializerOptions RoundJson = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    /// <summary>The option a service field came from (amplificationRatio → amplification-ratio).</summary>
    private static string Option(string field) =>
        string.Concat(field.Select(c => char.IsUpper(c) ? "-" + char.ToLowerInvariant(c) : c.ToString()));

    private static Command Synth(CliContext cli)
    {
        var pairs = new Option<int>("--pairs") { Description = "How many pairs.", Required = true };
        var seed = new Option<int>("--seed") { Description = "Seed of the sample (every seed draws from the same hidden truth).", DefaultValueFactory = _ => 1 };
        var output = new Option<string?>("--output") { Description = "File to write; standard output when left out." };
        var command = new Command("synth", "Writes a synthetic TRL pair file ({prompt, chosen, rejected} JSONL) whose truth a reward model can learn.")
        {
            pairs, seed, output,
        };
        command.SetAction(parse =>
        {
            var count = parse.GetValue(pairs) is var n and >= 1 ? n : throw new CliUsageException("--pairs must be at least 1.");
            if (parse.GetValue(output) is { } path)
            {
                using var writer = new StreamWriter(path);
                SyntheticPairs.Write(writer, count, parse.GetValue(seed));
            }
            else
            {
                SyntheticPairs.Write(cli.Out, count, parse.GetValue(seed));
            }

            return PortalCli.Ok;
        });
        return command;
    }

    private static (List<PreferencePair> Pairs, int Unlabelled) ReadPairs(string path)
    {
        if (!File.Exists(path))
        {
            throw new CliUsageException($"--input: there is no file '{path}'.");
        }

        try
        {
            var pairs = new List<PreferencePair>();
            var unlabelled = 0;
            foreach (var pair in PreferencePairReader.ReadFile(path))
            {
                if (pair.Label is null)
                {
                    unlabelled++;
                }
                else
                {
                    pairs.Add(pair);
                }
            }

            return pairs.Count > 0
                ? (pairs, unlabelled)
                : throw new CliUsageException(unlabelled > 0 ? $"{path}: none of the file's {unlabelled} pairs says which response is preferred." : $"{path}: the file has no pairs.");
        }
        catch (Exception ex) when (ex is PairFormatException or Portal.Core.Common.InputLimitException)
        {
            throw new CliUsageException($"{path} {ex.Message}");
        }
    }

    private static List<Preference> ReadAiLabels(string path, int pairs)
    {
        if (!File.Exists(path))
        {
            throw new CliUsageException($"--ai-labels: there is no file '{path}'.");
        }

        var labels = new List<Preference>(pairs);
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            string? label;
            try
            {
                using var json = JsonDocument.Parse(line);
                label = json.RootElement.TryGetProperty("label", out var l) && l.ValueKind == JsonValueKind.String ? l.GetString() : null;
            }
            catch (JsonException ex)
            {
                throw new CliUsageException($"{path} line {lineNumber}: not JSON ({ex.Message})");
            }

            labels.Add(label?.ToUpperInvariant() switch
            {
                "CHOSEN" or "A" => Preference.A,
                "REJECTED" or "B" => Preference.B,
                _ => throw new CliUsageException($"{path} line {lineNumber}: field 'label' must be \"chosen\" or \"rejected\"."),
            });
        }

        return labels.Count == pairs
            ? labels
            : throw new CliUsageException($"{path}: {labels.Count} labels for {pairs} pairs; give one label a pair, in the order of --input.");
    }

    private static double InRange(double value, string option) =>
        value is >= 0 and <= 1 ? value : throw new CliUsageException($"{option} must be between 0 and 1, not {value}.");

    /// <summary>Null for the hashed featurizer, else the embedding options.</summary>
    private static EmbeddingOptions? ParseFeaturizer(string text)
    {
        try
        {
            return EmbeddingOptions.Parse(text);
        }
        catch (FormatException ex)
        {
            throw new CliUsageException($"--featurizer: {ex.Message}");
        }
    }

    private static double[] ParseL2(string text)
    {
        var values = new List<double>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            values.Add(double.TryParse(part, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) && v >= 0 && double.IsFinite(v)
                ? v
                : throw new CliUsageException($"--l2: '{part}' is not a number of 0 or more."));
        }
        return values.Count > 0 ? [.. values] : throw new CliUsageException("--l2: give at least one value.");
    }

    private static SelectionStrategy ParseStrategy(string text) => text.ToUpperInvariant() switch
    {
        "RLTHF" => SelectionStrategy.Rlthf,
        "RANDOM" => SelectionStrategy.Random,
        "UNCERTAINTY" => SelectionStrategy.Uncertainty,
        _ => throw new CliUsageException($"--strategy: '{text}' is not rlthf, random or uncertainty."),
    };
}
