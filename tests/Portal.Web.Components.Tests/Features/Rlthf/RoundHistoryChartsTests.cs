using Portal.Web.Components.Tests.Features.Releases;
using Portal.Web.Features.Rlthf;

namespace Portal.Web.Components.Tests.Features.Rlthf;

public class RoundHistoryChartsTests : PortalComponentTest
{
    [Fact]
    public async Task Render_PlannedRound_ChartsWhatItSentAndTheHumanEffortFromRealRows()
    {
        var db = await UseDatabaseAsync();
        var (_, _, round) = await db.LoopWithRoundAsync(budget: "6");

        var cut = Render<RoundHistoryCharts>(p => p.Add(x => x.Rounds, [round!]));

        var counts = RoundHistoryCharts.Counts([round!]);
        Assert.Equal((double?)6, counts.Single(s => s.Name == "Sent to humans").Data[0].Y);
        Assert.Equal((double?)0, counts.Single(s => s.Name == "AI label overturned").Data[0].Y);
        var quality = RoundHistoryCharts.Quality([round!]);
        Assert.Equal((double?)Math.Round((round!.HumanShare ?? 0) * 100, 1), quality.Single(s => s.Name == "Human effort").Data[0].Y);
        Assert.Contains("Round 1", cut.Find("[data-testid=rounds-chart] svg").TextContent, StringComparison.Ordinal);
        Assert.Single(cut.FindAll("[data-testid=quality-chart] svg"));
    }
}
