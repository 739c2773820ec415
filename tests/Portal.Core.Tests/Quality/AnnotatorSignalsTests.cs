using Portal.Core.Quality;

namespace Portal.Core.Tests.Quality;

public class AnnotatorSignalsTests
{
    [Theory]
    [InlineData(0, 10, 2.0 / 1024)]
    [InlineData(10, 10, 2.0 / 1024)]
    [InlineData(2, 10, 112.0 / 1024)]
    [InlineData(5, 10, 1.0)]
    [InlineData(1, 2, 1.0)]
    [InlineData(0, 0, 1.0)]
    public void BinomialTwoSided_PublishedTableValues_Match(int k, int n, double expected) =>
        Assert.Equal(expected, AnnotatorSignals.BinomialTwoSided(k, n), 12);

    [Fact]
    public void BinomialTwoSided_LargeN_AgreesWithTheNormalApproximation()
    {
        // 5,600 of 10,000 is 12 standard deviations out: far below any threshold, and finite.
        var p = AnnotatorSignals.BinomialTwoSided(5600, 10000);
        Assert.InRange(p, 0, 1e-20);
        Assert.Equal(AnnotatorSignals.BinomialTwoSided(4400, 10000), p);
    }

    [Fact]
    public void PositionBias_EveryChoiceOnTheLeft_IsCertainAndSignificant()
    {
        var (share, p) = AnnotatorSignals.PositionBias(12, 0);
        Assert.Equal(1.0, share);
        Assert.True(p < 0.001);
        Assert.True(double.IsNaN(AnnotatorSignals.PositionBias(0, 0).LeftShare));
    }

    [Fact]
    public void RepeatShare_CountsAnswersEqualToThePreviousOne()
    {
        Assert.Equal(1.0, AnnotatorSignals.RepeatShare([4, 4, 4, 4]));
        Assert.Equal(0.0, AnnotatorSignals.RepeatShare([1, 2, 1, 2]));
        Assert.Equal(1.0 / 3, AnnotatorSignals.RepeatShare([1, 1, 2, 3]), 12);
        Assert.True(double.IsNaN(AnnotatorSignals.RepeatShare([5])));
    }
}
