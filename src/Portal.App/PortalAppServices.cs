using Microsoft.Extensions.DependencyInjection;
using Portal.App.Demo;
using Portal.App.Features.Invites;
using Portal.App.Features.Organisations;
using Portal.App.Features.Projects;

namespace Portal.App;

public static class PortalAppServices
{
    /// <summary>The feature services shared by the web app and the CLI. Identity and the database are registered by the host.</summary>
    public static IServiceCollection AddPortalFeatures(this IServiceCollection services)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddScoped<OrganisationService>();
        services.AddScoped<InviteService>();
        services.AddScoped<ProjectQueries>();
        services.AddScoped<DemoSeeder>();
        return services;
    }
}
