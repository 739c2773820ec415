using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.App.Data;
using Portal.App.Features.RedTeam;

namespace Portal.App.Jobs;

/// <summary>Makes a red-team run's attacks (see <see cref="RedTeamRunner"/>); a run that cannot go on is marked failed with the reason.</summary>
public sealed class RedTeamJob(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock, ILogger<RedTeamJob> logger, JobProgressBoard board, RedTeamRunner runner)
    : PortalJob(dbFactory, clock, logger, board)
{
    public const string RunIdKey = "redTeamRunId";

    protected override string Name => JobRegistry.RedTeam.Name;

    protected override async Task RunAsync(Guid? tenantId, JobArguments args, IJobProgress progress, CancellationToken ct)
    {
        var tenant = tenantId ?? throw new InvalidOperationException("A red-team run belongs to an organisation.");
        var runId = Guid.Parse(args.Required(RunIdKey));
        try
        {
            await runner.RunAsync(tenant, runId, progress, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not RedTeamRunFailedException)
        {
            await runner.FailAsync(tenant, runId, ex.Message, CancellationToken.None);
            throw;
        }
    }
}
