using MudBlazor;
using Portal.App.Features.Calibration;
using Portal.Web.Features.Quality;

namespace Portal.Web.Features.Calibration;

/// <summary>The calibration round's charts, built from its report.</summary>
public static class CalibrationCharts
{
    /// <summary>Per item with answers: the share of answers away from the consensus, in %.</summary>
    public static ChartView PerItem(CalibrationReport report)
    {
        var items = report.Items.Where(i => i.Answers > 0).ToList();
        return items.Count == 0
            ? ChartView.Empty
            : new([.. items.Select(CalibrationRoundPage.ItemLabel)],
                [new ChartSeries<double> { Name = "% of answers away from the consensus", Data = items.Select(i => Math.Round((i.Disagreement ?? 0) * 100, 1)).ToArray() }]);
    }

    /// <summary>Per participant compared on at least one item: the share of items they answered away from the consensus, in %.</summary>
    public static ChartView PerAnnotator(CalibrationReport report)
    {
        var annotators = report.Annotators.Where(a => a.Compared > 0).ToList();
        return annotators.Count == 0
            ? ChartView.Empty
            : new([.. annotators.Select(a => a.Name)],
                [new ChartSeries<double> { Name = "% of items away from the consensus", Data = annotators.Select(a => Math.Round((a.DifferedShare ?? 0) * 100, 1)).ToArray() }]);
    }
}
