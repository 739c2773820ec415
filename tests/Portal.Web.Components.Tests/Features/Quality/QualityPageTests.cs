using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Quality;
using Portal.Core.Aggregation;
using Portal.TestSupport;
using Portal.Web.Features.Quality;

namespace Portal.Web.Components.Tests.Features.Quality;

public class QualityPageTests : QualityAreaTest
{
    /// <summary>Four annotators on every item: three choose A, the last chooses B.</summary>
    private async Task<(Project Project, IReadOnlyList<PortalUser> Annotators)> AnnotatedAsync(int items = 6)
    {
        var (project, rows) = await ProjectAsync(items);
        var annotators = await Db.CreateAnnotatorsAsync(OrgId, 4, "q");
        foreach (var item in rows)
        {
            for (var a = 0; a < annotators.Count; a++)
            {
                await Db.AddTestAnnotationAsync(OrgId, item, annotators[a].Id, a < 3 ? PreferenceChoice.A : PreferenceChoice.B);
            }
        }

        return (project, annotators);
    }

    private IRenderedComponent<QualityPage> RenderPage(Project project)
    {
        SignInAdmin();
        return Render<QualityPage>(p => p.Add(x => x.OrgId, OrgId).Add(x => x.ProjectId, project.Id));
    }

    [Fact]
    public async Task Open_AnnotationsButNeverComputed_ComputesAndShowsTheNumbers()
    {
        var (project, _) = await AnnotatedAsync();

        var cut = RenderPage(project);

        cut.WaitForAssertion(() => Assert.Contains("over 24 annotations on 6 items", cut.Find("[data-testid=computed-at]").TextContent, StringComparison.Ordinal));
        Assert.Contains("α =", cut.Find("[data-testid=dimension-choice]").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=recompute-progress]"));
    }

    [Fact]
    public async Task Open_AnnotationsNewerThanTheReport_RecomputesAndShowsTheNewCount()
    {
        var (project, annotators) = await AnnotatedAsync();
        await Services.GetRequiredService<QualityService>().RecomputeAsync(OrgId, project.Id);
        var (_, items) = (project, await ItemsAsync(project));
        var late = (await Db.CreateAnnotatorsAsync(OrgId, 1, "late"))[0];
        await Db.AddTestAnnotationAsync(OrgId, items[0], late.Id, PreferenceChoice.A);

        var cut = RenderPage(project);

        cut.WaitForAssertion(() => Assert.Contains("over 25 annotations", cut.Find("[data-testid=computed-at]").TextContent, StringComparison.Ordinal));
        Assert.Equal(QualityFreshness.Current, await Services.GetRequiredService<QualityService>().FreshnessAsync(OrgId, project.Id));
        Assert.NotEmpty(annotators);
    }

    [Fact]
    public async Task Open_NoAnnotations_ShowsWhatWillAppearAndComputesNothing()
    {
        var (project, _) = await ProjectAsync();

        var cut = RenderPage(project);

        var empty = cut.Find("[data-testid=quality-empty]");
        Assert.Contains("No quality report yet", empty.TextContent, StringComparison.Ordinal);
        Assert.Contains("Not computed yet", cut.Find("[data-testid=computed-at]").TextContent, StringComparison.Ordinal);
        await using var ctx = Db.Factory.CreateForTenant(OrgId);
        Assert.False(await ctx.ProjectMetrics.AnyAsync(m => m.ProjectId == project.Id));
    }

    [Fact]
    public async Task Open_NoVersionChosen_SelectorShowsAllVersions()
    {
        var (project, _) = await ProjectAsync();

        var cut = RenderPage(project);

        var input = cut.Find("[data-testid=guideline-version] input");
        Assert.Equal("All versions (stored report)", input.GetAttribute("value"));
    }

    [Fact]
    public async Task Open_Computed_HeatMapHasARowPerAnnotatorAndChartsHaveSvg()
    {
        var (project, _) = await AnnotatedAsync();
        await Services.GetRequiredService<QualityService>().RecomputeAsync(OrgId, project.Id);

        var cut = RenderPage(project);

        Assert.Equal(4, cut.FindAll("[data-testid=kappa-heatmap] tbody tr").Count);
        Assert.Equal(12, cut.FindAll("[data-testid=kappa-cell]").Count(c => c.ClassList.Contains("kappa-self") is false));
        Assert.NotEmpty(cut.FindAll("[data-testid=consensus-chart] svg"));
        Assert.Equal("false", cut.Find("[data-testid=consensus-chart]").GetAttribute("data-empty"));
    }

    [Fact]
    public async Task Pause_FlaggedAnnotator_WritesTheirPauseWithTheFlagsAsReason()
    {
        var (project, annotators) = await AnnotatedAsync();
        await Services.GetRequiredService<QualityService>().RecomputeAsync(OrgId, project.Id);
        var providers = RenderProviders();
        var cut = RenderPage(project);

        var row = cut.FindAll("[data-testid=annotator-quality] tbody tr").Single(r => r.TextContent.Contains(annotators[3].DisplayName, StringComparison.Ordinal));
        Assert.Contains("agrees with the others on 0%", row.TextContent, StringComparison.Ordinal);
        row.QuerySelector("[data-testid=pause-annotator]")!.Click();

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=paused-now]")));
        await using var ctx = Db.Factory.CreateForTenant(OrgId);
        var standing = await ctx.ProjectAnnotators.SingleAsync(s => s.ProjectId == project.Id && s.AnnotatorId == annotators[3].Id);
        Assert.NotNull(standing.PausedAt);
        Assert.Contains("flagged on the quality page", standing.PauseReason, StringComparison.Ordinal);
        providers.WaitForAssertion(() => Assert.Contains("is paused in this project", providers.Markup, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Charts_FromRealRows_ConsensusPerAnnotatorLowestFirstAndRawAgreementPerDimension()
    {
        var (project, annotators) = await AnnotatedAsync();
        var report = await Services.GetRequiredService<QualityService>().RecomputeAsync(OrgId, project.Id);

        var consensus = QualityCharts.Consensus(report);
        var perDimension = QualityCharts.AgreementPerDimension(report);

        Assert.Equal(annotators[3].DisplayName, consensus.Labels[0]);
        Assert.Equal(0.0, (double)consensus.Series[0].Data.GetValue(0)!);
        Assert.Equal(100.0, (double)consensus.Series[0].Data.GetValue(3)!);
        var choice = report.Dimensions.Single(d => d.Key == "choice");
        var index = Array.IndexOf(perDimension.Labels, choice.Name);
        Assert.Equal(50.0, (double)perDimension.Series[0].Data.GetValue(index)!);
    }

    [Fact]
    public async Task Charts_FromRealRowsOverTwoWeeks_AgreementOverTimeHasALinePerDimensionAndAPointPerWeek()
    {
        var (project, _) = await AnnotatedAsync();
        var quality = Services.GetRequiredService<QualityService>();
        Assert.True(QualityCharts.AgreementOverTime(await quality.RecomputeAsync(OrgId, project.Id)).IsEmpty);
        await using (var ctx = Db.Factory.CreateForTenant(OrgId))
        {
            var first = await ctx.Annotations.Where(a => a.ProjectId == project.Id).OrderBy(a => a.ItemId).Take(12).ToListAsync();
            first.ForEach(a => a.CreatedAt = a.CreatedAt.AddDays(-14));
            await ctx.SaveChangesAsync();
        }

        // Answers do not move in time in the portal, so an incremental recompute would not look at them again: a full one.
        var report = (await quality.RecomputeFullAsync(OrgId, project.Id)).Report;
        var weekly = QualityCharts.AgreementOverTime(report);

        Assert.Equal(report.Weekly.Where(w => w.Alpha is not null).Select(w => w.Key).Distinct().Count(), weekly.Series.Count);
        Assert.True(weekly.Labels.Length >= 2);
        Assert.Equal(report.Weekly.Where(w => w.Alpha is not null).Select(w => w.WeekStart).Distinct().Count(), weekly.Labels.Length);
    }

    private async Task<List<Item>> ItemsAsync(Project project)
    {
        await using var ctx = Db.Factory.CreateForTenant(OrgId);
        return await ctx.Items.Where(i => i.ProjectId == project.Id).OrderBy(i => i.ExternalId).ToListAsync();
    }
}
