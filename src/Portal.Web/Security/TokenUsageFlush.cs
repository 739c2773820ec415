using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features.Tokens;

namespace Portal.Web.Security;

/// <summary>
/// Writes the API tokens' last-use times every <c>Tokens:LastUsedFlushMinutes</c> (5 by default) and once more on
/// shutdown, off every request's path. A failed write (a busy database) is logged and retried at the next tick.
/// </summary>
internal sealed class TokenUsageFlush(TokenUsage usage, IDbContextFactory<PortalDbContext> dbFactory, IConfiguration configuration, ILogger<TokenUsageFlush> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var every = TimeSpan.FromMinutes(Math.Max(0.05, configuration.GetValue("Tokens:LastUsedFlushMinutes", 5.0)));
        using var timer = new PeriodicTimer(every);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: StopAsync flushes once more.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync(cancellationToken);
    }

    private async Task FlushAsync(CancellationToken ct)
    {
        try
        {
            await usage.FlushAsync(dbFactory, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Could not write the API tokens' last-use times; they are kept for the next try.");
        }
    }
}
