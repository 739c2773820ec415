using Portal.Core.Rlthf;

namespace Portal.Core.Tests.Rlthf;

public class SelectionTests
{
    // Steep from −10 to −1 over the first 10%, flat from −1 to 1 until 90%, steep to 10 after.
    private static float[] SCurve(int n = 1000)
    {
        var curve = new float[n];
        for (var i = 0; i < n; i++)
        {
            var x = (double)i / (n - 1);
            curve[i] = (float)(x < 0.1 ? -10 + (90 * x) : x < 0.9 ? -1 + ((x - 0.1) * 2.5) : 1 + ((x - 0.9) * 90));
        }
        return curve;
    }

    [Fact]
    public void Landmarks_PiecewiseSCurve_FindsBothBends()
    {
        var (knee, elbow) = Selection.Landmarks(SCurve());

        Assert.InRange(knee, 95, 105);
        Assert.InRange(elbow, 895, 905);
    }

    [Fact]
    public void Landmarks_SortedGaussianWithNoise_KneeLeftOfZeroElbowRightOfIt()
    {
        var random = new Random(3);
        var curve = new float[5000];
        for (var i = 0; i < curve.Length; i++)
        {
            curve[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        }
        Array.Sort(curve);

        var (knee, elbow) = Selection.Landmarks(curve);

        // A normal quantile curve bends where its slope equals the chord's: about 7% in from each end here.
        Assert.InRange(knee, 100, 750);
        Assert.InRange(elbow, 4250, 4900);
    }

    [Fact]
    public void Landmarks_StraightLine_ReturnsEnds()
    {
        var line = Enumerable.Range(0, 200).Select(i => i * 0.5f).ToArray();

        Assert.Equal((0, 199), Selection.Landmarks(line));
    }

    [Fact]
    public void Landmarks_ConstantOrTiny_ReturnsEnds()
    {
        Assert.Equal((0, 99), Selection.Landmarks(new float[100]));
        Assert.Equal((0, 3), Selection.Landmarks([1f, 2f, 3f, 4f]));
        Assert.Equal((0, 0), Selection.Landmarks([]));
    }

    [Fact]
    public void Landmarks_Unsorted_Throws()
    {
        Assert.Throws<ArgumentException>(() => Selection.Landmarks([1f, 3f, 2f, 4f, 5f, 6f]));
    }

    [Fact]
    public void Landmarks_OneHugeOutlier_DoesNotHideTheBends()
    {
        var curve = SCurve();
        curve[^1] = 1e6f;

        var (knee, elbow) = Selection.Landmarks(curve);

        Assert.InRange(knee, 95, 105);
        Assert.InRange(elbow, 890, 905);
    }

    [Fact]
    public void Select_Rlthf_TakesBudgetMostSuspiciousFirst()
    {
        var margins = Shuffled(SCurve(), seed: 5, out var rankOf);

        var result = Selection.Select(margins, 30, new SelectionOptions());

        Assert.Equal(30, result.Selected.Count);
        Assert.Equal(Enumerable.Range(0, 30), result.Selected.Select(i => rankOf[i]));
        Assert.Empty(result.AutoFlip);
    }

    [Fact]
    public void Select_Rlthf_KeepsRightOfKneeLessBackOff()
    {
        var margins = Shuffled(SCurve(), seed: 5, out var rankOf);

        var result = Selection.Select(margins, 10, new SelectionOptions { BackOffRatio = 0.25 });

        var knee = result.Curve.Knee;
        var from = knee + (int)Math.Ceiling(0.25 * (1000 - knee));
        Assert.Equal(Enumerable.Range(from, 1000 - from), result.KeepForTraining.Select(i => rankOf[i]).Order());
    }

    [Fact]
    public void Select_RlthfAutoFlip_FlipsBeyondMirrorAndSelectsAfterThem()
    {
        var margins = Shuffled(SCurve(), seed: 5, out var rankOf);

        var result = Selection.Select(margins, 20, new SelectionOptions { AutoFlip = true });

        var curve = result.Curve;
        // The elbow's margin is about 1, so the mirror is the first margin ≥ −1: rank 100, at the knee.
        Assert.InRange(curve.Mirror, 95, 105);
        var flips = Math.Min(curve.Mirror, curve.Knee);
        Assert.Equal(Enumerable.Range(0, flips), result.AutoFlip.Select(i => rankOf[i]));
        Assert.Equal(Enumerable.Range(flips, 20), result.Selected.Select(i => rankOf[i]));
        Assert.Subset(result.KeepForTraining.ToHashSet(), result.AutoFlip.ToHashSet());
    }

    [Fact]
    public void Select_AllMarginsPositive_MirrorIsZeroAndNothingFlips()
    {
        var margins = SCurve().Select(m => m + 20f).ToArray();

        var result = Selection.Select(margins, 5, new SelectionOptions { AutoFlip = true });

        Assert.Equal(0, result.Curve.Mirror);
        Assert.Equal(0, result.Curve.ZeroCrossing);
        Assert.Empty(result.AutoFlip);
        Assert.Equal([0, 1, 2, 3, 4], result.Selected);
    }

    [Fact]
    public void Select_BudgetAboveCandidates_SelectsAll()
    {
        var result = Selection.Select([0.3f, -0.1f, 0.2f], 10, new SelectionOptions());

        Assert.Equal([1, 2, 0], result.Selected);
    }

    [Fact]
    public void Select_Uncertainty_SmallestAbsoluteMarginFirst()
    {
        var result = Selection.Select([-3f, 0.5f, -0.1f, 2f, 0.2f], 3, new SelectionOptions { Strategy = SelectionStrategy.Uncertainty });

        Assert.Equal([2, 4, 1], result.Selected);
        Assert.Equal(5, result.KeepForTraining.Count);
    }

    [Fact]
    public void Select_Random_SeededDistinctAndRepeatable()
    {
        var margins = new float[500];
        var options = new SelectionOptions { Strategy = SelectionStrategy.Random, Seed = 9 };

        var first = Selection.Select(margins, 50, options).Selected;
        var again = Selection.Select(margins, 50, options).Selected;
        var other = Selection.Select(margins, 50, options with { Seed = 10 }).Selected;

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.Equal(50, first.Distinct().Count());
        Assert.All(first, i => Assert.InRange(i, 0, 499));
    }

    [Fact]
    public void Select_Ties_OrderedByIndex()
    {
        var result = Selection.Select([1f, 0f, 0f, 1f, 0f], 5, new SelectionOptions());

        Assert.Equal([1, 2, 4, 0, 3], result.Selected);
    }

    [Fact]
    public void Select_Curve_DownsampledToLimitWithEnds()
    {
        var margins = Shuffled(SCurve(20_000), seed: 1, out _);

        var curve = Selection.Select(margins, 0, new SelectionOptions()).Curve;

        Assert.Equal(20_000, curve.Count);
        Assert.Equal(500, curve.Points.Count);
        Assert.Equal(0, curve.Points[0].Rank);
        Assert.Equal(19_999, curve.Points[^1].Rank);
        Assert.True(curve.Points.Zip(curve.Points.Skip(1)).All(p => p.First.Margin <= p.Second.Margin && p.First.Rank < p.Second.Rank));
        Assert.InRange(curve.ZeroCrossing, 10_000, 10_100);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void Select_NonFiniteMargin_Throws(float bad)
    {
        Assert.Throws<ArgumentException>(() => Selection.Select([0f, bad], 1, new SelectionOptions()));
    }

    [Fact]
    public void Select_BadOptions_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Selection.Select([0f], -1, new SelectionOptions()));
        Assert.Throws<ArgumentOutOfRangeException>(() => Selection.Select([0f], 1, new SelectionOptions { BackOffRatio = 1.5 }));
    }

    private static float[] Shuffled(float[] ascending, int seed, out int[] rankOf)
    {
        var index = Enumerable.Range(0, ascending.Length).ToArray();
        new Random(seed).Shuffle(index);
        var margins = new float[ascending.Length];
        rankOf = new int[ascending.Length];
        for (var rank = 0; rank < index.Length; rank++)
        {
            margins[index[rank]] = ascending[rank];
            rankOf[index[rank]] = rank;
        }
        return margins;
    }
}
