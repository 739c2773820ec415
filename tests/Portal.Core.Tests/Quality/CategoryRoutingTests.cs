using Portal.Core.Aggregation;
using Portal.Core.Quality;

namespace Portal.Core.Tests.Quality;

public class CategoryRoutingTests
{
    // Published values of the 95% Wilson score interval (Newcombe 1998, table I: 81/263 → 0.2553–0.3662; 15/148 → 0.0624–0.1605).
    [Theory]
    [InlineData(81, 263, 0.2553, 0.3662)]
    [InlineData(15, 148, 0.0624, 0.1605)]
    [InlineData(2, 5, 0.1176, 0.7693)]
    [InlineData(0, 10, 0.0, 0.2775)]
    public void Wilson_KnownProportions_MatchPublishedIntervals(int k, int n, double low, double high)
    {
        var (l, h) = CategoryRouting.Wilson(k, n);

        Assert.Equal(low, l!.Value, 4);
        Assert.Equal(high, h!.Value, 4);
    }

    [Fact]
    public void Wilson_NoItems_ReturnsNulls() => Assert.Equal((null, null), CategoryRouting.Wilson(0, 0));

    [Fact]
    public void Agreement_LeavesBothBadOut_AndGroupsUncategorisedLast()
    {
        var rows = CategoryRouting.Agreement(
        [
            ("math", PreferenceChoice.A, PreferenceChoice.A), ("math", PreferenceChoice.A, PreferenceChoice.B), ("math", PreferenceChoice.A, PreferenceChoice.BothBad),
            (null, PreferenceChoice.Tie, PreferenceChoice.Tie), ("chat", PreferenceChoice.B, PreferenceChoice.B),
        ]);

        Assert.Equal(["chat", "math", null], rows.Select(r => r.Category));
        Assert.Equal((2, 1, 0.5), (rows[1].Items, rows[1].Agreements, rows[1].Agreement));
        Assert.Equal((1, 1), (rows[2].Items, rows[2].Agreements));
    }

    [Fact]
    public void Suggest_BelowThresholdOnEnoughItems_ProposesHumans_OtherwiseKeepsTheRoute()
    {
        var agreement = new[]
        {
            new CategoryAgreement("math", 30, 18, 0.6, 0.42, 0.75),
            new CategoryAgreement("chat", 30, 27, 0.9, 0.74, 0.97),
            new CategoryAgreement("trivia", 10, 3, 0.3, 0.11, 0.6),
        };

        var s = CategoryRouting.Suggest([("math", "ai-checked"), ("chat", "ai"), ("trivia", "ai"), ("new", "ai"), ("legal", "humans")], agreement, 0.7, 20)
            .ToDictionary(x => x.Category);

        Assert.Equal(("humans", true), (s["math"].Proposed, s["math"].Change));
        Assert.Equal("Agreement 60% on 30 items is below the threshold 70%: humans only.", s["math"].Reason);
        Assert.Equal(("ai", false), (s["chat"].Proposed, s["chat"].Change));
        Assert.Equal(("ai", false, 10), (s["trivia"].Proposed, s["trivia"].Change, s["trivia"].Items));
        Assert.Equal((0, null), (s["new"].Items, s["new"].Agreement));
        Assert.Equal(("humans", false), (s["legal"].Proposed, s["legal"].Change));
    }

    [Fact]
    public void Suggest_AgreementExactlyAtTheThreshold_KeepsTheRoute()
    {
        var s = CategoryRouting.Suggest([("math", "ai")], [new CategoryAgreement("math", 20, 14, 0.7, 0.48, 0.85)], 0.7, 20);

        Assert.False(s.Single().Change);
    }
}
