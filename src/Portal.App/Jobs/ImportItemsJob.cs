using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.App.Data;
using Portal.App.Features.Import;
using Quartz;

namespace Portal.App.Jobs;

/// <summary>Imports an uploaded item file into a project (all or nothing), then deletes the upload.</summary>
public sealed class ImportItemsJob(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock, ILogger<ImportItemsJob> logger, JobProgressBoard board, ItemImportService imports)
    : PortalJob(dbFactory, clock, logger, board)
{
    public const string ProjectIdKey = "projectId";
    public const string PathKey = "path";
    public const string FileNameKey = "fileName";

    protected override string Name => JobRegistry.ImportItems.Name;

    protected override async Task RunAsync(Guid? tenantId, JobDataMap data, IJobProgress progress, CancellationToken ct)
    {
        var path = Required(data, PathKey);
        try
        {
            await imports.ImportAsync(
                tenantId ?? throw new InvalidOperationException("An import belongs to an organisation."),
                Guid.Parse(Required(data, ProjectIdKey)),
                path,
                Required(data, FileNameKey),
                progress,
                ct);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string Required(JobDataMap data, string key) =>
        data.GetString(key) ?? throw new InvalidOperationException($"The import job was started without '{key}'.");
}
