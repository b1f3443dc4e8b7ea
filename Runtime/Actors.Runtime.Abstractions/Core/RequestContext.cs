using System.Collections.Immutable;

namespace Actors;

/// <summary>
/// Ambient key/value pairs that travel with a call: set them before calling a grain and the callee
/// (and everything it calls in turn) sees them. Changes made by a callee do not flow back.
/// </summary>
public static class RequestContext
{
    private static readonly AsyncLocal<ImmutableDictionary<string, object>?> Current = new();

    /// <summary>The values as one immutable snapshot (what the runtime attaches to a call).</summary>
    public static ImmutableDictionary<string, object>? Snapshot
    {
        get => Current.Value;
        set => Current.Value = value is { Count: 0 } ? null : value;
    }

    public static object? Get(string key) =>
        Current.Value is { } values && values.TryGetValue(key, out var value) ? value : null;

    public static void Set(string key, object value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        Current.Value = (Current.Value ?? ImmutableDictionary<string, object>.Empty.WithComparers(StringComparer.Ordinal)).SetItem(key, value);
    }

    public static bool Remove(string key)
    {
        if (Current.Value is not { } values || !values.ContainsKey(key))
        {
            return false;
        }

        Snapshot = values.Remove(key);
        return true;
    }

    public static void Clear() => Current.Value = null;

    public static IReadOnlyCollection<string> Keys => Current.Value?.Keys.ToArray() ?? [];
}
