using Portal.Core.Aggregation;

namespace Portal.Core.Tests.Aggregation;

public class LikertSummaryTests
{
    [Fact]
    public void Of_OddCount_GivesCentreAndSpread()
    {
        var summary = LikertSummary.Of([5, 1, 4, 4, 3]);

        Assert.Equal(3.4, summary.Mean, 1e-12);
        Assert.Equal(4, summary.Median);
        Assert.Equal(Math.Sqrt(9.2 / 5), summary.StandardDeviation, 1e-12);
        Assert.Equal((1.0, 5.0, 5), (summary.Min, summary.Max, summary.Count));
    }

    [Fact]
    public void Of_EvenCount_MedianIsMeanOfMiddleTwo()
    {
        Assert.Equal(2.5, LikertSummary.Of([1, 4, 2, 3]).Median);
    }

    [Fact]
    public void Of_OneScore_HasNoSpread()
    {
        var summary = LikertSummary.Of([6]);

        Assert.Equal(new LikertSummary(6, 6, 0, 6, 6, 1), summary);
    }

    [Fact]
    public void Of_NoScoresOrNaN_Throws()
    {
        Assert.Throws<ArgumentException>(() => LikertSummary.Of([]));
        Assert.Throws<ArgumentException>(() => LikertSummary.Of([1, double.NaN]));
    }
}
