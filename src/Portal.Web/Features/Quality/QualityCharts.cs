using System.Globalization;
using MudBlazor;
using Portal.App.Features.Quality;

namespace Portal.Web.Features.Quality;

/// <summary>The labels and series of one MudChart: empty when there is nothing to plot (the page shows an empty state instead).</summary>
public sealed record ChartView(string[] Labels, List<ChartSeries<double>> Series)
{
    public static ChartView Empty { get; } = new([], []);

    public bool IsEmpty => Labels.Length == 0 || Series.Count == 0;
}

/// <summary>Builds the quality page's charts from a report: pure functions, so tests can check the series against real rows.</summary>
public static class QualityCharts
{
    /// <summary>Raw agreement (%) per rated dimension, one bar each.</summary>
    public static ChartView AgreementPerDimension(QualityReport report)
    {
        var dimensions = report.Dimensions.Where(d => d.PercentAgreement is not null).ToList();
        return dimensions.Count == 0
            ? ChartView.Empty
            : new([.. dimensions.Select(d => d.Name)],
                [new ChartSeries<double> { Name = "% raw agreement", Data = dimensions.Select(d => Percent(d.PercentAgreement!.Value)).ToArray() }]);
    }

    /// <summary>
    /// Alpha per dimension over time: one line per dimension, one point per week (weeks without a value are gaps);
    /// empty until the annotations span two weeks.
    /// </summary>
    public static ChartView AgreementOverTime(QualityReport report)
    {
        var weekly = report.Weekly.Where(w => w.Alpha is not null).ToList();
        if (weekly.Select(w => w.WeekStart).Distinct().Count() < 2)
        {
            // One week is one point, not a trend: the cards show its alpha.
            return ChartView.Empty;
        }

        var names = report.Dimensions.ToDictionary(d => d.Key, d => d.Name);
        var weeks = weekly.Select(w => w.WeekStart).Distinct().Order().ToList();
        var series = weekly.GroupBy(w => w.Key).Select(g =>
        {
            var byWeek = g.ToDictionary(w => w.WeekStart, w => w.Alpha);
            var values = weeks.Select(week => byWeek.GetValueOrDefault(week)).ToList();
            return new ChartSeries<double> { Name = names.GetValueOrDefault(g.Key, g.Key), Data = new ChartData<double>(values) };
        }).ToList();
        return new([.. weeks.Select(w => w.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))], series);
    }

    /// <summary>Each annotator's agreement with the others (%), lowest first.</summary>
    public static ChartView Consensus(QualityReport report)
    {
        var annotators = report.Annotators.Where(a => a.AgreementWithOthers is not null).OrderBy(a => a.AgreementWithOthers).ThenBy(a => a.Name, StringComparer.Ordinal).ToList();
        return annotators.Count == 0
            ? ChartView.Empty
            : new([.. annotators.Select(a => a.Name)],
                [new ChartSeries<double> { Name = "% of shared items", Data = annotators.Select(a => Percent(a.AgreementWithOthers!.Value)).ToArray() }]);
    }

    /// <summary>Agreement with the AI labeler (%): the curated label per model, then each annotator's own answers.</summary>
    public static ChartView AiAgreement(AiVsHumans ai)
    {
        var bars = ai.PerModel.Where(m => m.PercentAgreement is not null).Select(m => ($"{m.Model} vs curated", m.PercentAgreement!.Value))
            .Concat(ai.PerAnnotator.Where(a => a.PercentAgreement is not null).Select(a => ($"vs {a.Name}", a.PercentAgreement!.Value)))
            .ToList();
        return bars.Count == 0
            ? ChartView.Empty
            : new([.. bars.Select(b => b.Item1)], [new ChartSeries<double> { Name = "% agreement", Data = bars.Select(b => Percent(b.Item2)).ToArray() }]);
    }

    /// <summary>One annotator's signals that are shares, in %.</summary>
    public static ChartView AnnotatorShares(AnnotatorQuality q)
    {
        var bars = new (string Name, double? Share)[]
        {
            ("Agrees with others", q.AgreementWithOthers), ("Straight-lining", q.RepeatShare), ("Too fast", q.FastShare),
            ("Left chosen", q.LeftShare), ("Gold accuracy", q.GoldAccuracy), ("Self-consistency", q.SelfConsistency),
        }.Where(b => b.Share is not null).ToList();
        return bars.Count == 0
            ? ChartView.Empty
            : new([.. bars.Select(b => b.Name)], [new ChartSeries<double> { Name = "%", Data = bars.Select(b => Percent(b.Share!.Value)).ToArray() }]);
    }

    private static double Percent(double share) => Math.Round(share * 100, 1);
}
