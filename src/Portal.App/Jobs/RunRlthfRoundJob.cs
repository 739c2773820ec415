using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.App.Data;
using Portal.App.Features.Rlthf;

namespace Portal.App.Jobs;

/// <summary>
/// Plans one round of the targeted-feedback loop: retrain, score out of fold, select, queue for humans. Run again after a
/// crash (Hangfire re-queues it), planning from the start is safe: the round's writes are one transaction, and a round no
/// longer planning is left alone.
/// </summary>
public sealed class RunRlthfRoundJob(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock, ILogger<RunRlthfRoundJob> logger, JobProgressBoard board, RlthfService rlthf)
    : PortalJob(dbFactory, clock, logger, board)
{
    public const string RoundIdKey = "roundId";

    protected override string Name => JobRegistry.RunRlthfRound.Name;

    protected override async Task RunAsync(Guid? tenantId, JobArguments args, IJobProgress progress, CancellationToken ct)
    {
        var tenant = tenantId ?? throw new InvalidOperationException("A round belongs to an organisation.");
        var roundId = Guid.Parse(args.Required(RoundIdKey));
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
