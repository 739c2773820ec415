using Portal.App.Data;
using Portal.TestSupport;
using Portal.Web.Components.Tests.Features.Releases;
using Portal.Web.Features.Projects;
using Portal.Web.Features.Rlthf;

namespace Portal.Web.Components.Tests.Features.Rlthf;

public class RlthfPageTests : PortalComponentTest
{
    public RlthfPageTests()
    {
        ComponentFactories.AddStub<ProjectNav>();
    }

    [Fact]
    public async Task Render_NoRoundYet_ShowsTheLoopAndSaysWhatTheChartsWillShow()
    {
        var db = await UseDatabaseAsync();
        var (tenant, loop, _) = await db.LoopWithRoundAsync(budget: null);
        SignIn("admin", tenant.Member(OrgRoles.ProjectAdmin).Id);
        RenderProviders();

        var cut = Render<RlthfPage>(p => p.Add(x => x.OrgId, tenant.Id).Add(x => x.ProjectId, loop.Project.Id));

        cut.WaitForAssertion(() => Assert.Equal("60", cut.Find("[data-testid=loop-pairs]").TextContent));
        Assert.Equal("60", cut.Find("[data-testid=loop-ai]").TextContent);
        var empty = cut.Find("[data-testid=rlthf-charts-empty]");
        Assert.Contains("sorted-margin curve with the knee, elbow and mirror marked", empty.TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=margin-curve]"));
    }

    [Fact]
    public async Task Start_BudgetNotANumber_ShowsTheProblemUnderTheBudget()
    {
        var db = await UseDatabaseAsync();
        var (tenant, loop, _) = await db.LoopWithRoundAsync(budget: null);
        SignIn("admin", tenant.Member(OrgRoles.ProjectAdmin).Id);
        RenderProviders();
        var cut = Render<RlthfPage>(p => p.Add(x => x.OrgId, tenant.Id).Add(x => x.ProjectId, loop.Project.Id));
        cut.WaitForElement("input[data-testid=round-budget]");

        cut.Find("input[data-testid=round-budget]").Change("lots");
        cut.Find("[data-testid=start-round]").Click();

        cut.WaitForAssertion(() =>
        {
            var field = cut.Find("input[data-testid=round-budget]").Closest(".mud-input-control")!;
            Assert.Contains("mud-input-error", field.InnerHtml, StringComparison.Ordinal);
        });
        Assert.Equal("0", cut.Find("[data-testid=loop-rounds]").TextContent);
    }

    [Fact]
    public async Task Render_PlannedRound_ShowsItsRowTheCurveAndTheItemsItSentFromRealRows()
    {
        var db = await UseDatabaseAsync();
        var (tenant, loop, round) = await db.LoopWithRoundAsync(budget: "6");
        SignIn("admin", tenant.Member(OrgRoles.ProjectAdmin).Id);
        RenderProviders();

        var cut = Render<RlthfPage>(p => p.Add(x => x.OrgId, tenant.Id).Add(x => x.ProjectId, loop.Project.Id));

        cut.WaitForAssertion(() => Assert.Equal("waiting for humans", cut.Find("[data-testid=round-status]").TextContent.Trim()));
        Assert.Contains("6 sent to humans", cut.Find("[data-testid=curve-landmarks]").TextContent, StringComparison.Ordinal);
        var row = cut.Find("[data-testid=rounds-table] tbody tr");
        Assert.Contains("waiting for humans", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("rlthf", row.TextContent, StringComparison.Ordinal);
        cut.WaitForAssertion(() => Assert.Equal(round!.Selected, cut.FindAll("[data-testid=selected-items] tbody tr").Count));
        Assert.Single(cut.FindAll("[data-testid=margin-curve]"));
        Assert.Single(cut.FindAll("[data-testid=rounds-chart]"));
        Assert.Contains("Round 1 is waiting for humans", cut.Find("[data-testid=cannot-start]").TextContent, StringComparison.Ordinal);
    }
}
