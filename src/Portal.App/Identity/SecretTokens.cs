using System.Security.Cryptography;
using System.Text;

namespace Portal.App.Identity;

/// <summary>Random URL-safe secrets (invite links, API tokens) and the SHA-256 the database keeps instead of them.</summary>
public static class SecretTokens
{
    /// <summary>256 random bits, base64url, after <paramref name="prefix"/>.</summary>
    public static string Generate(string prefix = "") =>
        prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Lower-case hex SHA-256 of the secret: what is stored and looked up.</summary>
    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
