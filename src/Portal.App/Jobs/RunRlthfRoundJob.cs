using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.App.Data;
using Portal.App.Features.Rlthf;
using Quartz;

namespace Portal.App.Jobs;

/// <summary>
/// Plans one round of the targeted-feedback loop: retrain, score out of fold, select, queue for humans. Recovered after a crash
/// (Quartz re-runs it), and planning again from the start is safe: the round's writes are one transaction.
/// </summary>
public sealed class RunRlthfRoundJob(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock, ILogger<RunRlthfRoundJob> logger, JobProgressBoard board, RlthfService rlthf)
    : PortalJob(dbFactory, clock, logger, board)
{
    public const string RoundIdKey = "roundId";

    protected override string Name => JobRegistry.RunRlthfRound.Name;

    protected override async Task RunAsync(Guid? tenantId, JobDataMap data, IJobProgress progress, CancellationToken ct)
    {
        var tenant = tenantId ?? throw new InvalidOperationException("A round belongs to an organisation.");
        var roundId = Guid.Parse(data.GetString(RoundIdKey) ?? throw new InvalidOperationException("The job needs a round id."));
        try
        {
            await rlthf.PlanAsync(tenant, roundId, progress, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await rlthf.FailAsync(tenant, roundId, ex.Message, CancellationToken.None);
            throw;
        }
    }
}
