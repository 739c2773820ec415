using System.CommandLine;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Import;
using Portal.App.Features.Organisations;
using Portal.App.Jobs;

namespace Portal.Cli.Commands;

/// <summary><c>portal import</c>: a project's items from a JSONL or CSV file, all or nothing, with a progress line.</summary>
public static class ImportCommand
{
    public static void Add(RootCommand root, CliContext cli)
    {
        var org = new Option<string>("--org") { Description = "Organisation id or exact name.", Required = true };
        var project = new Option<string>("--project") { Description = "Project id or exact name within the organisation.", Required = true };
        var file = new Option<string>("--file") { Description = "JSONL, CSV (.gz allowed) or Parquet; see README, Import.", Required = true };
        var format = new Option<string>("--format") { Description = "A pair file's shape: auto (from the first record), trl, ultrafeedback, chatbot-arena, shp." };
        var labels = new Option<string>("--labels")
        {
            Description = "The file's labels: ignore (default), ai (AI labels of the items) or external (annotations of external raters, one per rater id the file names, else one for the dataset).",
        };
        var source = new Option<string>("--source") { Description = "The dataset's name: the AI labels' model when the file names no judge, the external raters' source (default: the file's name)." };
        var attributes = new Option<string>("--attributes") { Description = "A HelpSteer2 file into a Likert project: keep (default; an error if the project rates other attributes) or helpsteer2 (replace them with HelpSteer2's five 0–4 attributes)." };
        var command = new Command("import", "Imports items into a project. A bad line imports nothing and names the line; items whose id the project has are skipped.")
        {
            org, project, file, format, labels, source, attributes,
        };
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            if (!File.Exists(path))
            {
                throw new CliUsageException($"--file: there is no file '{path}'.");
            }

            ImportOptions options;
            try
            {
                options = ImportOptions.Parse(parse.GetValue(format), parse.GetValue(labels), parse.GetValue(source), parse.GetValue(attributes));
            }
            catch (PortalValidationException ex)
            {
                throw new CliUsageException($"--{ex.Field}: {ex.Message}");
            }

            await using var services = await cli.MigratedServices(ct);
            var (orgId, projectId) = await CliContext.ResolveProjectAsync(services, parse.GetValue(org)!, parse.GetValue(project)!, ct);
            using var line = new ProgressLine(cli.Error, "import");
            var result = await services.GetRequiredService<ItemImportService>()
                .ImportAsync(orgId, projectId, path, Path.GetFileName(path), options, new LineProgress(line), ct);
            cli.Out.WriteLine(ItemImportService.Describe(result));
            return PortalCli.Ok;
        });
        root.Subcommands.Add(command);
    }

    internal sealed class LineProgress(ProgressLine line) : IJobProgress
    {
        public ValueTask ReportAsync(int percent, string? message = null)
        {
            line.Report(percent / 100.0);
            return ValueTask.CompletedTask;
        }
    }
}
