using System.Globalization;

namespace Actors;

/// <summary>
/// The stable identity of a grain: its type name (from <see cref="GrainTypeAttribute"/> or the class
/// name) plus a key. Guid and integer keys are normalised to a canonical string so that one grain
/// has exactly one identity whatever the key's CLR type.
/// </summary>
public readonly record struct GrainId(string Type, string Key)
{
    public static GrainId Create(string type, string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        ArgumentNullException.ThrowIfNull(key);
        return new GrainId(type, key);
    }

    public static GrainId Create(string type, Guid key) => new(type, FormatKey(key));

    public static GrainId Create(string type, long key) => new(type, FormatKey(key));

    public static string FormatKey(Guid key) => key.ToString("N", CultureInfo.InvariantCulture);

    public static string FormatKey(long key) => key.ToString(CultureInfo.InvariantCulture);

    public Guid GetGuidKey() =>
        Guid.TryParseExact(Key, "N", out var g) ? g : throw new InvalidOperationException($"Grain {this} does not have a Guid key.");

    public long GetIntegerKey() =>
        long.TryParse(Key, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)
            ? l
            : throw new InvalidOperationException($"Grain {this} does not have an integer key.");

    public override string ToString() => $"{Type}/{Key}";
}
