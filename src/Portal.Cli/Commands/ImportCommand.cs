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
        var file = new Option<string>("--file") { Description = "JSONL or CSV (.gz allowed); see README, Import.", Required = true };
        var command = new Command("import", "Imports items into a project. A bad line imports nothing and names the line; items whose id the project has are skipped.")
        {
            org, project, file,
        };
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            if (!File.Exists(path))
            {
                throw new CliUsageException($"--file: there is no file '{path}'.");
            }

            await using var services = await cli.MigratedServices(ct);
            var orgText = parse.GetValue(org)!;
            var organisation = await services.GetRequiredService<OrganisationService>().FindOrganisationAsync(orgText, ct)
                ?? throw new CliUsageException($"--org: no organisation with id or name '{orgText}'.");
            var projectText = parse.GetValue(project)!;
            Guid projectId;
            await using (var db = services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateForTenant(organisation.Id))
            {
                var byId = Guid.TryParse(projectText, out var id) ? id : Guid.Empty;
                projectId = await db.Projects
                    .Where(p => p.Id == byId || p.Name == projectText)
                    .Select(p => p.Id).FirstOrDefaultAsync(ct);
            }

            if (projectId == Guid.Empty)
            {
                throw new CliUsageException($"--project: no project with id or name '{projectText}' in {organisation.Name}.");
            }

            using var line = new ProgressLine(cli.Error, "import");
            var result = await services.GetRequiredService<ItemImportService>()
                .ImportAsync(organisation.Id, projectId, path, Path.GetFileName(path), new LineProgress(line), ct);
            cli.Out.WriteLine(ItemImportService.Describe(result));
            return PortalCli.Ok;
        });
        root.Subcommands.Add(command);
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
