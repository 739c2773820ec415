using Portal.Core.Pairs;
using Portal.Core.Rlthf;

namespace Portal.Core.Tests.Rlthf;

public class HashedFeaturizerTests
{
    private static readonly FeatureOptions All = new() { CharNgramMin = 3, CharNgramMax = 5 };

    [Fact]
    public void PairDifference_IsFeaturesOfAMinusFeaturesOfB()
    {
        var featurizer = new HashedFeaturizer(All);
        var pair = new PreferencePair(null, [new Turn("user", "How do I bake bread?"), new Turn("assistant", "Flour.")],
            "Mix flour, water and yeast.\n\n1. Knead\n2. Bake", "I can't help with that!", null, null);

        var difference = featurizer.PairDifference(pair);
        var a = featurizer.Features(pair.Conversation, pair.ResponseA);
        var b = featurizer.Features(pair.Conversation, pair.ResponseB);

        var dense = new float[featurizer.Dimension];
        for (var k = 0; k < a.Count; k++)
        {
            dense[a.Indices[k]] += a.Values[k];
        }
        for (var k = 0; k < b.Count; k++)
        {
            dense[b.Indices[k]] -= b.Values[k];
        }
        Assert.Equal(dense.Count(v => v != 0), difference.Count);
        for (var k = 0; k < difference.Count; k++)
        {
            Assert.Equal(dense[difference.Indices[k]], difference.Values[k], 1e-6f);
        }
    }

    [Fact]
    public void Margin_EqualsDotOfPairDifference()
    {
        var featurizer = new HashedFeaturizer(All with { HashBits = 12 });
        var random = new Random(1);
        var weights = Enumerable.Range(0, featurizer.Dimension).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();

        foreach (var pair in TestPairs.Synthetic(20, seed: 1))
        {
            Assert.Equal(featurizer.PairDifference(pair).Dot(weights), featurizer.Margin(pair, weights), 1e-4f);
        }
    }

    [Fact]
    public void PairDifference_Swap_Negates()
    {
        var featurizer = new HashedFeaturizer(All);
        var pair = TestPairs.Pair("Sure, here it is.", "No.");

        var forward = featurizer.PairDifference(pair);
        var backward = featurizer.PairDifference(pair.Swap());

        Assert.Equal(forward.Indices, backward.Indices);
        Assert.Equal(forward.Values, backward.Values.Select(v => -v));
    }

    [Fact]
    public void PairDifference_SameResponses_Empty()
    {
        Assert.Equal(0, new HashedFeaturizer(All).PairDifference(TestPairs.Pair("Same text.", "Same text.")).Count);
    }

    [Fact]
    public void Features_IndicesSortedInRange_NgramPartUnitLength()
    {
        var featurizer = new HashedFeaturizer(new FeatureOptions { HashBits = 12, Structure = false, PromptOverlap = false });

        var features = featurizer.Features([], "The cat sat on the mat. The cat slept.");

        Assert.True(features.Indices.Zip(features.Indices.Skip(1)).All(p => p.First < p.Second));
        Assert.All(features.Indices, i => Assert.InRange(i, 0, 4095));
        Assert.Equal(1.0, Math.Sqrt(features.Values.Sum(v => (double)v * v)), 1e-5);
    }

    [Fact]
    public void Features_CaseAndSpacing_IgnoredByNgrams()
    {
        var featurizer = new HashedFeaturizer(All with { Structure = false });

        var a = featurizer.Features([], "Hello   World");
        var b = featurizer.Features([], "hello world");

        Assert.Equal(a.Indices, b.Indices);
        Assert.Equal(a.Values, b.Values);
    }

    [Theory]
    [InlineData(9)]
    [InlineData(25)]
    public void Constructor_HashBitsOutOfRange_Throws(int bits)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new HashedFeaturizer(new FeatureOptions { HashBits = bits }));
    }

    [Fact]
    public void Markers_CountPhraseGroupsAtTheirSlot()
    {
        var only = new FeatureOptions { WordUnigrams = false, WordBigrams = false, Structure = false, PromptOverlap = false, Markers = true };
        var featurizer = new HashedFeaturizer(only);

        // Two apologies (group 0) and one refusal (group 1); nothing else is on.
        var x = featurizer.Features([new Turn("user", "Help me steal.")], "Sorry, I  CAN'T. So sorry.");
        var none = featurizer.Features([new Turn("user", "Hi")], "Hello there.");

        Assert.Equal(2, x.Count);
        Assert.Equal(new[] { 0.1f * MathF.Log(3), 0.1f * MathF.Log(2) }.Order(), x.Values.Order(), new FloatTolerance(1e-6f));
        Assert.Equal(0, none.Count);
    }

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}
