using MudBlazor;
using Portal.Web.Features.Quality;

namespace Portal.Web.Components.Tests.Features.Quality;

public class QualityChartTests : PortalComponentTest
{
    [Fact]
    public void Render_NothingToPlot_ShowsWhatWillAppearInsteadOfABlankChart()
    {
        var cut = Render<QualityChart>(p => p.Add(x => x.Chart, ChartView.Empty).Add(x => x.TestId, "weekly-chart")
            .Add(x => x.EmptyTitle, "No weekly agreement yet").Add(x => x.EmptyText, "A line per dimension appears once a week has two ratings of an item."));

        Assert.Equal("true", cut.Find("[data-testid=weekly-chart]").GetAttribute("data-empty"));
        Assert.Contains("No weekly agreement yet", cut.Find("[data-testid=weekly-chart-empty]").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindComponents<MudChart<double>>());
    }

    [Fact]
    public void Render_Bars_PassesLabelsAndSeriesToTheChart()
    {
        var chart = new ChartView(["Ann", "Bob"], [new ChartSeries<double> { Name = "%", Data = new[] { 40.0, 90.0 } }]);

        var cut = Render<QualityChart>(p => p.Add(x => x.Chart, chart).Add(x => x.EmptyTitle, "none"));

        var mud = cut.FindComponent<MudChart<double>>();
        Assert.Equal(["Ann", "Bob"], mud.Instance.ChartLabels);
        Assert.Equal(90.0, (double)mud.Instance.ChartSeries[0].Data.GetValue(1)!);
        Assert.Empty(cut.FindAll("[data-testid=quality-chart-empty]"));
    }
}
