using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.App.Data;
using Portal.App.Features.Import;
using Portal.App.Features.Organisations;

namespace Portal.App.Jobs;

/// <summary>Imports an uploaded item file into a project (all or nothing, staged in batches), then deletes the upload.</summary>
public sealed class ImportItemsJob(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock, ILogger<ImportItemsJob> logger, JobProgressBoard board, ItemImportService imports)
    : PortalJob(dbFactory, clock, logger, board)
{
    public const string ProjectIdKey = "projectId";
    public const string PathKey = "path";
    public const string FileNameKey = "fileName";
    public const string FormatKey = "format";
    public const string LabelsKey = "labels";
    public const string SourceKey = "source";
    public const string AttributesKey = "attributes";

    /// <summary>The job arguments that carry <paramref name="options"/>.</summary>
    public static void AddOptions(Dictionary<string, string> args, ImportOptions options)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(options);
        args[FormatKey] = options.FormatName;
        args[LabelsKey] = options.LabelsName;
        if (options.Source is { } source)
        {
            args[SourceKey] = source;
        }

        if (options.ReplaceAttributes)
        {
            args[AttributesKey] = options.AttributesName;
        }
    }

    protected override string Name => JobRegistry.ImportItems.Name;

    protected override async Task RunAsync(Guid? tenantId, JobArguments args, IJobProgress progress, CancellationToken ct)
    {
        var path = args.Required(PathKey);
        try
        {
            await imports.ImportAsync(
                tenantId ?? throw new InvalidOperationException("An import belongs to an organisation."),
                Guid.Parse(args.Required(ProjectIdKey)),
                path,
                args.Required(FileNameKey),
                ImportOptions.Parse(args.GetString(FormatKey), args.GetString(LabelsKey), args.GetString(SourceKey), args.GetString(AttributesKey)),
                // The run's id keys its staged rows: a re-run after a node died clears what the stopped run staged.
                args.RunId,
                progress,
                ct);
        }
        catch (PortalValidationException)
        {
            // The file itself is wrong: no retry will read it better.
            File.Delete(path);
            throw;
        }
    }

    /// <summary>The upload stays until the import is done (or the file is found wrong), so a retry can read it again.</summary>
    protected override void AfterDone(JobArguments args) => File.Delete(args.Required(PathKey));
}
