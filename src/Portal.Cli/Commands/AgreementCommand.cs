using System.CommandLine;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Features.Quality;
using Portal.Core.Agreement;

namespace Portal.Cli.Commands;

/// <summary><c>portal agreement</c>: inter-rater agreement over a CSV of ratings, printed as one line of JSON.</summary>
public static class AgreementCommand
{
    public static void Add(RootCommand root, CliContext cli)
    {
        var input = new Option<string?>("--input")
        {
            Description = "CSV with a header naming unit, rater and value (other columns are ignored), one rating a row; '-' reads standard input.",
        };
        var project = new Option<string?>("--project")
        {
            Description = "Instead of --input: a project id in the portal database; its annotations are the ratings (items are units, gold items left out).",
        };
        var attribute = new Option<string?>("--attribute")
        {
            Description = "With --project: which rating, 'choice' or 'strength' (pairwise) or a Likert attribute key; the first one by default.",
        };
        var metric = new Option<string>("--metric")
        {
            Description = "krippendorff, fleiss, cohen (exactly two raters), percent or gwet.",
            Required = true,
        };
        var level = new Option<string?>("--level") { Description = "krippendorff only: nominal (default), ordinal, interval or ratio." };
        var weights = new Option<string?>("--weights") { Description = "cohen only: none (default), linear or quadratic." };
        var categories = new Option<string?>("--categories")
        {
            Description = "cohen and gwet only: every category, comma-separated (1,2,3,4,5), including any no one used.",
        };
        var verbose = new Option<bool>("--verbose")
        {
            Description = "With --input: timings to standard error (start, read, compute, compilation, garbage collection).",
        };
        var command = new Command("agreement",
            "Computes an agreement coefficient over ratings and prints one JSON object: metric, value, units, raters, ratings, "
            + "level, weights, and the reason when value is null because the coefficient is undefined for these ratings.")
        {
            input, project, attribute, metric, level, weights, categories, verbose,
        };
        command.SetAction(async (parse, ct) =>
        {
            var request = ParseRequest(parse.GetValue(metric)!, parse.GetValue(level), parse.GetValue(weights), parse.GetValue(categories));
            var (path, projectText) = (parse.GetValue(input), parse.GetValue(project));
            if ((path is null) == (projectText is null))
            {
                throw new CliUsageException("Give either --input (a ratings CSV) or --project (a project id), not both and not neither.");
            }

            if (path is not null)
            {
                if (parse.GetValue(attribute) is not null)
                {
                    throw new CliUsageException("--attribute goes with --project.");
                }

                var timings = parse.GetValue(verbose) ? new Timings() : null;
                var result = Compute(path, request, cli.In, timings);
                // Source-generated: reflection-based serialization would compile its accessors at run time, once per process.
                cli.Out.WriteLine(JsonSerializer.Serialize(result, AgreementJson.Default.AgreementResult));
                timings?.Report(cli.Error);
                return PortalCli.Ok;
            }

            cli.Out.WriteLine(await ComputeProjectAsync(cli, projectText!, parse.GetValue(attribute), request, ct));
            return PortalCli.Ok;
        });
        root.Subcommands.Add(command);
    }

    // Options are checked before the input is opened, so a mistyped metric does not wait for a large file.
    private static AgreementRequest ParseRequest(string metric, string? level, string? weights, string? categories)
    {
        try
        {
            return AgreementRequest.Parse(metric, level, weights, categories);
        }
        catch (AgreementInputException ex)
        {
            throw new CliUsageException(ex.Message);
        }
    }

    private static AgreementResult Compute(string path, AgreementRequest request, TextReader standardInput, Timings? timings)
    {
        var name = path == "-" ? "stdin" : path;
        try
        {
            timings?.Mark("start");
            var table = path == "-" ? AgreementFile.Read(standardInput) : ReadFile(path);
            timings?.Mark("read");
            var result = AgreementRunner.Compute(table, request);
            timings?.Mark("compute");
            return result;
        }
        catch (AgreementInputException ex)
        {
            // The message starts "line N: " when the problem is on one line: "ratings.csv line 7: …".
            throw new CliUsageException(ex.LineNumber is null ? $"{name}: {ex.Message}" : $"{name} {ex.Message}");
        }
    }

    private static async Task<string> ComputeProjectAsync(CliContext cli, string projectText, string? attribute, AgreementRequest request, CancellationToken ct)
    {
        if (!Guid.TryParse(projectText, out var projectId))
        {
            throw new CliUsageException($"--project: '{projectText}' is not a project id.");
        }

        await using var services = await cli.MigratedServices(ct);
        var found = await services.GetRequiredService<QualityService>().RatingsAsync(projectId, ct)
            ?? throw new CliUsageException($"--project: there is no project {projectId}.");
        var keys = QualityCalculator.DimensionKeys(found.Project);
        var key = attribute ?? (keys.Count > 0 ? keys[0] : throw new CliUsageException("--project: the project rates nothing."));
        if (!keys.Contains(key))
        {
            throw new CliUsageException($"--attribute: the project rates no '{key}'; it rates {string.Join(", ", keys)}.");
        }

        var table = QualityCalculator.TableFor(found.Project, found.Rows, key)
            ?? throw new CliUsageException($"--project: the project has no ratings of '{key}' yet.");
        AgreementResult result;
        try
        {
            result = AgreementRunner.Compute(table, request);
        }
        catch (AgreementInputException ex)
        {
            throw new CliUsageException($"project {projectId}, {key}: {ex.Message}");
        }

        // The same object as for a file, with the project and the rating it was computed over.
        var json = JsonSerializer.SerializeToNode(result)!.AsObject();
        json["project"] = projectId.ToString();
        json["attribute"] = key;
        return json.ToJsonString();
    }

    private static RatingTable ReadFile(string path)
    {
        try
        {
            return AgreementFile.ReadFile(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CliUsageException($"--input: there is no file '{path}'.");
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new CliUsageException($"--input: '{path}' cannot be read: {ex.Message}");
        }
    }

    /// <summary>
    /// <c>--verbose</c>: the time since the process started at each mark, with the compilation and garbage collection so far.
    /// </summary>
    private sealed class Timings
    {
        private readonly DateTime _processStart = Process.GetCurrentProcess().StartTime.ToUniversalTime();
        private readonly List<string> _lines = [];

        public void Mark(string phase)
        {
            var (jit, gc) = (System.Runtime.JitInfo.GetCompilationTime(), GC.GetTotalPauseDuration());
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            _lines.Add(FormattableString.Invariant($"{phase}: {(DateTime.UtcNow - _processStart).TotalMilliseconds:F0} ms since process start; cpu {cpu.TotalMilliseconds:F0} ms; compiled {System.Runtime.JitInfo.GetCompiledMethodCount()} methods in {jit.TotalMilliseconds:F0} ms; gc pauses {gc.TotalMilliseconds:F0} ms, collections {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}, allocated {GC.GetTotalAllocatedBytes() >> 20} MB"));
        }

        public void Report(TextWriter error)
        {
            Mark("output");
            foreach (var line in _lines)
            {
                error.WriteLine($"agreement: {line}");
            }
        }
    }
}

/// <summary>The agreement result's JSON, generated at build time.</summary>
[JsonSerializable(typeof(AgreementResult))]
internal sealed partial class AgreementJson : JsonSerializerContext;
