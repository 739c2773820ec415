using System.CommandLine;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portal.App;
using Portal.App.Data;
using Portal.App.Jobs;

namespace Portal.Cli.Commands;

/// <summary><c>portal worker</c>: a job server for the configured database and queues, until stopped; no pages, no API.</summary>
public static class WorkerCommand
{
    public static void Add(RootCommand root, CliContext cli)
    {
        var queues = new Option<string?>("--queues")
        {
            Description = "Comma-separated queues to serve: default, gpu. Jobs:Queues when left out, else every queue.",
        };
        var name = new Option<string?>("--name")
        {
            Description = "The worker's name, shown as the node of the runs it does. Jobs:NodeName when left out, else the machine name.",
        };
        var command = new Command("worker",
            "Runs background jobs from the configured database until stopped (Ctrl+C): no pages, no API, the recurring jobs left "
            + "to the web nodes. A GPU worker beside web nodes on PostgreSQL: portal worker --queues gpu (docs/gpu-worker.md).")
        {
            queues, name,
        };
        command.SetAction(async (parse, ct) =>
        {
            var settings = new Dictionary<string, string?> { ["Jobs:Enabled"] = "true", ["Jobs:WorkerOnly"] = "true" };
            if (parse.GetValue(queues) is { } q)
            {
                settings["Jobs:Queues"] = q;
            }

            if (parse.GetValue(name) is { } n)
            {
                settings["Jobs:NodeName"] = n;
            }

            var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
            builder.Configuration.AddConfiguration(cli.Configuration());
            builder.Configuration.AddInMemoryCollection(settings);
            builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging")).AddSimpleConsole(o => o.SingleLine = true);
            var database = DatabaseOptions.FromConfiguration(builder.Configuration);
            builder.Services.AddPortal(database);
            builder.AddPortalJobs(database);
            using var host = builder.Build();
            await Migrator.MigrateAsync(host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>(), ct);
            await host.StartAsync(ct);
            var options = host.Services.GetRequiredService<JobsOptions>();
            cli.Out.WriteLine($"Worker {options.NodeName} serves the queues {string.Join(", ", options.Queues)}; Ctrl+C stops it.");
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                // Stopped: let the running jobs end (or be run again elsewhere) as Hangfire's shutdown decides.
            }

            await host.StopAsync(CancellationToken.None);
            return PortalCli.Ok;
        });
        root.Subcommands.Add(command);
    }
}
