using Portal.App.Data;
using Portal.TestSupport;
using Portal.Web.Features.Jobs;

namespace Portal.Web.Components.Tests.Features.Jobs;

public class JobRunsTableTests : PortalComponentTest
{
    private const string LongError =
        "bad.jsonl line 17: expected \"response_b\" (or \"rejected\") beside \"prompt\"; nothing was imported. Fix the line and upload the file again.";

    private async Task<TestTenant> SeedAsync()
    {
        var db = await UseDatabaseAsync();
        var tenant = await db.CreateTestTenantAsync("Acme");
        await using var ctx = db.Factory.CreateSystem();
        var now = DateTime.UtcNow;
        ctx.JobRuns.Add(new JobRun { TenantId = tenant.Id, JobName = "import-items", Status = RunStatus.Failed, Progress = 40, Error = LongError, Node = "NON_CLUSTERED", QueuedAt = now.AddMinutes(-2), StartedAt = now.AddMinutes(-2), EndedAt = now.AddMinutes(-1) });
        ctx.JobRuns.Add(new JobRun { TenantId = tenant.Id, JobName = "import-items", Status = RunStatus.Running, Progress = 65, Message = "Imported 5 items of 8 so far; the rest follow.", Node = "NON_CLUSTERED", QueuedAt = now, StartedAt = now });
        await ctx.SaveChangesAsync();
        RenderProviders();
        return tenant;
    }

    [Fact]
    public async Task Render_FailedRun_ShowsTheWholeErrorInAnAlert()
    {
        var tenant = await SeedAsync();

        var cut = Render<JobRunsTable>(p => p.Add(x => x.TenantId, tenant.Id));

        cut.WaitForAssertion(() => Assert.Equal(LongError, cut.Find("[data-testid=run-error] .mud-alert-message").TextContent.Trim()));
    }

    [Fact]
    public async Task Render_RunningRun_ShowsItsProgressAndWholeMessage()
    {
        var tenant = await SeedAsync();

        var cut = Render<JobRunsTable>(p => p.Add(x => x.TenantId, tenant.Id));

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=run-status]").Count));
        Assert.Equal(["Running", "Failed"], cut.FindAll("[data-testid=run-status]").Select(e => e.TextContent.Trim()));
        Assert.Equal("65", cut.FindAll("[data-testid=run-progress]")[0].GetAttribute("data-value"));
        Assert.Equal("Imported 5 items of 8 so far; the rest follow.", cut.Find("[data-testid=run-message]").TextContent.Trim());
    }

    [Fact]
    public async Task Render_ForAnOrganisation_HidesTheNodeAndThePlatformShowsIt()
    {
        var tenant = await SeedAsync();

        var org = Render<JobRunsTable>(p => p.Add(x => x.TenantId, tenant.Id));
        org.WaitForAssertion(() => Assert.Equal(2, org.FindAll("[data-testid=run-status]").Count));
        Assert.DoesNotContain("NON_CLUSTERED", org.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain(org.FindAll("th"), th => th.TextContent.Trim() == "Node");

        var platform = Render<JobRunsTable>(p => p.Add(x => x.TenantId, tenant.Id).Add(x => x.ShowNode, true));
        platform.WaitForAssertion(() => Assert.Contains("NON_CLUSTERED", platform.Markup, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Render_WithProjectId_ShowsOnlyThatProjectsRuns()
    {
        var db = await UseDatabaseAsync();
        var tenant = await db.CreateTestTenantAsync("Acme");
        var (other, _) = await db.CreateTestProjectAsync(tenant.Id, "Other project");
        await db.AddJobRunsAsync(tenant.Id, tenant.Project.Id, 2, "import-items");
        await db.AddJobRunsAsync(tenant.Id, other.Id, 3, "cut-release");
        await db.AddJobRunsAsync(tenant.Id, null, 1, "expire-leases");
        RenderProviders();

        var project = Render<JobRunsTable>(p => p.Add(x => x.TenantId, tenant.Id).Add(x => x.ProjectId, tenant.Project.Id));
        var org = Render<JobRunsTable>(p => p.Add(x => x.TenantId, tenant.Id));

        project.WaitForAssertion(() => Assert.Equal(["import-items run 02", "import-items run 01"], Messages(project)));
        org.WaitForAssertion(() => Assert.Equal(6, Messages(org).Count));
    }

    [Fact]
    public async Task Render_MoreRunsThanAPage_PagesInTheDatabaseWithTheTotal()
    {
        var db = await UseDatabaseAsync();
        var tenant = await db.CreateTestTenantAsync("Acme");
        await db.AddJobRunsAsync(tenant.Id, tenant.Project.Id, 23);
        RenderProviders();

        var cut = Render<JobRunsTable>(p => p.Add(x => x.TenantId, tenant.Id).Add(x => x.ProjectId, tenant.Project.Id));

        cut.WaitForAssertion(() => Assert.Equal(Enumerable.Range(14, 10).Reverse().Select(n => $"import-items run {n:00}"), Messages(cut)));
        Assert.Contains("1-10 of 23", cut.Find(".mud-table-pagination").TextContent, StringComparison.Ordinal);

        cut.Find("button[aria-label='Next page']").Click();

        cut.WaitForAssertion(() => Assert.Equal(Enumerable.Range(4, 10).Reverse().Select(n => $"import-items run {n:00}"), Messages(cut)));
        Assert.Contains("11-20 of 23", cut.Find(".mud-table-pagination").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_FromTheSecondPage_ShowsTheMatchingRunsFromTheFirst()
    {
        var db = await UseDatabaseAsync();
        var tenant = await db.CreateTestTenantAsync("Acme");
        await db.AddJobRunsAsync(tenant.Id, tenant.Project.Id, 23);
        RenderProviders();
        var cut = Render<JobRunsTable>(p => p.Add(x => x.TenantId, tenant.Id).Add(x => x.ProjectId, tenant.Project.Id));
        cut.WaitForAssertion(() => Assert.Equal(10, Messages(cut).Count));
        cut.Find("button[aria-label='Next page']").Click();
        cut.WaitForAssertion(() => Assert.Contains("11-20 of 23", cut.Find(".mud-table-pagination").TextContent, StringComparison.Ordinal));

        cut.Find("input[data-testid=job-runs-search]").Change("RUN 0");

        cut.WaitForAssertion(() => Assert.Equal(Enumerable.Range(1, 9).Reverse().Select(n => $"import-items run {n:00}"), Messages(cut)));
        Assert.Contains("1-9 of 9", cut.Find(".mud-table-pagination").TextContent, StringComparison.Ordinal);
    }

    private static List<string> Messages(IRenderedComponent<JobRunsTable> cut) =>
        [.. cut.FindAll("[data-testid=run-message]").Select(m => m.TextContent.Trim())];
}
