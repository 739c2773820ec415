using System.CommandLine;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.AiLabels;
using Portal.App.Jobs;

namespace Portal.Cli.Commands;

/// <summary><c>portal ai-labels import</c>: a pairwise project's AI labels from JSONL, all or nothing, with a progress line.</summary>
public static class AiLabelsCommand
{
    public static void Add(RootCommand root, CliContext cli)
    {
        var project = new Option<string>("--project") { Description = "The project's id.", Required = true };
        var input = new Option<string>("--input") { Description = "JSONL (.gz allowed), one {\"item\", \"choice\", \"confidence\", \"model\", \"rationale\"} a line.", Required = true };
        var import = new Command("import", "Imports AI labels into a pairwise project. A bad line imports nothing and names the line and field; labels of items already labelled are replaced.")
        {
            project, input,
        };
        import.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(input)!;
            if (!File.Exists(path))
            {
                throw new CliUsageException($"--input: there is no file '{path}'.");
            }

            var projectText = parse.GetValue(project)!;
            if (!Guid.TryParse(projectText, out var projectId))
            {
                throw new CliUsageException($"--project: '{projectText}' is not a project id (a GUID).");
            }

            await using var services = await cli.MigratedServices(ct);
            Guid? tenantId;
            await using (var db = services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateSystem())
            {
                tenantId = await db.Projects.IgnoreQueryFilters().Where(p => p.Id == projectId).Select(p => (Guid?)p.TenantId).FirstOrDefaultAsync(ct);
            }

            if (tenantId is null)
            {
                throw new CliUsageException($"--project: there is no project {projectId}.");
            }

            using var line = new ProgressLine(cli.Error, "ai-labels import");
            var result = await services.GetRequiredService<AiLabelService>()
                .ImportFileAsync(tenantId.Value, projectId, path, Path.GetFileName(path), new LineProgress(line), ct);
            cli.Out.WriteLine(AiLabelService.Describe(result));
            return PortalCli.Ok;
        });
        root.Subcommands.Add(new Command("ai-labels", "AI labels of pairwise projects.") { import });
    }

    private sealed class LineProgress(ProgressLine line) : IJobProgress
    {
        public ValueTask ReportAsync(int percent, string? message = null)
        {
            line.Report(percent / 100.0);
            return ValueTask.CompletedTask;
        }
    }
}
