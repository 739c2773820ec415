using System.Net;
using System.Net.Sockets;
using System.Numerics;
using System.Text;
using System.Text.RegularExpressions;
using PhoneNumbers;

namespace Portal.Core.Text;

/// <summary>The kinds of personal data <see cref="PiiScrubber"/> replaces, each with its placeholder.</summary>
public enum PiiKind
{
    Email,
    Phone,
    Card,
    Account,
    Ip,
}

/// <summary>A text with its personal data replaced, and how many of each kind were replaced.</summary>
public sealed record ScrubResult(string Text, IReadOnlyDictionary<PiiKind, int> Counts)
{
    public int Total => Counts.Values.Sum();
}

/// <summary>
/// Replaces personal data in free text with typed placeholders before it is stored: e-mail addresses (<c>[EMAIL]</c>), card
/// numbers that pass the Luhn check (<c>[CARD]</c>), IBANs that pass their mod-97 check (<c>[ACCOUNT]</c>), IPv4 and IPv6
/// addresses (<c>[IP]</c>) and phone numbers that Google's libphonenumber finds valid with strict grouping (<c>[PHONE]</c>).
/// </summary>
/// <remarks>
/// Guards against a deployed assistant's users leaving contact, payment or network details in feedback that becomes
/// training data. Checksums and the phone library keep near misses (order numbers, prices, dates, a 16-digit number that fails
/// Luhn, "user at example dot com") as they are; the decisions for the ambiguous cases are in docs/deployment-feedback.md.
/// Kinds are scrubbed in a fixed order (e-mail, IBAN, card, IP, phone) so that a longer match is never cut up by a shorter
/// one, and placeholders hold no digits, so no later pass can match inside them.
/// </remarks>
public static partial class PiiScrubber
{
    /// <summary>Phone numbers without a country code are read as numbers of this region; with a <c>+</c> any country's.</summary>
    public const string DefaultPhoneRegion = "US";

    public static string Placeholder(PiiKind kind) => kind switch
    {
        PiiKind.Email => "[EMAIL]",
        PiiKind.Phone => "[PHONE]",
        PiiKind.Card => "[CARD]",
        PiiKind.Account => "[ACCOUNT]",
        PiiKind.Ip => "[IP]",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The text with every piece of personal data found replaced; <paramref name="text"/> itself is never kept.</summary>
    public static ScrubResult Scrub(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var counts = new Dictionary<PiiKind, int>();
        text = Replace(text, EmailPattern(), PiiKind.Email, counts, static _ => true);
        text = ReplaceIbans(text, counts);
        text = Replace(text, CardPattern(), PiiKind.Card, counts, static m => PassesLuhn(m.Value));
        text = Replace(text, Ipv4Pattern(), PiiKind.Ip, counts, static m => !LooksLikeVersion(m));
        text = Replace(text, Ipv6Pattern(), PiiKind.Ip, counts, static m => IsIpv6(m.Value));
        text = ReplacePhones(text, counts);
        return new ScrubResult(text, counts);
    }

    /// <summary>The Luhn check over the digits of <paramref name="value"/> (separators ignored); false for fewer than 13 or more than 19 digits.</summary>
    public static bool PassesLuhn(string value)
    {
        var digits = value.Where(char.IsAsciiDigit).Select(c => c - '0').ToArray();
        if (digits.Length is < 13 or > 19 || digits.All(d => d == digits[0]))
        {
            return false;
        }

        // Sum of the digits, every second one from the right doubled (minus 9 when over 9); valid when the sum ends in 0.
        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var d = digits[digits.Length - 1 - i];
            if (i % 2 == 1)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += d;
        }

        return sum % 10 == 0;
    }

    /// <summary>The IBAN check (ISO 13616): 15 to 34 characters, two letters, two check digits, and the rearranged number mod 97 is 1.</summary>
    public static bool IsValidIban(string value)
    {
        var compact = value.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        if (compact.Length is < 15 or > 34 || !char.IsAsciiLetter(compact[0]) || !char.IsAsciiLetter(compact[1])
            || !char.IsAsciiDigit(compact[2]) || !char.IsAsciiDigit(compact[3]) || !compact.All(char.IsAsciiLetterOrDigit))
        {
            return false;
        }

        var rearranged = new StringBuilder();
        foreach (var c in compact[4..] + compact[..4])
        {
            rearranged.Append(char.IsAsciiDigit(c) ? (c - '0').ToString(System.Globalization.CultureInfo.InvariantCulture) : (c - 'A' + 10).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return BigInteger.Parse(rearranged.ToString(), System.Globalization.CultureInfo.InvariantCulture) % 97 == 1;
    }

    private static string Replace(string text, Regex pattern, PiiKind kind, Dictionary<PiiKind, int> counts, Func<Match, bool> accept) =>
        pattern.Replace(text, m =>
        {
            if (!accept(m))
            {
                return m.Value;
            }

            counts[kind] = counts.GetValueOrDefault(kind) + 1;
            return Placeholder(kind);
        });

    /// <summary>An IBAN candidate may run into the next word ("… 0130 00 AND"): its groups are dropped from the end until the checksum holds.</summary>
    private static string ReplaceIbans(string text, Dictionary<PiiKind, int> counts) =>
        IbanPattern().Replace(text, m =>
        {
            var candidate = m.Value;
            while (candidate.Replace(" ", "", StringComparison.Ordinal).Length >= 15)
            {
                if (IsValidIban(candidate))
                {
                    counts[PiiKind.Account] = counts.GetValueOrDefault(PiiKind.Account) + 1;
                    return Placeholder(PiiKind.Account) + m.Value[candidate.Length..];
                }

                var cut = candidate.LastIndexOf(' ');
                candidate = cut > 0 ? candidate[..cut] : candidate[..^1];
            }

            return m.Value;
        });

    private static string ReplacePhones(string text, Dictionary<PiiKind, int> counts)
    {
        var util = PhoneNumberUtil.GetInstance();
        var matches = util.FindNumbers(text, DefaultPhoneRegion, PhoneNumberUtil.Leniency.STRICT_GROUPING, long.MaxValue).ToList();
        if (matches.Count == 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        var at = 0;
        foreach (var match in matches.OrderBy(m => m.Start))
        {
            if (match.Start < at)
            {
                continue;
            }

            builder.Append(text, at, match.Start - at).Append(Placeholder(PiiKind.Phone));
            at = match.Start + match.Length;
            counts[PiiKind.Phone] = counts.GetValueOrDefault(PiiKind.Phone) + 1;
        }

        return builder.Append(text, at, text.Length - at).ToString();
    }

    /// <summary>A dotted quad written as a version ("v1.2.3.4", "version 10.0.0.1", "build 4.2.0.1") is left alone.</summary>
    private static bool LooksLikeVersion(Match m)
    {
        var before = m.Result("$`").TrimEnd();
        return before.EndsWith('v') && (before.Length == 1 || !char.IsAsciiLetter(before[^2]))
            || VersionWord().IsMatch(before);
    }

    private static bool IsIpv6(string value) =>
        value.Count(char.IsAsciiHexDigit) >= 3
        && IPAddress.TryParse(value, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6;

    [GeneratedRegex(@"(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}\b", RegexOptions.CultureInvariant)]
    private static partial Regex EmailPattern();

    // Two letters, two check digits, then groups of up to four letters or digits, spaced in fours or not at all.
    [GeneratedRegex(@"\b[A-Z]{2}\d{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,3})?)\b", RegexOptions.CultureInvariant)]
    private static partial Regex IbanPattern();

    // 13 to 19 digits, optionally in groups separated by single spaces or dashes; not part of a longer number.
    [GeneratedRegex(@"(?<![\d.,-])\d(?:[ -]?\d){12,18}(?![\d]|[.,]\d)", RegexOptions.CultureInvariant)]
    private static partial Regex CardPattern();

    [GeneratedRegex(@"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?!\.?\d|\w)", RegexOptions.CultureInvariant)]
    private static partial Regex Ipv4Pattern();

    [GeneratedRegex(@"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?(?![\w:])", RegexOptions.CultureInvariant)]
    private static partial Regex Ipv6Pattern();

    [GeneratedRegex(@"(?i)\b(?:version|ver\.?|build|release|firmware|v)$", RegexOptions.CultureInvariant)]
    private static partial Regex VersionWord();
}
