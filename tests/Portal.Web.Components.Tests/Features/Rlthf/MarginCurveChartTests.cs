using Portal.App.Features.Rlthf;
using Portal.Web.Components.Tests.Features.Releases;
using Portal.Web.Features.Rlthf;

namespace Portal.Web.Components.Tests.Features.Rlthf;

public class MarginCurveChartTests : PortalComponentTest
{
    [Fact]
    public async Task Render_PlannedRound_NamesTheKneeElbowAndMirrorOnTheAxisAtTheirRanks()
    {
        var db = await UseDatabaseAsync();
        var (_, _, round) = await db.LoopWithRoundAsync(budget: "6");

        var cut = Render<MarginCurveChart>(p => p.Add(x => x.Round, round!));

        var marks = MarginCurveChart.Landmarks(round!);
        Assert.Equal(["knee", "elbow", "mirror"], marks.Select(m => m.Name).Order().Reverse().OrderBy(n => n == "knee" ? 0 : n == "elbow" ? 1 : 2));
        Assert.Equal(round!.Curve.MinBy(p => Math.Abs(p.Rank - round.Knee)), marks.Single(m => m.Name == "knee").Point);
        var labels = MarginCurveChart.AxisLabels(round, marks);
        Assert.Equal(round.Curve.Count, labels.Length);
        Assert.All(labels.Where(l => l.Length > 0), l => Assert.Matches("^(mirror|knee|elbow) \\d+( / (mirror|knee|elbow) \\d+)*$", l));
        Assert.Contains($"knee {marks.Single(m => m.Name == "knee").Point.Rank}", string.Join("|", labels), StringComparison.Ordinal);
        var svg = cut.Find("[data-testid=margin-curve] svg");
        Assert.Contains("knee", svg.TextContent, StringComparison.Ordinal);
        Assert.Equal(3, cut.FindAll("[data-testid=curve-marks] .mud-chip").Count);
    }

    [Fact]
    public void Render_RoundWithoutCurve_ShowsAnEmptyStateInsteadOfABlankChart()
    {
        var round = new RoundView(Guid.NewGuid(), 1, Portal.App.Data.RoundStatus.Completed, "rlthf", "5", 5, 1, 2, 0.1, false, null, DateTime.UtcNow, DateTime.UtcNow,
            DateTime.UtcNow, null, null, 100, null, 0, 0, 0, 0, 0, 0, 0, 0, null, null, null, 0, 0, 0, 0, [], null);

        var cut = Render<MarginCurveChart>(p => p.Add(x => x.Round, round));

        Assert.Contains("appears once a round scores the loop's pairs", cut.Find("[data-testid=margin-curve-empty]").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("svg.mud-chart-line, [data-testid=margin-curve]"));
    }
}
