using Portal.Core.Text;

namespace Portal.Core.Tests.Text;

public class PiiScrubberTests
{
    /// <summary>Real-looking feedback text, what must be stored instead, and what is counted. Near misses come back unchanged.</summary>
    public static TheoryData<string, string, string> Cases => new()
    {
        // E-mail addresses.
        { "Mail me at jane.doe+rlhf@example.co.uk please", "Mail me at [EMAIL] please", "Email=1" },
        { "cc: ops@my-company.io, a.b@sub.domain.org.", "cc: [EMAIL], [EMAIL].", "Email=2" },
        { "write to user at example dot com", "write to user at example dot com", "" },
        { "ping @jane_doe on the forum", "ping @jane_doe on the forum", "" },
        { "the decorator @dataclass(frozen=True)", "the decorator @dataclass(frozen=True)", "" },
        // Phone numbers (libphonenumber, strict grouping; without a country code read as US).
        { "Call me on +44 20 7946 0958 after six", "Call me on [PHONE] after six", "Phone=1" },
        { "my cell is (650) 253-0000", "my cell is [PHONE]", "Phone=1" },
        { "Berlin office: +49 30 901820", "Berlin office: [PHONE]", "Phone=1" },
        { "Order ORD-2024-558812 arrived late", "Order ORD-2024-558812 arrived late", "" },
        { "It happened on 2024-03-15 at 10:30:45", "It happened on 2024-03-15 at 10:30:45", "" },
        { "Invoice 4411-2298 was $1,299.99 (or 1.299,99 €)", "Invoice 4411-2298 was $1,299.99 (or 1.299,99 €)", "" },
        { "Population grew from 8,336,817 to 8,804,190.", "Population grew from 8,336,817 to 8,804,190.", "" },
        // Card numbers: only those passing the Luhn check.
        { "card 4111 1111 1111 1111 exp 12/27", "card [CARD] exp 12/27", "Card=1" },
        { "use 5500-0000-0000-0004 instead", "use [CARD] instead", "Card=1" },
        { "amex 378282246310005.", "amex [CARD].", "Card=1" },
        { "tracking 4111 1111 1111 1112 (fails Luhn)", "tracking 4111 1111 1111 1112 (fails Luhn)", "" },
        { "serial 1234567890123456", "serial 1234567890123456", "" },
        { "all zeros 0000 0000 0000 0000", "all zeros 0000 0000 0000 0000", "" },
        // Account numbers: IBANs passing mod 97.
        { "IBAN DE89 3704 0044 0532 0130 00 for the refund", "IBAN [ACCOUNT] for the refund", "Account=1" },
        { "pay GB82WEST12345698765432 now", "pay [ACCOUNT] now", "Account=1" },
        { "to DE89 3704 0044 0532 0130 00 AND then", "to [ACCOUNT] AND then", "Account=1" },
        { "typo DE89 3704 0044 0532 0130 01 here", "typo DE89 3704 0044 0532 0130 01 here", "" },
        { "model GPT4 1106 PREVIEW", "model GPT4 1106 PREVIEW", "" },
        // IP addresses.
        { "my server 192.168.10.24 is down", "my server [IP] is down", "Ip=1" },
        { "from 10.0.0.1. Then 8.8.8.8", "from [IP]. Then [IP]", "Ip=2" },
        { "v6 2001:db8:85a3::8a2e:370:7334 and fe80::1ff:fe23:4567:890a", "v6 [IP] and [IP]", "Ip=2" },
        { "upgrade to version 1.2.3.4 or v10.0.0.1", "upgrade to version 1.2.3.4 or v10.0.0.1", "" },
        { "section 1.2.3 and 192.168.1 and 999.1.1.1", "section 1.2.3 and 192.168.1 and 999.1.1.1", "" },
        { "use std::vector and a::b at 12:30:00", "use std::vector and a::b at 12:30:00", "" },
        // Several kinds in one text.
        {
            "I'm bob@corp.com, +1 650 253 0000, card 4242-4242-4242-4242, IP 172.16.254.1",
            "I'm [EMAIL], [PHONE], card [CARD], IP [IP]",
            "Email=1,Phone=1,Card=1,Ip=1"
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Scrub_RealLookingText_ReplacesPersonalDataAndKeepsNearMisses(string input, string expected, string counts)
    {
        var result = PiiScrubber.Scrub(input);

        Assert.Equal(expected, result.Text);
        var expectedCounts = counts.Length == 0
            ? new Dictionary<PiiKind, int>()
            : counts.Split(',').Select(p => p.Split('=')).ToDictionary(p => Enum.Parse<PiiKind>(p[0]), p => int.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(expectedCounts.OrderBy(kv => kv.Key), result.Counts.OrderBy(kv => kv.Key));
    }

    [Theory]
    [InlineData("4111111111111111", true)]
    [InlineData("4111111111111112", false)]
    [InlineData("79927398713", false)] // the textbook Luhn number, but too short for a card
    public void PassesLuhn_KnownNumbers_AgreeWithTheChecksum(string number, bool expected) =>
        Assert.Equal(expected, PiiScrubber.PassesLuhn(number));

    [Theory]
    [InlineData("DE89370400440532013000", true)]
    [InlineData("GB82 WEST 1234 5698 7654 32", true)]
    [InlineData("FR1420041010050500013M02606", true)]
    [InlineData("GB82 WEST 1234 5698 7654 33", false)]
    public void IsValidIban_PublishedExamples_AgreeWithMod97(string iban, bool expected) =>
        Assert.Equal(expected, PiiScrubber.IsValidIban(iban));
}
