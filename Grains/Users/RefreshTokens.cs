using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Actors.Grains.Users;

/// <summary>Refresh-token format "userId.familyId.secret" and its stored form (SHA-256, hex).</summary>
internal static class RefreshTokens
{
    public const int MaxFamilies = 20;
    public const int MaxPreviousHashes = 20;
    public const int MaxTokenLength = 256;

    public static string NewFamilyId() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));

    public static string NewToken(string userId, string familyId) =>
        $"{userId}.{familyId}.{Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32))}";

    /// <summary>Splits a token; false when it is not three non-empty dot-separated parts.</summary>
    public static bool TryParse(string? token, out string userId, out string familyId)
    {
        userId = familyId = "";
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenLength)
        {
            return false;
        }

        var parts = token.Split('.');
        if (parts.Length != 3 || parts.Any(p => p.Length == 0))
        {
            return false;
        }

        userId = parts[0];
        familyId = parts[1];
        return true;
    }

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>Compares two hex hashes in time independent of where they differ.</summary>
    public static bool HashEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));

    /// <summary>True when <paramref name="hash"/> equals any of <paramref name="candidates"/>; looks at every one.</summary>
    public static bool AnyHashEquals(string hash, IEnumerable<string> candidates)
    {
        var found = false;
        foreach (var candidate in candidates)
        {
            found |= HashEquals(hash, candidate);
        }

        return found;
    }
}
