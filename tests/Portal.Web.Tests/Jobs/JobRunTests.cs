using System.Net;
using System.Net.Http.Json;
using Hangfire;
using Hangfire.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.TestSupport;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Jobs;

public class JobRunTests
{
    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task ExpireLeases_StartedThroughApi_RunsOnHangfireAndRecordsTheRun(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db, jobs: true);
        _ = app.Server;

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
        Assert.Equal("web-test", run.Node);
        await using var check = db.Factory.CreateForTenant(a.Id);
        Assert.Equal(AssignmentStatus.Expired, (await check.Assignments.SingleAsync()).Status);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Schedules_OnOrOff_DefineOrRemoveTheRecurringJobs(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using (var on = new PortalFactory(db, jobs: true, schedules: true))
        {
            _ = on.Server;
            var crons = Recurring(on);
            Assert.Equal("* * * * *", crons["expire-leases"]);
            Assert.Equal("*/2 * * * *", crons["recompute-quality"]);
        }

        await using var off = new PortalFactory(db, jobs: true, schedules: false);
        _ = off.Server;
        Assert.Empty(Recurring(off));
    }

    private static Dictionary<string, string> Recurring(PortalFactory app)
    {
        using var connection = app.Services.GetRequiredService<JobStorage>().GetConnection();
        return connection.GetRecurringJobs().ToDictionary(j => j.Id, j => j.Cron);
    }

    private sealed record Started(Guid RunId, string Status);

    private sealed record RunView(Guid Id, string JobName, string Status, int Progress, string? Message, string? Error, string? Node);
}
