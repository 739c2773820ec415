using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Hybrid;
using Portal.TestSupport;
using Portal.Web.Features.Hybrid;

namespace Portal.Web.Components.Tests.Features.Hybrid;

/// <summary>The categories-and-routes panel of the settings page, on a real SQLite database.</summary>
public class CategoryRoutesPanelTests : PortalComponentTest
{
    private async Task<(TestDatabase Db, TestTenant Tenant)> SeedAsync()
    {
        var db = await UseDatabaseAsync();
        var tenant = await db.CreateTestTenantAsync("Acme");
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            await ctx.Items.Where(i => i.ProjectId == tenant.Project.Id).ExecuteUpdateAsync(s => s.SetProperty(i => i.Category, "math"));
        }

        SignIn("admin@acme.test", tenant.Member(OrgRoles.ProjectAdmin).Id);
        return (db, tenant);
    }

    /// <summary>The input itself, whether the test id sits on it or on its wrapper.</summary>
    private static AngleSharp.Dom.IElement Inner(AngleSharp.Dom.IElement e, string tag) =>
        string.Equals(e.TagName, tag, StringComparison.OrdinalIgnoreCase) ? e : e.QuerySelector(tag)!;

    private static string? Route(AngleSharp.Dom.IElement row) => Inner(row.QuerySelector("[data-testid=category-route]")!, "input").GetAttribute("value");

    private IRenderedComponent<CategoryRoutesPanel> RenderFor(TestTenant tenant) =>
        Render<CategoryRoutesPanel>(p => p.Add(x => x.OrgId, tenant.Id).Add(x => x.ProjectId, tenant.Project.Id));

    [Fact]
    public async Task Render_CategoryFromTheItems_ShownWithItsCountAndTheAiRoute_AndCannotBeRemoved()
    {
        var (_, tenant) = await SeedAsync();
        RenderProviders();

        var cut = RenderFor(tenant);

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=category-row]")));
        var row = cut.Find("[data-testid=category-row]");
        Assert.Equal(("math", "1"), (row.GetAttribute("data-category"), row.QuerySelector("[data-testid=category-items]")!.TextContent.Trim()));
        Assert.Equal("AI", Route(row));
        Assert.True(row.QuerySelector("button[data-testid=category-remove]")!.HasAttribute("disabled"));
    }

    [Fact]
    public async Task AddACategory_AndSave_StoresItWithTheAiRoute_AndTheCategoryPromptWhenAsked()
    {
        var (db, tenant) = await SeedAsync();
        RenderProviders();
        var cut = RenderFor(tenant);
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=category-row]")));

        Inner(cut.Find("[data-testid=new-category]"), "input").Input("trivia");
        cut.Find("button[data-testid=add-category]").Click();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=category-row]").Count));
        Inner(cut.Find("[data-testid=ask-category]"), "input").Change(true);
        cut.WaitForAssertion(() => Assert.Contains("{{categories}}", Inner(cut.Find("[data-testid=category-prompt]"), "textarea").GetAttribute("value")
            ?? Inner(cut.Find("[data-testid=category-prompt]"), "textarea").TextContent, StringComparison.Ordinal));
        cut.Find("button[data-testid=save-categories]").Click();

        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        cut.WaitForAssertion(() => Assert.Equal(2, ctx.ProjectCategories.Count()));
        Assert.Equal([("math", "ai"), ("trivia", "ai")], await ctx.ProjectCategories.OrderBy(c => c.Name).Select(c => new ValueTuple<string, string>(c.Name, c.Route)).ToListAsync());
        Assert.Contains("{{conversation}}", await ctx.Projects.Where(p => p.Id == tenant.Project.Id).Select(p => p.CategoryPrompt).SingleAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_AfterRoutesWereSaved_ShowsEachRoute()
    {
        var (_, tenant) = await SeedAsync();
        await Services.GetRequiredService<HybridService>().SaveAsync(tenant.Id, tenant.Project.Id,
            new CategoriesInput([new("math", CategoryRoutes.Humans), new("chat", CategoryRoutes.AiChecked)], null));
        RenderProviders();

        var cut = RenderFor(tenant);

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=category-row]").Count));
        var routes = cut.FindAll("[data-testid=category-row]").ToDictionary(r => r.GetAttribute("data-category")!, Route);
        Assert.Equal(("AI, checked", "Humans only"), (routes["chat"], routes["math"]));
        Assert.False(Inner(cut.Find("[data-testid=ask-category]"), "input").HasAttribute("checked"));
    }
}
