using Portal.Core.Pairs;
using Portal.Core.Rlthf;

namespace Portal.Core.Tests.Rlthf;

public class SyntheticPairsTests
{
    private static string Write(int pairs, int seed)
    {
        using var text = new StringWriter();
        SyntheticPairs.Write(text, pairs, seed);
        return text.ToString();
    }

    [Fact]
    public void Write_SameSeed_SameText_OtherSeed_Differs()
    {
        Assert.Equal(Write(50, 1), Write(50, 1));
        Assert.NotEqual(Write(50, 1), Write(50, 2));
    }

    [Fact]
    public void Write_ReadsBackAsTrlPairs()
    {
        using var reader = new StringReader(Write(20, 7));

        var pairs = PreferencePairReader.Read(reader).ToList();

        Assert.Equal(20, pairs.Count);
        Assert.All(pairs, p =>
        {
            Assert.Equal(Preference.A, p.Label);
            Assert.Single(p.Conversation);
            Assert.EndsWith("?", p.Conversation[0].Content, StringComparison.Ordinal);
            Assert.NotEqual(p.ResponseA, p.ResponseB);
        });
        Assert.Equal("syn-7-1", pairs[0].ExternalId);
    }

    [Fact]
    public void Write_ZeroPairs_WritesNothing()
    {
        Assert.Equal("", Write(0, 1));
    }
}
