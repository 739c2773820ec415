using Portal.App.Data;
using Portal.TestSupport;
using Portal.Web.Features.Projects;

namespace Portal.Web.Components.Tests.Features.Projects;

/// <summary>The project's annotators on a real SQLite database: paged and searched in the database.</summary>
public class ProjectAnnotatorsPageTests : PortalComponentTest
{
    public ProjectAnnotatorsPageTests()
    {
        ComponentFactories.AddStub<ProjectNav>();
    }

    private async Task<IRenderedComponent<ProjectAnnotatorsPage>> RenderAsync()
    {
        var db = await UseDatabaseAsync();
        var tenant = await db.CreateTestTenantAsync("Acme");
        await db.AddMembersAsync(tenant.Id, 30, "Reader");
        SignIn("admin@acme.test", tenant.Member(OrgRoles.ProjectAdmin).Id);
        RenderProviders();
        return Render<ProjectAnnotatorsPage>(p => p.Add(x => x.OrgId, tenant.Id).Add(x => x.ProjectId, tenant.Project.Id));
    }

    private static List<string> Names(IRenderedComponent<ProjectAnnotatorsPage> cut) =>
        [.. cut.FindAll("[data-testid=annotator-name]").Select(e => e.TextContent.Trim())];

    [Fact]
    public async Task Render_MoreAnnotatorsThanAPage_ShowsTheFirstPageByNameWithTheTotal()
    {
        var cut = await RenderAsync();

        cut.WaitForAssertion(() => Assert.Equal(25, Names(cut).Count));
        Assert.Equal(["Annotator of Acme", "Reader 01"], Names(cut)[..2]);
        Assert.Equal("Reader 24", Names(cut)[^1]);
        Assert.Contains("1-25 of 31", cut.Find(".mud-table-pagination").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_NameOrEmail_ShowsTheMatchesAndSaysSoWhenNoneMatch()
    {
        var cut = await RenderAsync();
        cut.WaitForAssertion(() => Assert.Equal(25, Names(cut).Count));

        cut.Find("input[data-testid=annotator-search]").Change("reader-3");

        cut.WaitForAssertion(() => Assert.Equal(["Reader 30"], Names(cut)));

        cut.Find("input[data-testid=annotator-search]").Change("nobody");

        cut.WaitForAssertion(() => Assert.Equal("No annotator matches 'nobody'.", cut.Find("[data-testid=annotators-no-match]").TextContent.Trim()));
        Assert.Empty(cut.FindAll("[data-testid=annotators-empty]"));
    }
}
