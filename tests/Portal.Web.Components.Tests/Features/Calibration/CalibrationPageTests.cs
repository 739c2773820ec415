using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.TestSupport;
using Portal.Web.Features.Calibration;

namespace Portal.Web.Components.Tests.Features.Calibration;

public class CalibrationPageTests : CalibrationAreaTest
{
    private IRenderedComponent<CalibrationPage> RenderPage(Guid projectId)
    {
        SignInAdmin();
        return Render<CalibrationPage>(p => p.Add(x => x.OrgId, OrgId).Add(x => x.ProjectId, projectId));
    }

    private static List<AngleSharp.Dom.IElement> Rows(IRenderedComponent<CalibrationPage> cut) =>
        cut.FindAll("[data-testid=calibration-items] tbody tr").Where(r => r.QuerySelector("[data-testid=calibration-item]") is not null).ToList();

    [Fact]
    public async Task Render_ManyItems_PickerShowsOnePageAndSearchFindsOne()
    {
        var (project, _) = await ProjectAsync(items: 30);
        var cut = RenderPage(project.Id);

        cut.WaitForAssertion(() => Assert.Equal(25, Rows(cut).Count));
        TextBox(cut.Find("[data-testid=calibration-filter]")).Input("item-030");

        cut.WaitForAssertion(() => Assert.Equal("item-030", Assert.Single(Rows(cut)).QuerySelector("[data-testid=calibration-item]")!.GetAttribute("data-external-id")));
        Assert.Contains("No calibration round yet.", cut.Find("[data-testid=calibration-rounds]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_TwoItemsChosen_WritesTheRoundAndGoesToIt()
    {
        var (project, items) = await ProjectAsync(items: 3);
        await Db.CreateAnnotatorsAsync(OrgId, 1, "p");
        var cut = RenderPage(project.Id);
        cut.WaitForAssertion(() => Assert.Equal(3, Rows(cut).Count));

        TextBox(cut.Find("[data-testid=calibration-new-title]")).Change("Week 1");
        ChooseAsync(cut, 0);
        ChooseAsync(cut, 1);
        cut.Find("[data-testid=calibration-open-submit]").Click();

        cut.WaitForAssertion(() => Assert.EndsWith($"/projects/{project.Id}/calibration/1", Services.GetRequiredService<NavigationManager>().Uri, StringComparison.Ordinal));
        await using var ctx = Db.Factory.CreateForTenant(OrgId);
        var round = await ctx.CalibrationRounds.SingleAsync(r => r.ProjectId == project.Id);
        Assert.Equal("Week 1", round.Title);
        Assert.Equal([items[0].Id, items[1].Id], await ctx.CalibrationRoundItems.Where(i => i.RoundId == round.Id).OrderBy(i => i.Position).Select(i => i.ItemId).ToListAsync());
    }

    [Fact]
    public async Task Open_NoTitleNoItems_ShowsEachProblemAndWritesNothing()
    {
        var (project, _) = await ProjectAsync(items: 3);
        var cut = RenderPage(project.Id);

        cut.Find("[data-testid=calibration-open-submit]").Click();

        cut.WaitForAssertion(() => Assert.Contains("Give the round a title", cut.Markup, StringComparison.Ordinal));
        Assert.Contains("1 to 50 items", cut.Find("[data-testid=calibration-open-error]").TextContent, StringComparison.Ordinal);
        await using var ctx = Db.Factory.CreateForTenant(OrgId);
        Assert.False(await ctx.CalibrationRounds.AnyAsync());
    }

    private static void ChooseAsync(IRenderedComponent<CalibrationPage> cut, int row)
    {
        var box = Rows(cut)[row].QuerySelector("[data-testid=calibration-item]")!;
        var input = box.TagName == "INPUT" ? box : box.QuerySelector("input")!;
        input.Change(true);
    }
}
