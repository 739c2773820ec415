using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portal.App;
using Portal.App.Data;
using Portal.App.Jobs;

namespace Portal.Cli;

/// <summary>The services a CLI command works with: the same database, features and Identity rules as the web app.</summary>
public static class CliHost
{
    public static ServiceProvider Build(IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var configuration = Configuration(overrides);
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(l => l.AddConfiguration(configuration.GetSection("Logging")).SetMinimumLevel(LogLevel.Warning));
        services.AddPortal(DatabaseOptions.FromConfiguration(configuration));
        services.AddJobsSwitchedOff();
        return services.BuildServiceProvider();
    }

    /// <summary>The shared defaults, then environment variables, then <paramref name="overrides"/>.</summary>
    public static IConfigurationRoot Configuration(IReadOnlyDictionary<string, string?>? overrides = null) =>
        new ConfigurationBuilder()
            .AddPortalDefaults()
            .AddEnvironmentVariables()
            .AddInMemoryCollection(overrides ?? new Dictionary<string, string?>())
            .Build();
}
