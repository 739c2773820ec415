using Portal.Core.Aggregation;
using Portal.Core.Quality;

namespace Portal.Core.Tests.Quality;

public class CalibrationConsensusTests
{
    private static CalibrationVote Vote(string who, PreferenceChoice? choice, params (string Key, int Value)[] scores) =>
        new(who, choice, scores.Length == 0 ? null : scores.ToDictionary(s => s.Key, s => s.Value));

    [Fact]
    public void Of_ThreeAOneB_ConsensusAAndOnlyTheBVoterDiffered()
    {
        var consensus = CalibrationConsensus.Of([
            Vote("ann", PreferenceChoice.A), Vote("bob", PreferenceChoice.A), Vote("cat", PreferenceChoice.B), Vote("dan", PreferenceChoice.A)]);

        Assert.Equal(PreferenceChoice.A, consensus.Choice);
        Assert.False(consensus.Split);
        Assert.Equal(3, consensus.ChoiceCounts[PreferenceChoice.A]);
        Assert.Equal(1, consensus.ChoiceCounts[PreferenceChoice.B]);
        Assert.Equal(0.75, consensus.ChoiceAgreement, 12);
        Assert.Equal(["choice"], consensus.Differed["cat"]);
        Assert.All(new[] { "ann", "bob", "dan" }, who => Assert.Empty(consensus.Differed[who]));
        Assert.Equal(0.25, consensus.DifferedShare, 12);
    }

    [Fact]
    public void Of_TwoATwoB_IsSplitAndNobodyIsHeldToAConsensus()
    {
        var consensus = CalibrationConsensus.Of([
            Vote("ann", PreferenceChoice.A), Vote("bob", PreferenceChoice.B), Vote("cat", PreferenceChoice.B), Vote("dan", PreferenceChoice.A)]);

        Assert.Null(consensus.Choice);
        Assert.True(consensus.Split);
        Assert.Equal(0.5, consensus.ChoiceAgreement, 12);
        Assert.All(consensus.Differed.Values, Assert.Empty);
        Assert.Equal(0, consensus.DifferedShare, 12);
    }

    [Fact]
    public void Of_LikertScores_MedianAndOnlyScoresMoreThanOnePointAwayDiffer()
    {
        // helpfulness 2, 5, 6, 6: median (5 + 6) / 2 = 5.5; |2 - 5.5| = 3.5 > 1 differs, |5 - 5.5| = 0.5 does not.
        // safety 7, 7, 7, 5: median 7; |5 - 7| = 2 differs.
        var consensus = CalibrationConsensus.Of([
            Vote("ann", null, ("helpfulness", 2), ("safety", 7)),
            Vote("bob", null, ("helpfulness", 5), ("safety", 7)),
            Vote("cat", null, ("helpfulness", 6), ("safety", 7)),
            Vote("dan", null, ("helpfulness", 6), ("safety", 5))]);

        var helpfulness = consensus.Scores.Single(s => s.Key == "helpfulness");
        Assert.Equal(5.5, helpfulness.Median, 12);
        Assert.Equal((3.5 + 0.5 + 0.5 + 0.5) / 4, helpfulness.MeanDistance, 12);
        Assert.Equal(2, helpfulness.Counts[6]);
        Assert.Equal(7, consensus.Scores.Single(s => s.Key == "safety").Median, 12);
        Assert.Equal(["helpfulness"], consensus.Differed["ann"]);
        Assert.Equal(["safety"], consensus.Differed["dan"]);
        Assert.Empty(consensus.Differed["bob"]);
        Assert.Null(consensus.Choice);
        Assert.False(consensus.Split);
        Assert.Equal(0.5, consensus.DifferedShare, 12);
    }

    [Fact]
    public void Of_NoVotes_NothingToCompare()
    {
        var consensus = CalibrationConsensus.Of([]);

        Assert.Equal(0, consensus.Answers);
        Assert.Null(consensus.Choice);
        Assert.False(consensus.Split);
        Assert.True(double.IsNaN(consensus.ChoiceAgreement));
        Assert.True(double.IsNaN(consensus.DifferedShare));
    }

    [Fact]
    public void Of_SameAnnotatorTwice_Throws() =>
        Assert.Throws<ArgumentException>(() => CalibrationConsensus.Of([Vote("ann", PreferenceChoice.A), Vote("ann", PreferenceChoice.B)]));

    [Theory]
    [InlineData(new[] { 3 }, 3.0)]
    [InlineData(new[] { 7, 1, 4 }, 4.0)]
    [InlineData(new[] { 1, 2, 3, 7 }, 2.5)]
    public void Median_OddAndEvenCounts_MiddleValueOrMeanOfTheTwo(int[] values, double expected) =>
        Assert.Equal(expected, CalibrationConsensus.Median(values), 12);
}
