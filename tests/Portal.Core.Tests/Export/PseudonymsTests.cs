using System.Security.Cryptography;
using System.Text;
using Portal.Core.Export;

namespace Portal.Core.Tests.Export;

public class PseudonymsTests
{
    private static readonly byte[] SaltA = [.. Enumerable.Range(0, 32).Select(i => (byte)i)];
    private static readonly byte[] SaltB = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];

    [Fact]
    public void For_SameSaltAndId_SamePseudonym()
    {
        Assert.Equal(Pseudonyms.For(SaltA, "user-1"), Pseudonyms.For(SaltA.ToArray(), "user-1"));
    }

    [Fact]
    public void ForExternal_SameHmacAsAnAnnotatorsButMarkedExt_AndReadsBack()
    {
        var annotator = Pseudonyms.For(SaltA, "rater-1");
        var external = Pseudonyms.ForExternal(SaltA, "rater-1");

        Assert.Equal("ext-" + annotator.Value[4..], external.Value);
        Assert.True(external.IsExternal);
        Assert.False(annotator.IsExternal);
        Assert.Equal(external, Pseudonym.Parse(external.Value));
        Assert.Throws<FormatException>(() => Pseudonym.Parse("xyz-0123456789ab"));
    }

    [Fact]
    public void For_OtherSalt_OtherPseudonym()
    {
        var ids = Enumerable.Range(0, 200).Select(i => $"user-{i}").ToArray();

        var inA = ids.Select(id => Pseudonyms.For(SaltA, id).Value).ToHashSet();
        var inB = ids.Select(id => Pseudonyms.For(SaltB, id).Value).ToHashSet();

        Assert.Empty(inA.Intersect(inB));
    }

    [Fact]
    public void For_OtherIds_DistinctPseudonyms()
    {
        var pseudonyms = Enumerable.Range(0, 10_000).Select(i => Pseudonyms.For(SaltA, $"user-{i}").Value);

        Assert.Equal(10_000, pseudonyms.Distinct().Count());
    }

    [Fact]
    public void For_Value_IsPrefixAndFirst12HexDigitsOfHmac()
    {
        var hmac = Convert.ToHexStringLower(HMACSHA256.HashData(SaltA, Encoding.UTF8.GetBytes("annotator@example.com")));

        var pseudonym = Pseudonyms.For(SaltA, "annotator@example.com");

        Assert.Equal("ann-" + hmac[..12], pseudonym.Value);
        Assert.Matches("^ann-[0-9a-f]{12}$", pseudonym.ToString());
        Assert.DoesNotContain("example", pseudonym.Value, StringComparison.Ordinal);
    }

    [Fact]
    public void For_ShortSaltOrEmptyId_Throws()
    {
        Assert.Throws<ArgumentException>(() => Pseudonyms.For(new byte[15], "user-1"));
        Assert.Throws<ArgumentException>(() => Pseudonyms.For(SaltA, ""));
    }

    [Fact]
    public void NewSalt_IsLongEnoughAndFresh()
    {
        var a = Pseudonyms.NewSalt();
        var b = Pseudonyms.NewSalt();

        Assert.True(a.Length >= Pseudonyms.MinimumSaltLength);
        Assert.NotEqual(a, b);
    }

    [Theory]
    [InlineData("alice@example.com")]
    [InlineData("Alice Smith")]
    [InlineData("ann-3f9c1a2b")]
    [InlineData("ann-3F9C1A2B04DE")]
    [InlineData("ann-3f9c1a2b04de ")]
    [InlineData("")]
    public void Parse_AnythingButThePseudonymShape_Throws(string text)
    {
        Assert.Throws<FormatException>(() => Pseudonym.Parse(text));
    }

    [Fact]
    public void Parse_StoredPseudonym_EqualsTheOriginal()
    {
        var original = Pseudonyms.For(SaltA, "user-1");

        Assert.Equal(original, Pseudonym.Parse(original.Value));
    }
}
