using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;

namespace Portal.App;

public static class PortalConfiguration
{
    /// <summary>
    /// Puts the repository's shared <c>appsettings.json</c> (copied beside the web app and the CLI) underneath every
    /// other source, so environment variables and command-line switches still override it.
    /// </summary>
    public static IConfigurationBuilder AddPortalDefaults(this IConfigurationBuilder configuration)
    {
        var source = new JsonConfigurationSource
        {
            Path = Path.Combine(AppContext.BaseDirectory, "appsettings.json"),
            Optional = false,
        };
        source.ResolveFileProvider();
        configuration.Sources.Insert(0, source);
        return configuration;
    }
}
