using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.App.Data;
using Portal.App.Features.AiLabels;
using Quartz;

namespace Portal.App.Jobs;

/// <summary>Imports an uploaded AI label file into a pairwise project (all or nothing), then deletes the upload.</summary>
public sealed class ImportAiLabelsJob(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock, ILogger<ImportAiLabelsJob> logger, JobProgressBoard board, AiLabelService labels)
    : PortalJob(dbFactory, clock, logger, board)
{
    public const string ProjectIdKey = "projectId";
    public const string PathKey = "path";
    public const string FileNameKey = "fileName";

    protected override string Name => JobRegistry.ImportAiLabels.Name;

    protected override async Task RunAsync(Guid? tenantId, JobDataMap data, IJobProgress progress, CancellationToken ct)
    {
        var path = Required(data, PathKey);
        try
        {
            await labels.ImportFileAsync(
                tenantId ?? throw new InvalidOperationException("An AI label import belongs to an organisation."),
                Guid.Parse(Required(data, ProjectIdKey)), path, Required(data, FileNameKey), progress, ct);
        }
        finally
        {
            File.Delete(path);
        }
    }

    internal static string Required(JobDataMap data, string key) =>
        data.GetString(key) ?? throw new InvalidOperationException($"The job was started without '{key}'.");
}

/// <summary>Asks the project's LLM labeler about its pairwise items without an AI label (or all of them, with <see cref="AllKey"/>).</summary>
[DisallowConcurrentExecution]
public sealed class LabelWithLlmJob(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock, ILogger<LabelWithLlmJob> logger, JobProgressBoard board, LlmLabelerService labeler)
    : PortalJob(dbFactory, clock, logger, board)
{
    public const string ProjectIdKey = "projectId";
    public const string AllKey = "all";

    protected override string Name => JobRegistry.LabelWithLlm.Name;

    protected override Task RunAsync(Guid? tenantId, JobDataMap data, IJobProgress progress, CancellationToken ct) =>
        labeler.LabelAsync(
            tenantId ?? throw new InvalidOperationException("LLM labeling belongs to an organisation."),
            Guid.Parse(ImportAiLabelsJob.Required(data, ProjectIdKey)),
            string.Equals(data.GetString(AllKey), "true", StringComparison.OrdinalIgnoreCase),
            progress, ct);
}
