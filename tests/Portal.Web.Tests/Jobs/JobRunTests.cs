using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.TestSupport;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Jobs;

public class JobRunTests
{
    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task ExpireLeases_StartedThroughApi_RunsOnQuartzAndRecordsTheRun(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db, jobs: true, schedules: true);
        _ = app.Server;

        // The scheduled trigger fires once at start for every organisation; let it finish so the run below is ours alone.
        for (var i = 0; i < 100 && !await PlatformRunFinishedAsync(db); i++)
        {
            await Task.Delay(100);
        }

        Assert.True(await PlatformRunFinishedAsync(db), "The scheduled expire-leases run did not run at start.");

        await using (var ctx = db.Factory.CreateForTenant(a.Id))
        {
            ctx.Assignments.Add(new Assignment
            {
                ProjectId = a.Project.Id,
                ItemId = a.Item.Id,
                AnnotatorId = a.Member(OrgRoles.Annotator).Id,
                LeasedAt = DateTime.UtcNow.AddHours(-1),
                LeaseExpiresAt = DateTime.UtcNow.AddMinutes(-5),
            });
            await ctx.SaveChangesAsync();
        }

        var admin = await app.SignInAsync(a.Member(OrgRoles.OrgAdmin).Email!);

        var started = await admin.PostAsync($"/api/v1/orgs/{a.Id}/jobs/expire-leases", null);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var runId = (await started.Content.ReadFromJsonAsync<Started>())!.RunId;

        RunView? run = null;
        for (var i = 0; i < 100 && run?.Status is not ("Succeeded" or "Failed"); i++)
        {
            await Task.Delay(200);
            run = await admin.GetFromJsonAsync<RunView>($"/api/v1/orgs/{a.Id}/jobs/runs/{runId}");
        }

        Assert.NotNull(run);
        Assert.Equal("Succeeded", run.Status);
        Assert.Equal(100, run.Progress);
        Assert.Contains("1 expired lease", run.Message, StringComparison.Ordinal);
        await using var check = db.Factory.CreateForTenant(a.Id);
        Assert.Equal(AssignmentStatus.Expired, (await check.Assignments.SingleAsync()).Status);
    }

    private static async Task<bool> PlatformRunFinishedAsync(TestDatabase db)
    {
        await using var ctx = db.Factory.CreateSystem();
        return await ctx.JobRuns.IgnoreQueryFilters().AnyAsync(r => r.TenantId == null && r.Status == RunStatus.Succeeded);
    }

    private sealed record Started(Guid RunId, string Status);

    private sealed record RunView(Guid Id, string JobName, string Status, int Progress, string? Message, string? Error);
}
