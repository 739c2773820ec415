using Hangfire;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Portal.App;
using Portal.App.Data;
using Portal.App.Jobs;

namespace Portal.ClusterNode;

/// <summary>
/// One portal job node (the real Hangfire setup of <see cref="JobRegistry.AddPortalJobs"/>) over the database named by the
/// usual configuration keys. With <c>--numbered=N</c> it also enqueues N <see cref="NumberedJobs"/>; each run prints
/// <c>ran N on NODE</c>, so a test can count who ran what.
/// </summary>
internal static class NodeProgram
{
    public static async Task Main(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);
        var database = DatabaseOptions.FromConfiguration(builder.Configuration);
        builder.Services.AddPortal(database);
        builder.AddPortalJobs(database);
        builder.Services.AddTransient<NumberedJobs>();
        using var host = builder.Build();
        await host.StartAsync();
        Console.WriteLine("node started");

        if (builder.Configuration.GetValue<int?>("numbered") is { } count)
        {
            var client = host.Services.GetRequiredService<IBackgroundJobClient>();
            for (var n = 0; n < count; n++)
            {
                var number = n;
                client.Enqueue<NumberedJobs>(j => j.Run(number));
            }

            Console.WriteLine("enqueued");
        }

        await host.WaitForShutdownAsync();
    }
}

/// <summary>A short job that says who ran it: the clustering test counts its lines.</summary>
public sealed class NumberedJobs(JobsOptions options)
{
    [AutomaticRetry(Attempts = 0)]
    public async Task Run(int number)
    {
        await Task.Delay(50);
        Console.WriteLine($"ran {number} on {options.NodeName}");
    }
}
