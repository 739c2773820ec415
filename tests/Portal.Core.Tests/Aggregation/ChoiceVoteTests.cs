using Portal.Core.Aggregation;

namespace Portal.Core.Tests.Aggregation;

public class ChoiceVoteTests
{
    private const int A = (int)PreferenceChoice.A;
    private const int B = (int)PreferenceChoice.B;
    private const int Tie = (int)PreferenceChoice.Tie;
    private const int BothBad = (int)PreferenceChoice.BothBad;

    [Fact]
    public void Majority_ClearWinner_ReportsVotes()
    {
        var choice = ChoiceVote.Majority([B, A, B, Tie], classCount: 4);

        Assert.Equal(B, choice.Label);
        Assert.Equal(AggregationMethod.MajorityVote, choice.Method);
        Assert.Equal([1, 2, 1, 0], choice.Votes);
        Assert.Equal([1.0, 2, 1, 0], choice.Scores);
        Assert.False(choice.IsTie);
        Assert.Empty(choice.TiedClasses);
    }

    [Fact]
    public void Majority_Tie_BrokenByAscendingClassAndReported()
    {
        var choice = ChoiceVote.Majority([B, A], classCount: 4);

        Assert.Equal(A, choice.Label);
        Assert.True(choice.IsTie);
        Assert.Equal([A, B], choice.TiedClasses);
    }

    [Fact]
    public void Majority_PreferenceOrder_NeutralAnswerWinsTie()
    {
        var choice = ChoiceVote.Majority([A, Tie, BothBad, A, Tie, BothBad], classCount: 4, ChoiceVote.PreferenceTieBreakOrder);

        Assert.Equal(Tie, choice.Label);
        Assert.Equal([Tie, BothBad, A], choice.TiedClasses);
    }

    [Fact]
    public void Majority_BadInput_Throws()
    {
        Assert.Throws<ArgumentException>(() => ChoiceVote.Majority([], classCount: 4));
        Assert.Throws<ArgumentException>(() => ChoiceVote.Majority([4], classCount: 4));
        Assert.Throws<ArgumentException>(() => ChoiceVote.Majority([A], classCount: 4, [0, 1, 1, 3]));
    }

    [Fact]
    public void TrustWeighted_TrustedMinority_Wins()
    {
        var choice = ChoiceVote.TrustWeighted([A, B, B], [0.95, 0.4, 0.4], classCount: 4);

        Assert.Equal(A, choice.Label);
        Assert.Equal(AggregationMethod.TrustWeightedVote, choice.Method);
        Assert.Equal([1, 2, 0, 0], choice.Votes);
        Assert.Equal(0.95, choice.Scores[A], 1e-12);
        Assert.Equal(0.8, choice.Scores[B], 1e-12);
    }

    [Fact]
    public void TrustWeighted_SumsEqualUpToRounding_ReportedAsTie()
    {
        var choice = ChoiceVote.TrustWeighted([A, A, B], [0.1, 0.2, 0.3], classCount: 2);

        Assert.True(choice.IsTie);
        Assert.Equal(A, choice.Label);
    }

    [Fact]
    public void TrustWeighted_AllWeightsZero_LabelledClassesTie()
    {
        var choice = ChoiceVote.TrustWeighted([B, Tie], [0, 0], classCount: 4);

        Assert.Equal([B, Tie], choice.TiedClasses);
        Assert.Equal(B, choice.Label);
    }

    [Fact]
    public void TrustWeighted_NegativeWeight_Throws()
    {
        Assert.Throws<ArgumentException>(() => ChoiceVote.TrustWeighted([A], [-1], classCount: 2));
        Assert.Throws<ArgumentException>(() => ChoiceVote.TrustWeighted([A, B], [1], classCount: 2));
    }

    [Theory]
    [InlineData(0.9, 2, 2.1972245773)]
    [InlineData(0.5, 2, 0)]
    [InlineData(0.25, 4, 0)]
    [InlineData(0.1, 2, 0)]
    [InlineData(0.5, 4, 1.0986122887)]
    public void LogOddsWeight_Accuracy_IsLogOddsAboveChance(double accuracy, int classes, double expected)
    {
        Assert.Equal(expected, ChoiceVote.LogOddsWeight(accuracy, classes), 1e-9);
    }
}
