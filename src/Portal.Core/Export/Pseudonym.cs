using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Portal.Core.Export;

/// <summary>
/// An annotator's id in one release, <c>ann-</c> and 12 hex digits: the only way an annotator can appear in an export. An
/// external rater (labels that came with an imported dataset) is <c>ext-</c> and 12 hex digits, so every format says which
/// ratings were not the portal's own.
/// Made by <see cref="Pseudonyms.For"/>, or read back from a stored release by <see cref="Parse"/>.
/// </summary>
/// <remarks>
/// Export rows take this type rather than a string so that an e-mail address, a name or a raw user id cannot reach a file a
/// client downloads: <see cref="Parse"/> accepts nothing but the pseudonym shape.
/// </remarks>
public sealed partial record Pseudonym
{
    private Pseudonym(string value) => Value = value;

    /// <summary>The pseudonym as written, e.g. <c>ann-3f9c1a2b04de</c>.</summary>
    public string Value { get; }

    /// <summary>Reads a pseudonym that <see cref="Pseudonyms.For"/> made earlier.</summary>
    /// <summary>True for an external rater's pseudonym (<c>ext-</c>).</summary>
    public bool IsExternal => Value.StartsWith(Pseudonyms.ExternalPrefix, StringComparison.Ordinal);

    /// <exception cref="FormatException">The text is not <c>ann-</c> or <c>ext-</c> followed by 12 lowercase hex digits.</exception>
    public static Pseudonym Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Shape().IsMatch(value)
            ? new Pseudonym(value)
            : throw new FormatException("An annotator pseudonym is 'ann-' (or 'ext-' for an external rater) followed by 12 lowercase hex digits; the text given is not one.");
    }

    internal static Pseudonym FromHash(ReadOnlySpan<byte> hash, string prefix = Pseudonyms.Prefix) =>
        new(string.Concat(prefix, Convert.ToHexStringLower(hash[..(Pseudonyms.HexDigits / 2)])));

    public override string ToString() => Value;

    [GeneratedRegex("^(ann|ext)-[0-9a-f]{12}$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}

/// <summary>Per-release pseudonyms for annotators.</summary>
public static class Pseudonyms
{
    internal const string Prefix = "ann-";
    internal const string ExternalPrefix = "ext-";
    internal const int HexDigits = 12;

    /// <summary>The shortest salt <see cref="For"/> accepts, in bytes.</summary>
    public const int MinimumSaltLength = 16;

    /// <summary>A fresh random salt for a new release (32 bytes); store it with the release.</summary>
    public static byte[] NewSalt() => RandomNumberGenerator.GetBytes(32);

    /// <summary>
    /// The annotator's pseudonym in the release whose salt is <paramref name="releaseSalt"/>:
    /// <c>"ann-"</c> and the first 12 hex digits of HMAC-SHA256(key: salt, message: UTF-8 of the id).
    /// </summary>
    /// <remarks>
    /// Stable within a release, so a client can group one annotator's labels; unlinkable across releases without the salts,
    /// which never leave the server. 48 bits keep collisions negligible (about 2·10⁻⁷ for 10,000 annotators in one release),
    /// where the 32 bits of 8 digits would merge two people about once in 100 releases of that size.
    /// </remarks>
    /// <exception cref="ArgumentException">The salt is shorter than <see cref="MinimumSaltLength"/> bytes, or the id is empty.</exception>
    public static Pseudonym For(ReadOnlySpan<byte> releaseSalt, string annotatorId) => Make(releaseSalt, annotatorId, Prefix);

    /// <summary>An external rater's pseudonym in the release: as <see cref="For"/>, with <c>ext-</c> in place of <c>ann-</c>.</summary>
    /// <exception cref="ArgumentException">The salt is shorter than <see cref="MinimumSaltLength"/> bytes, or the id is empty.</exception>
    public static Pseudonym ForExternal(ReadOnlySpan<byte> releaseSalt, string raterId) => Make(releaseSalt, raterId, ExternalPrefix);

    private static Pseudonym Make(ReadOnlySpan<byte> releaseSalt, string annotatorId, string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(annotatorId);
        if (releaseSalt.Length < MinimumSaltLength)
        {
            throw new ArgumentException($"A release salt must be at least {MinimumSaltLength} random bytes; use Pseudonyms.NewSalt().", nameof(releaseSalt));
        }

        Span<byte> hash = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(releaseSalt, Encoding.UTF8.GetBytes(annotatorId), hash);
        return Pseudonym.FromHash(hash, prefix);
    }
}
