using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features.Projects;
using Portal.TestSupport;
using Portal.Web.Features.Projects;

namespace Portal.Web.Components.Tests.Features.Projects;

/// <summary>The project's pause and archive controls on a real SQLite database.</summary>
public class ProjectLifecycleTests : PortalComponentTest
{
    private async Task<(TestDatabase Db, TestTenant Tenant)> SeedAsync()
    {
        var db = await UseDatabaseAsync();
        var tenant = await db.CreateTestTenantAsync("Acme");
        SignIn("admin@acme.test", tenant.Member(OrgRoles.ProjectAdmin).Id);
        return (db, tenant);
    }

    private static async Task<Project> StoredAsync(TestDatabase db, TestTenant tenant)
    {
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        return await ctx.Projects.AsNoTracking().SingleAsync(p => p.Id == tenant.Project.Id);
    }

    private IRenderedComponent<ProjectLifecycle> RenderFor(TestTenant tenant, Action<ProjectDetails> changed, DateTime? paused = null, DateTime? archived = null) =>
        Render<ProjectLifecycle>(p => p
            .Add(x => x.OrgId, tenant.Id)
            .Add(x => x.ProjectId, tenant.Project.Id)
            .Add(x => x.Name, tenant.Project.Name)
            .Add(x => x.PausedAt, paused)
            .Add(x => x.ArchivedAt, archived)
            .Add(x => x.Changed, changed));

    [Fact]
    public async Task Pause_OpenProject_PausesItAndHandsTheChangeToThePage()
    {
        var (db, tenant) = await SeedAsync();
        ProjectDetails? handed = null;
        var cut = RenderFor(tenant, p => handed = p);
        Assert.Contains("Open: annotators get tasks.", cut.Find("[data-testid=project-running]").TextContent, StringComparison.Ordinal);

        cut.Find("[data-testid=project-pause]").Click();

        cut.WaitForAssertion(() => Assert.NotNull(handed));
        Assert.True(handed!.IsPaused);
        Assert.NotNull((await StoredAsync(db, tenant)).PausedAt);
    }

    [Fact]
    public async Task Resume_PausedProject_ShowsThePauseAndClearsIt()
    {
        var (db, tenant) = await SeedAsync();
        await new ProjectService(db.Factory, TimeProvider.System).PauseAsync(tenant.Id, tenant.Project.Id);
        ProjectDetails? handed = null;
        var cut = RenderFor(tenant, p => handed = p, paused: DateTime.UtcNow);
        Assert.Contains("tasks they already hold can still be answered", cut.Find("[data-testid=project-paused]").TextContent, StringComparison.Ordinal);

        cut.Find("[data-testid=project-resume]").Click();

        cut.WaitForAssertion(() => Assert.False(handed?.IsPaused ?? true));
        Assert.Null((await StoredAsync(db, tenant)).PausedAt);
    }

    [Fact]
    public async Task Archive_AsksFirst_CancelKeepsItAndConfirmArchives()
    {
        var (db, tenant) = await SeedAsync();
        var providers = RenderProviders();
        ProjectDetails? handed = null;
        var cut = RenderFor(tenant, p => handed = p);

        cut.Find("[data-testid=project-archive]").Click();
        providers.WaitForAssertion(() => Assert.Contains($"Archive {tenant.Project.Name}?", providers.Markup, StringComparison.Ordinal));
        providers.FindAll("button").First(b => b.TextContent.Trim() == "Cancel").Click();
        Assert.Null((await StoredAsync(db, tenant)).ArchivedAt);
        Assert.Null(handed);

        cut.Find("[data-testid=project-archive]").Click();
        providers.WaitForAssertion(() => providers.FindAll("button").First(b => b.TextContent.Trim() == "Archive").Click());

        cut.WaitForAssertion(() => Assert.True(handed?.IsArchived));
        Assert.NotNull((await StoredAsync(db, tenant)).ArchivedAt);
    }

    [Fact]
    public async Task Unarchive_ArchivedProject_SaysWhatArchivedMeansAndBringsItBack()
    {
        var (db, tenant) = await SeedAsync();
        await new ProjectService(db.Factory, TimeProvider.System).ArchiveAsync(tenant.Id, tenant.Project.Id);
        ProjectDetails? handed = null;
        var cut = RenderFor(tenant, p => handed = p, archived: DateTime.UtcNow);
        Assert.Contains("clients can still download its releases", cut.Find("[data-testid=project-archived]").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=project-pause]"));

        cut.Find("[data-testid=project-unarchive]").Click();

        cut.WaitForAssertion(() => Assert.False(handed?.IsArchived ?? true));
        Assert.Null((await StoredAsync(db, tenant)).ArchivedAt);
    }
}
