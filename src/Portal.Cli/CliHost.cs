using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portal.App;
using Portal.App.Data;

namespace Portal.Cli;

/// <summary>The services a CLI command works with: the same database, features and Identity rules as the web app.</summary>
public static class CliHost
{
    public static ServiceProvider Build(IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var configuration = new ConfigurationBuilder()
            .AddPortalDefaults()
            .AddEnvironmentVariables()
            .AddInMemoryCollection(overrides ?? new Dictionary<string, string?>())
            .Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(l => l.AddConfiguration(configuration.GetSection("Logging")).SetMinimumLevel(LogLevel.Warning));
        services.AddPortal(DatabaseOptions.FromConfiguration(configuration));
        return services.BuildServiceProvider();
    }
}
