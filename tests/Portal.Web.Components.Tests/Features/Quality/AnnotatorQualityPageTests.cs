using Microsoft.Extensions.DependencyInjection;
using Portal.App.Features.Quality;
using Portal.Core.Aggregation;
using Portal.TestSupport;
using Portal.Web.Features.Quality;

namespace Portal.Web.Components.Tests.Features.Quality;

public class AnnotatorQualityPageTests : QualityAreaTest
{
    [Fact]
    public async Task Render_Contrarian_ShowsTheirFlagAndSignals()
    {
        var (project, items) = await ProjectAsync(6);
        var annotators = await Db.CreateAnnotatorsAsync(OrgId, 3, "s");
        foreach (var item in items)
        {
            for (var a = 0; a < annotators.Count; a++)
            {
                await Db.AddTestAnnotationAsync(OrgId, item, annotators[a].Id, a < 2 ? PreferenceChoice.A : PreferenceChoice.B);
            }
        }

        await Services.GetRequiredService<QualityService>().RecomputeAsync(OrgId, project.Id);
        SignInAdmin();

        var cut = Render<AnnotatorQualityPage>(p => p.Add(x => x.OrgId, OrgId).Add(x => x.ProjectId, project.Id).Add(x => x.UserId, annotators[2].Id));

        Assert.Equal(annotators[2].DisplayName, cut.Find("h1").TextContent.Trim());
        Assert.Contains("agrees with the others on 0%", cut.Find("[data-testid=annotator-flags]").TextContent, StringComparison.Ordinal);
        var signal = cut.FindAll("[data-testid=signal]").Single(s => s.GetAttribute("data-signal") == "Agrees with the others");
        Assert.Equal("0%", signal.QuerySelector("[data-testid=signal-value]")!.TextContent.Trim());
        Assert.Equal("on 6 items they shared", signal.QuerySelector("[data-testid=signal-detail]")!.TextContent.Trim());
        Assert.Equal(7, cut.FindAll("[data-testid=signal]").Count);
    }

    [Fact]
    public async Task Render_NotComputedYet_SaysSoAndOffersTheQualityPage()
    {
        var (project, _) = await ProjectAsync();
        var annotator = (await Db.CreateAnnotatorsAsync(OrgId, 1, "n"))[0];
        SignInAdmin();

        var cut = Render<AnnotatorQualityPage>(p => p.Add(x => x.OrgId, OrgId).Add(x => x.ProjectId, project.Id).Add(x => x.UserId, annotator.Id));

        Assert.Contains("has not been computed yet", cut.Find("[data-testid=annotator-computed]").TextContent, StringComparison.Ordinal);
        var empty = cut.Find("[data-testid=annotator-empty]");
        Assert.Equal($"/orgs/{OrgId}/projects/{project.Id}/quality", empty.QuerySelector("a")!.GetAttribute("href"));
        Assert.Empty(cut.FindAll("[data-testid=signal]"));
    }
}
