using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.App.Data;
using Portal.App.Features.AiLabels;
using Portal.App.Features.Organisations;

namespace Portal.App.Jobs;

/// <summary>Imports an uploaded AI label file into a pairwise project (all or nothing), then deletes the upload.</summary>
public sealed class ImportAiLabelsJob(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock, ILogger<ImportAiLabelsJob> logger, JobProgressBoard board, AiLabelService labels)
    : PortalJob(dbFactory, clock, logger, board)
{
    public const string ProjectIdKey = "projectId";
    public const string PathKey = "path";
    public const string FileNameKey = "fileName";

    protected override string Name => JobRegistry.ImportAiLabels.Name;

    protected override async Task RunAsync(Guid? tenantId, JobArguments args, IJobProgress progress, CancellationToken ct)
    {
        var path = args.Required(PathKey);
        try
        {
            await labels.ImportFileAsync(
                tenantId ?? throw new InvalidOperationException("An AI label import belongs to an organisation."),
                Guid.Parse(args.Required(ProjectIdKey)), path, args.Required(FileNameKey), progress, ct);
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

/// <summary>Asks the project's LLM labeler about its pairwise items without an AI label (or all of them, with <see cref="AllKey"/>).</summary>
public sealed class LabelWithLlmJob(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock, ILogger<LabelWithLlmJob> logger, JobProgressBoard board, LlmLabelerService labeler)
    : PortalJob(dbFactory, clock, logger, board)
{
    public const string ProjectIdKey = "projectId";
    public const string AllKey = "all";

    protected override string Name => JobRegistry.LabelWithLlm.Name;

    protected override Task RunAsync(Guid? tenantId, JobArguments args, IJobProgress progress, CancellationToken ct) =>
        labeler.LabelAsync(
            tenantId ?? throw new InvalidOperationException("LLM labeling belongs to an organisation."),
            Guid.Parse(args.Required(ProjectIdKey)),
            string.Equals(args.GetString(AllKey), "true", StringComparison.OrdinalIgnoreCase),
            progress, ct);
}
