using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Demo;

namespace Portal.Web;

internal static class StartupTasks
{
    /// <summary>Applies migrations and, on a first start with <c>Demo:SeedOnStart</c>, seeds the demo and prints its sign-ins.</summary>
    public static async Task PrepareDatabaseAsync(this IServiceProvider services, IConfiguration configuration, ILogger logger)
    {
        await Migrator.MigrateAsync(services.GetRequiredService<IDbContextFactory<PortalDbContext>>());
        if (!configuration.GetValue("Demo:SeedOnStart", false))
        {
            return;
        }

        await using var scope = services.CreateAsyncScope();
        var seeded = await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedAsync();
        if (seeded)
        {
            Console.WriteLine(DemoSeeder.SignInTable());
        }
        else
        {
            logger.LogInformation("Demo organisation already present; sign-ins are in README.md");
        }
    }
}
