using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.Core.Aggregation;
using Portal.TestSupport;
using Portal.Web.Features.Projects;

namespace Portal.Web.Components.Tests.Features.Projects;

/// <summary>Selecting items on the items grid and marking or unmarking them gold in one action, on a real SQLite database.</summary>
public class ProjectItemsBulkGoldTests : PortalComponentTest
{
    private async Task<(TestDatabase Db, TestTenant Tenant, Project Project)> SeedAsync(int items)
    {
        var db = await UseDatabaseAsync();
        var tenant = await db.CreateTestTenantAsync("Acme");
        var project = await db.CreateTaskProjectAsync(tenant.Id, items: items, name: "Fact checks");
        SignIn("admin@acme.test", tenant.Member(OrgRoles.ProjectAdmin).Id);
        return (db, tenant, project);
    }

    /// <summary>The check box itself, whether the test id sits on it or on its wrapper.</summary>
    private static AngleSharp.Dom.IElement Box(AngleSharp.Dom.IElement e) => e.TagName == "INPUT" ? e : e.QuerySelector("input[type=checkbox]")!;

    private IRenderedComponent<ProjectItemsPage> RenderPage(TestTenant tenant, Project project)
    {
        var cut = Render<ProjectItemsPage>(p => p.Add(x => x.OrgId, tenant.Id).Add(x => x.ProjectId, project.Id));
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=select-item]")));
        return cut;
    }

    private static async Task<List<Item>> ItemsAsync(TestDatabase db, TestTenant tenant, Project project)
    {
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        return await ctx.Items.AsNoTracking().Where(i => i.ProjectId == project.Id).OrderBy(i => i.ExternalId).ToListAsync();
    }

    [Fact]
    public async Task SelectPage_Then_UnmarkAfterConfirming_MakesEveryGoldItemOnThePageRegular()
    {
        var (db, tenant, project) = await SeedAsync(items: 30);
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            await ctx.Items.Where(i => i.ProjectId == project.Id && (i.ExternalId == "item-002" || i.ExternalId == "item-005" || i.ExternalId == "item-030"))
                .ExecuteUpdateAsync(x => x.SetProperty(i => i.IsGold, true)
                    .SetProperty(i => i.Gold, new GoldAnswer { Choice = PreferenceChoice.A, Explanation = "A." }));
        }

        var providers = RenderProviders();
        var cut = RenderPage(tenant, project);
        Assert.Empty(cut.FindAll("[data-testid=bulk-bar]"));

        Box(cut.Find("[data-testid=select-page]")).Change(true);
        cut.WaitForAssertion(() => Assert.Equal("25 item(s) selected", cut.Find("[data-testid=bulk-count]").TextContent.Trim()));
        cut.Find("[data-testid=bulk-unmark]").Click();
        providers.WaitForAssertion(() => Assert.Contains("Unmark 25 item(s)?", providers.Markup, StringComparison.Ordinal));
        providers.FindAll("button").First(b => b.TextContent.Trim() == "Unmark gold").Click();

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=bulk-bar]")));
        var gold = (await ItemsAsync(db, tenant, project)).Where(i => i.IsGold).Select(i => i.ExternalId);
        Assert.Equal(["item-030"], gold);
        Assert.Contains("2 item(s) regular again; 23 already were.", providers.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MarkFromConsensus_OneSelectedItemWithoutLabel_ListsItAndMarksNothing()
    {
        var (db, tenant, project) = await SeedAsync(items: 3);
        var items = await ItemsAsync(db, tenant, project);
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            ctx.CuratedLabels.Add(new CuratedLabel { ProjectId = project.Id, ItemId = items[0].Id, Method = "majority", Choice = PreferenceChoice.B, Ratings = 3, ComputedAt = DateTime.UtcNow });
            await ctx.SaveChangesAsync();
        }

        var providers = RenderProviders();
        var cut = RenderPage(tenant, project);
        Box(cut.FindAll("[data-testid=select-item]")[0]).Change(true);
        Box(cut.FindAll("[data-testid=select-item]")[1]).Change(true);

        cut.Find("[data-testid=bulk-mark-consensus]").Click();
        providers.WaitForAssertion(() => providers.FindAll("button").First(b => b.TextContent.Trim() == "Mark gold").Click());

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=bulk-problem]")));
        Assert.StartsWith("item-002 has no consensus yet", cut.Find("[data-testid=bulk-problem]").TextContent.Trim(), StringComparison.Ordinal);
        Assert.All(await ItemsAsync(db, tenant, project), i => Assert.False(i.IsGold));

        // Without the unlabelled item the same action goes through.
        Box(cut.FindAll("[data-testid=select-item]")[1]).Change(false);
        cut.Find("[data-testid=bulk-mark-consensus]").Click();
        providers.WaitForAssertion(() => providers.FindAll("button").First(b => b.TextContent.Trim() == "Mark gold").Click());
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=bulk-problem]")));
        var marked = (await ItemsAsync(db, tenant, project))[0];
        Assert.Equal((true, PreferenceChoice.B), (marked.IsGold, marked.Gold!.Choice!.Value));
    }
}
