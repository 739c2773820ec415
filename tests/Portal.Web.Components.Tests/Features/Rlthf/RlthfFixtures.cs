using Portal.App.Features.Quality;
using Portal.App.Features.Rlthf;
using Portal.App.Jobs;
using Portal.Core.Rlthf;
using Portal.TestSupport;

namespace Portal.Web.Components.Tests.Features.Rlthf;

public static class RlthfFixtures
{
    /// <summary>A loop of <paramref name="pairs"/> AI-labelled pairs and, when <paramref name="budget"/> is given, one round planned in this process (what its job does).</summary>
    public static async Task<(TestTenant Tenant, LoopProject Loop, RoundView? Round)> LoopWithRoundAsync(this TestDatabase db, int pairs = 60, string? budget = "6")
    {
        var tenant = await db.CreateTestTenantAsync("Loop");
        var loop = await db.CreateLoopProjectAsync(tenant.Id, pairs, aiError: 0.25, seed: 7);
        if (budget is null)
        {
            return (tenant, loop, null);
        }

        var service = new RlthfService(db.Factory, TimeProvider.System,
            new JobLauncher(db.Factory, new RecordingScheduling(), TimeProvider.System, new JobProgressBoard()),
            new QualityService(db.Factory, TimeProvider.System), new LinearRewardTrainer());
        var number = await service.StartAsync(tenant.Id, loop.Project.Id, null, new StartRoundInput(budget), launch: false);
        var round = await service.RoundAsync(tenant.Id, loop.Project.Id, number!.Value);
        await service.PlanAsync(tenant.Id, round!.Id, null, CancellationToken.None);
        return (tenant, loop, await service.RoundAsync(tenant.Id, loop.Project.Id, number.Value));
    }
}
