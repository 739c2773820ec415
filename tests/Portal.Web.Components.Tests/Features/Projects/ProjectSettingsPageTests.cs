using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.TestSupport;
using Portal.Web.Features.Projects;

namespace Portal.Web.Components.Tests.Features.Projects;

public class ProjectSettingsPageTests : PortalComponentTest
{
    private async Task<(TestDatabase Db, TestTenant Tenant, Project Project, IRenderedComponent<ProjectSettingsPage> Cut)> RenderAsync()
    {
        var db = await UseDatabaseAsync();
        var tenant = await db.CreateTestTenantAsync("Acme");
        var project = await db.CreateTaskProjectAsync(tenant.Id, items: 0, name: "Settings project");
        SignIn("admin@acme.test");
        RenderProviders();
        var cut = Render<ProjectSettingsPage>(p => p.Add(x => x.OrgId, tenant.Id).Add(x => x.ProjectId, project.Id));
        cut.WaitForAssertion(() => cut.Find("[data-testid=save-settings]"));
        return (db, tenant, project, cut);
    }

    [Fact]
    public async Task Save_CustomAttributeWithoutKey_NamesItAndShowsTheProblemUnderTheKey()
    {
        var (db, tenant, project, cut) = await RenderAsync();
        var count = cut.FindAll("[data-testid^=attribute-]").Count;

        cut.Find("[data-testid=add-custom-attribute]").Click();
        cut.Find($"input[data-testid=attr-name-{count}]").Input("Sources");
        cut.Find("[data-testid=save-settings]").Click();

        cut.WaitForAssertion(() => Assert.Contains($"Attribute {count + 1}, key", cut.Find("[data-testid=settings-problems]").TextContent, StringComparison.Ordinal));
        Assert.NotNull(cut.Find($"[data-testid=attribute-{count}] [data-testid='problem-settings.attributes[{count}].key']"));
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        Assert.Equal(count, (await ctx.Projects.SingleAsync(p => p.Id == project.Id)).Settings.Attributes.Count);
    }

    [Fact]
    public async Task Save_RenamedAttributeAndNoTie_WritesThemAndSaysSaved()
    {
        var (db, tenant, project, cut) = await RenderAsync();

        cut.Find("input[data-testid=attr-name-0]").Input("Usefulness");
        cut.Find("input[data-testid=allow-tie]").Change(false);
        cut.Find("[data-testid=save-settings]").Click();

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=settings-problems]")));
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        var saved = (await ctx.Projects.SingleAsync(p => p.Id == project.Id)).Settings;
        Assert.Equal("Usefulness", saved.Attributes[0].Name);
        Assert.False(saved.Pairwise.AllowTie);
    }

    [Fact]
    public async Task RemoveAndMoveUp_ChangeTheAttributeCards()
    {
        var (_, _, _, cut) = await RenderAsync();
        var keys = cut.FindAll("input[data-testid^=attr-key-]").Select(e => e.GetAttribute("value")).ToList();

        cut.Find("[data-testid=attr-remove-0]").Click();
        cut.Find("[data-testid=attr-up-1]").Click();

        var after = cut.FindAll("input[data-testid^=attr-key-]").Select(e => e.GetAttribute("value")).ToList();
        Assert.Equal(keys.Count - 1, after.Count);
        Assert.Equal([keys[2], keys[1]], after.Take(2));
    }
}
