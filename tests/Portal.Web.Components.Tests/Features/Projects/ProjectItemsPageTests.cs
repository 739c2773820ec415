using AngleSharp.Dom;
using Portal.App.Data;
using Portal.TestSupport;
using Portal.Web.Features.Projects;

namespace Portal.Web.Components.Tests.Features.Projects;

/// <summary>The items grid on a real SQLite database: paged, searched, filtered and sorted in the database.</summary>
public class ProjectItemsPageTests : PortalComponentTest
{
    private async Task<(TestDatabase Db, TestTenant Tenant, Project Project)> SeedAsync(int items = 250)
    {
        var db = await UseDatabaseAsync();
        var tenant = await db.CreateTestTenantAsync("Acme");
        var project = await db.CreateTaskProjectAsync(tenant.Id, items: items, name: "Fact checks");
        SignIn("admin@acme.test", tenant.Member(OrgRoles.ProjectAdmin).Id);
        return (db, tenant, project);
    }

    private IRenderedComponent<ProjectItemsPage> RenderPage(TestTenant tenant, Project project) =>
        Render<ProjectItemsPage>(p => p.Add(x => x.OrgId, tenant.Id).Add(x => x.ProjectId, project.Id));

    private static IReadOnlyList<string> ExternalIds(IRenderedComponent<ProjectItemsPage> cut) =>
        [.. cut.FindAll("[data-testid=item-external-id]").Select(e => e.TextContent.Trim())];

    private static void ClickToggle(IRenderedComponent<ProjectItemsPage> cut, string group, string text) =>
        cut.Find($"[data-testid={group}]").QuerySelectorAll(".mud-toggle-item").First(e => e.TextContent.Trim() == text).Click();

    [Fact]
    public async Task Render_250Items_ShowsTheFirstPageOf25InPriorityOrder()
    {
        var (_, tenant, project) = await SeedAsync();

        var cut = RenderPage(tenant, project);

        cut.WaitForAssertion(() => Assert.Equal(25, ExternalIds(cut).Count));
        Assert.Equal("item-001", ExternalIds(cut)[0]);
        Assert.Contains("of 250", cut.Find(".mud-table-pagination").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_ExternalIdOrPrompt_NarrowsTheRows()
    {
        var (_, tenant, project) = await SeedAsync();
        var cut = RenderPage(tenant, project);
        cut.WaitForAssertion(() => Assert.Equal(25, ExternalIds(cut).Count));

        cut.Find("input[data-testid=items-search]").Input("item-123");
        cut.WaitForAssertion(() => Assert.Equal(["item-123"], ExternalIds(cut)));

        cut.Find("input[data-testid=items-search]").Input("question 17?");
        cut.WaitForAssertion(() => Assert.Equal(["item-017"], ExternalIds(cut)));
    }

    [Fact]
    public async Task Search_NothingMatches_SaysSoInsteadOfAnEmptyImportHint()
    {
        var (_, tenant, project) = await SeedAsync(items: 5);
        var cut = RenderPage(tenant, project);
        cut.WaitForAssertion(() => Assert.Equal(5, ExternalIds(cut).Count));

        cut.Find("input[data-testid=items-search]").Input("no such thing");

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=items-none-match]")));
    }

    [Fact]
    public async Task SortExternalIdTwice_ShowsTheLastItemsFirst()
    {
        var (_, tenant, project) = await SeedAsync();
        var cut = RenderPage(tenant, project);
        cut.WaitForAssertion(() => Assert.Equal(25, ExternalIds(cut).Count));

        IElement Header() => cut.FindAll("th").First(th => th.TextContent.Contains("External id", StringComparison.Ordinal)).QuerySelector(".sortable-column-header")!;
        Header().Click();
        cut.WaitForAssertion(() => Assert.Equal("item-001", ExternalIds(cut)[0]));
        Header().Click();

        cut.WaitForAssertion(() => Assert.Equal("item-250", ExternalIds(cut)[0]));
        Assert.Equal("item-226", ExternalIds(cut)[24]);
    }

    [Fact]
    public async Task GoldFilter_ShowsOnlyGoldItemsOrOnlyTheOthers()
    {
        var (db, tenant, project) = await SeedAsync(items: 30);
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            foreach (var item in ctx.Items.Where(i => i.ProjectId == project.Id && (i.ExternalId == "item-004" || i.ExternalId == "item-009")))
            {
                item.IsGold = true;
                item.Gold = new GoldAnswer { Choice = Portal.Core.Aggregation.PreferenceChoice.B, Explanation = "B is right." };
            }

            await ctx.SaveChangesAsync();
        }

        var cut = RenderPage(tenant, project);
        cut.WaitForAssertion(() => Assert.Equal(25, ExternalIds(cut).Count));
        Assert.Equal("2 gold", cut.Find("[data-testid=gold-count]").TextContent.Trim());

        ClickToggle(cut, "items-gold-filter", "Gold");
        cut.WaitForAssertion(() => Assert.Equal(["item-004", "item-009"], ExternalIds(cut)));
        Assert.All(cut.FindAll("[data-testid=gold-expected]"), e => Assert.Equal("B is better", e.TextContent.Trim()));

        ClickToggle(cut, "items-gold-filter", "Not gold");
        cut.WaitForAssertion(() => Assert.DoesNotContain("item-004", ExternalIds(cut)));
        Assert.Contains("of 28", cut.Find(".mud-table-pagination").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RatedFilter_NotRated_LeavesOutItemsWithRatings()
    {
        var (db, tenant, project) = await SeedAsync(items: 3);
        Item first;
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            first = ctx.Items.Single(i => i.ProjectId == project.Id && i.ExternalId == "item-001");
        }

        await db.AddTestAnnotationAsync(tenant.Id, first, tenant.Member(OrgRoles.Annotator).Id);
        var cut = RenderPage(tenant, project);
        cut.WaitForAssertion(() => Assert.Equal(3, ExternalIds(cut).Count));

        ClickToggle(cut, "items-rated-filter", "Not rated");
        cut.WaitForAssertion(() => Assert.Equal(["item-002", "item-003"], ExternalIds(cut)));

        ClickToggle(cut, "items-rated-filter", "Rated");
        cut.WaitForAssertion(() => Assert.Equal(["item-001"], ExternalIds(cut)));
    }

    [Fact]
    public async Task Unmark_AsksFirst_CancelKeepsGoldAndConfirmClearsIt()
    {
        var (db, tenant, project) = await SeedAsync(items: 1);
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            var item = ctx.Items.Single(i => i.ProjectId == project.Id);
            item.IsGold = true;
            item.Gold = new GoldAnswer { Choice = Portal.Core.Aggregation.PreferenceChoice.A, Explanation = "A." };
            await ctx.SaveChangesAsync();
        }

        var providers = RenderProviders();
        var cut = RenderPage(tenant, project);
        cut.WaitForAssertion(() => cut.Find("[data-testid=unmark-gold]"));

        cut.Find("[data-testid=unmark-gold]").Click();
        providers.WaitForAssertion(() => Assert.Contains("Unmark this gold item?", providers.Markup, StringComparison.Ordinal));
        providers.FindAll("button").First(b => b.TextContent.Trim() == "Cancel").Click();
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            Assert.True(ctx.Items.Single(i => i.ProjectId == project.Id).IsGold);
        }

        cut.Find("[data-testid=unmark-gold]").Click();
        providers.WaitForAssertion(() => providers.FindAll("button").First(b => b.TextContent.Trim() == "Unmark gold").Click());
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=gold-badge]")));
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            Assert.False(ctx.Items.Single(i => i.ProjectId == project.Id).IsGold);
        }
    }

    [Fact]
    public async Task Render_NoItems_ShowsAnEmptyStateThatLeadsToTheImport()
    {
        var (_, tenant, project) = await SeedAsync(items: 0);

        var cut = RenderPage(tenant, project);

        cut.WaitForAssertion(() => cut.Find("[data-testid=items-empty]"));
        Assert.Equal($"/orgs/{tenant.Id}/projects/{project.Id}", cut.Find("[data-testid=items-empty] a").GetAttribute("href"));
    }
}
