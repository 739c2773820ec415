using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;

namespace Portal.Cli;

/// <summary>Where a command reads and writes and how it gets its services; tests give their own reader, writers and settings.</summary>
public sealed class CliContext(
    TextWriter output,
    TextWriter error,
    IReadOnlyDictionary<string, string?>? settings = null,
    TextReader? input = null)
{
    public TextWriter Out { get; } = output;
    public TextWriter Error { get; } = error;

    /// <summary>Standard input, for <c>--input -</c>.</summary>
    public TextReader In { get; } = input ?? Console.In;

    public ServiceProvider Services() => CliHost.Build(settings);

    /// <summary>Services with some settings replaced, such as a scratch database.</summary>
    public ServiceProvider Services(IReadOnlyDictionary<string, string?> replaced)
    {
        var merged = settings is null ? new Dictionary<string, string?>() : new Dictionary<string, string?>(settings);
        foreach (var (key, value) in replaced)
        {
            merged[key] = value;
        }

        return CliHost.Build(merged);
    }

    /// <summary>The configuration commands see: shared defaults, environment, then the context's settings.</summary>
    public Microsoft.Extensions.Configuration.IConfiguration Configuration() => CliHost.Configuration(settings);

    /// <summary>Services over a database brought up to date first, as the web app does at start.</summary>
    public async Task<ServiceProvider> MigratedServices(CancellationToken ct)
    {
        var services = Services();
        await Migrator.MigrateAsync(services.GetRequiredService<IDbContextFactory<PortalDbContext>>(), ct);
        return services;
    }

    /// <summary>The organisation (id or exact name) and its project (id or exact name) that <c>--org</c> and <c>--project</c> name.</summary>
    public static async Task<(Guid OrgId, Guid ProjectId)> ResolveProjectAsync(IServiceProvider services, string orgText, string projectText, CancellationToken ct)
    {
        var organisation = await services.GetRequiredService<App.Features.Organisations.OrganisationService>().FindOrganisationAsync(orgText, ct)
            ?? throw new Commands.CliUsageException($"--org: no organisation with id or name '{orgText}'.");
        await using var db = services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateForTenant(organisation.Id);
        var byId = Guid.TryParse(projectText, out var id) ? id : Guid.Empty;
        var projectId = await db.Projects.Where(p => p.Id == byId || p.Name == projectText).Select(p => p.Id).FirstOrDefaultAsync(ct);
        return projectId == Guid.Empty
            ? throw new Commands.CliUsageException($"--project: no project with id or name '{projectText}' in {organisation.Name}.")
            : (organisation.Id, projectId);
    }
}
