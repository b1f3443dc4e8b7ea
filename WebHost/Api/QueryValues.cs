using System.Globalization;
using Actors.Grains;

namespace Actors.WebHost.Api;

/// <summary>
/// Query values are bound as strings and parsed here, so every bad value gets the same answer:
/// 400 validation_failed naming the parameter. A limit above its maximum is clamped.
/// </summary>
public static class QueryValues
{
    public const int CursorMaxLength = 512;

    /// <summary>Absent: <paramref name="defaultValue"/>; a positive integer: itself, at most <paramref name="max"/>; else 400.</summary>
    public static int Limit(string? raw, int defaultValue, int max, string name = "limit")
    {
        if (raw is null)
        {
            return defaultValue;
        }

        if (!IsDigits(raw))
        {
            throw DomainException.Validation(name, "must be a positive integer");
        }

        if (!int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return max;
        }

        return value == 0 ? throw DomainException.Validation(name, "must be a positive integer") : Math.Min(value, max);
    }

    /// <summary>Absent: 0; a non-negative integer: itself; else 400.</summary>
    public static long NonNegative(string? raw, string name)
    {
        if (raw is null)
        {
            return 0;
        }

        return IsDigits(raw) && long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw DomainException.Validation(name, "must be a non-negative integer");
    }

    /// <summary>An opaque cursor from a previous page (empty means the first page).</summary>
    public static string? Cursor(string? raw) => raw switch
    {
        null or "" => null,
        { Length: > CursorMaxLength } => throw DomainException.Validation("cursor", "is not a valid cursor"),
        _ => raw,
    };

    private static bool IsDigits(string raw) => raw.Length is > 0 and <= 20 && raw.All(char.IsAsciiDigit);
}
