using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Guidelines;
using Portal.Web.Features.Guidelines;

namespace Portal.Web.Components.Tests.Features.Guidelines;

public class QualificationPageTests : QualityAreaTest
{
    private async Task<Guid> WithTestAsync()
    {
        var (project, items) = await ProjectAsync(4);
        await MakeGoldAsync(items[0]);
        await MakeGoldAsync(items[1]);
        await Services.GetRequiredService<QualificationService>().SetTestAsync(OrgId, project.Id, new QualificationTestInput([items[0].Id], 0.8, 3, 0));
        return project.Id;
    }

    private IRenderedComponent<QualificationPage> RenderPage(Guid projectId)
    {
        SignInAdmin();
        return Render<QualificationPage>(p => p.Add(x => x.OrgId, OrgId).Add(x => x.ProjectId, projectId));
    }

    [Fact]
    public async Task RemoveTest_Cancelled_AsksFirstAndKeepsTheTest()
    {
        var projectId = await WithTestAsync();
        var providers = RenderProviders();
        var cut = RenderPage(projectId);

        cut.Find("[data-testid=qualification-clear]").Click();
        providers.WaitForAssertion(() => Assert.Contains("Remove the qualification test?", providers.Markup, StringComparison.Ordinal));
        providers.FindAll("button").Single(b => b.TextContent.Trim() == "Keep it").Click();

        await using var ctx = Db.Factory.CreateForTenant(OrgId);
        Assert.True(await ctx.QualificationTests.AnyAsync(t => t.ProjectId == projectId));
        Assert.Contains("must pass 1 question", cut.Find("[data-testid=qualification-state]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RemoveTest_Confirmed_RemovesItAndSaysSo()
    {
        var projectId = await WithTestAsync();
        var providers = RenderProviders();
        var cut = RenderPage(projectId);

        cut.Find("[data-testid=qualification-clear]").Click();
        providers.WaitForAssertion(() => Assert.Contains("Remove the qualification test?", providers.Markup, StringComparison.Ordinal));
        providers.FindAll("button").Single(b => b.TextContent.Trim() == "Remove the test").Click();

        cut.WaitForAssertion(() => Assert.Contains("No test", cut.Find("[data-testid=qualification-state]").TextContent, StringComparison.Ordinal));
        await using var ctx = Db.Factory.CreateForTenant(OrgId);
        Assert.False(await ctx.QualificationTests.AnyAsync(t => t.ProjectId == projectId));
        providers.WaitForAssertion(() => Assert.Contains("The test is removed", providers.Markup, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Render_GoldOutsideTheTest_CountsWhatRemainsForTheChecks()
    {
        var projectId = await WithTestAsync();

        var cut = RenderPage(projectId);

        Assert.Equal(2, cut.FindAll("[data-testid=qualification-item]").Count);
        Assert.Contains("1 gold item(s) outside the test", cut.Find("[data-testid=qualification-gold-left]").TextContent, StringComparison.Ordinal);
        Assert.Contains("Nobody has taken the test yet.", cut.Find("[data-testid=qualification-attempts]").TextContent, StringComparison.Ordinal);
    }
}
