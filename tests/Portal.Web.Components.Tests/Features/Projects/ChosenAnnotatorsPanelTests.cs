using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Gold;
using Portal.TestSupport;
using Portal.Web.Features.Projects;

namespace Portal.Web.Components.Tests.Features.Projects;

/// <summary>Choosing who works on a project, on a real SQLite database.</summary>
public class ChosenAnnotatorsPanelTests : PortalComponentTest
{
    private async Task<(TestDatabase Db, TestTenant Tenant, IReadOnlyList<AnnotatorStanding> Annotators)> SeedAsync()
    {
        var db = await UseDatabaseAsync();
        var tenant = await db.CreateTestTenantAsync("Acme");
        await db.CreateAnnotatorsAsync(tenant.Id, 2);
        SignIn("admin@acme.test", tenant.Member(OrgRoles.ProjectAdmin).Id);
        var annotators = await Services.GetRequiredService<ProjectAnnotatorService>().ListAsync(tenant.Id, tenant.Project.Id);
        return (db, tenant, annotators!);
    }

    /// <summary>The check box itself, whether the test id sits on it or on its wrapper.</summary>
    private static AngleSharp.Dom.IElement Box(AngleSharp.Dom.IElement e) => e.TagName == "INPUT" ? e : e.QuerySelector("input[type=checkbox]")!;

    private IRenderedComponent<ChosenAnnotatorsPanel> RenderFor(TestTenant tenant, IReadOnlyList<AnnotatorStanding> annotators, bool readOnly = false) =>
        Render<ChosenAnnotatorsPanel>(p => p
            .Add(x => x.OrgId, tenant.Id)
            .Add(x => x.ProjectId, tenant.Project.Id)
            .Add(x => x.Annotators, annotators)
            .Add(x => x.ReadOnly, readOnly));

    [Fact]
    public async Task ChooseOne_AndSave_OnlyThatAnnotatorIsChosen()
    {
        var (db, tenant, annotators) = await SeedAsync();
        RenderProviders();
        var cut = RenderFor(tenant, annotators);
        Assert.Empty(cut.FindAll("[data-testid=chosen-annotator]"));
        Assert.True(cut.Find("button[data-testid=save-chosen]").HasAttribute("disabled"));

        cut.FindAll("[data-testid=chosen-mode] input[type=radio]")[1].Click();
        cut.WaitForAssertion(() => Assert.Equal(annotators.Count, cut.FindAll("[data-testid=chosen-annotator]").Count));
        Box(cut.FindAll("[data-testid=chosen-annotator]")[0]).Change(true);
        Assert.StartsWith($"1 of {annotators.Count} chosen", cut.Find("[data-testid=chosen-count]").TextContent.Trim(), StringComparison.Ordinal);
        cut.Find("button[data-testid=save-chosen]").Click();

        cut.WaitForAssertion(() => Assert.True(cut.Find("button[data-testid=save-chosen]").HasAttribute("disabled")));
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        Assert.True(await ctx.Projects.Where(p => p.Id == tenant.Project.Id).Select(p => p.ChosenAnnotatorsOnly).SingleAsync());
        Assert.Equal([annotators[0].UserId], await ctx.ProjectAnnotators.Where(a => a.ProjectId == tenant.Project.Id && a.Chosen).Select(a => a.AnnotatorId).ToListAsync());
    }

    [Fact]
    public async Task Render_ArchivedProject_ShowsTheChoiceButChangesNothing()
    {
        var (_, tenant, annotators) = await SeedAsync();
        await Services.GetRequiredService<ProjectAnnotatorService>().SetChosenAsync(tenant.Id, tenant.Project.Id, true, [annotators[1].UserId]);

        var cut = RenderFor(tenant, annotators, readOnly: true);

        cut.WaitForAssertion(() => Assert.Equal(annotators.Count, cut.FindAll("[data-testid=chosen-annotator]").Count));
        Assert.True(cut.Find("button[data-testid=save-chosen]").HasAttribute("disabled"));
        Assert.All(cut.FindAll("[data-testid=chosen-annotator]").Select(Box), c => Assert.True(c.HasAttribute("disabled")));
        Assert.Equal(annotators.Select(a => a.UserId == annotators[1].UserId), cut.FindAll("[data-testid=chosen-annotator]").Select(Box).Select(c => c.HasAttribute("checked")));
    }
}
