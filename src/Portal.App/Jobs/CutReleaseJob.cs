using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.App.Data;
using Portal.App.Features.Releases;

namespace Portal.App.Jobs;

/// <summary>Takes a release's snapshot and hashes its files; the release stays invisible to clients until this succeeds.</summary>
public sealed class CutReleaseJob(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock, ILogger<CutReleaseJob> logger, JobProgressBoard board, ReleaseCutter cutter)
    : PortalJob(dbFactory, clock, logger, board)
{
    public const string ReleaseIdKey = "releaseId";

    protected override string Name => JobRegistry.CutRelease.Name;

    protected override Task RunAsync(Guid? tenantId, JobArguments args, IJobProgress progress, CancellationToken ct) =>
        cutter.CutAsync(
            tenantId ?? throw new InvalidOperationException("A release belongs to an organisation."),
            Guid.Parse(args.Required(ReleaseIdKey)),
            progress,
            ct);
}
