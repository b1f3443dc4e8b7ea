namespace Actors.Runtime.Diagnostics.Prometheus;

/// <summary>A measurement's tags as they arrived (order-sensitive), the key of the hot-path series lookup.</summary>
internal sealed class TagSetKey(KeyValuePair<string, object?>[] tags)
{
    public KeyValuePair<string, object?>[] Tags { get; } = tags;

    public int Hash { get; } = TagSetComparer.HashOf(tags);
}

/// <summary>The tags of a measurement in flight, looked up without copying them.</summary>
internal readonly ref struct TagSpan(ReadOnlySpan<KeyValuePair<string, object?>> tags)
{
    public ReadOnlySpan<KeyValuePair<string, object?>> Tags { get; } = tags;
}

internal sealed class TagSetComparer : IEqualityComparer<TagSetKey>, IAlternateEqualityComparer<TagSpan, TagSetKey>
{
    public static readonly TagSetComparer Instance = new();

    public bool Equals(TagSetKey? x, TagSetKey? y) =>
        ReferenceEquals(x, y) || (x is not null && y is not null && x.Hash == y.Hash && SameTags(x.Tags, y.Tags));

    public int GetHashCode(TagSetKey obj) => obj.Hash;

    public bool Equals(TagSpan alternate, TagSetKey other) => SameTags(alternate.Tags, other.Tags);

    public int GetHashCode(TagSpan alternate) => HashOf(alternate.Tags);

    public TagSetKey Create(TagSpan alternate) => new(alternate.Tags.ToArray());

    public static int HashOf(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var hash = new HashCode();
        foreach (var tag in tags)
        {
            hash.Add(tag.Key, StringComparer.Ordinal);
            hash.Add(tag.Value);
        }

        return hash.ToHashCode();
    }

    private static bool SameTags(ReadOnlySpan<KeyValuePair<string, object?>> x, ReadOnlySpan<KeyValuePair<string, object?>> y)
    {
        if (x.Length != y.Length)
        {
            return false;
        }

        for (var i = 0; i < x.Length; i++)
        {
            if (!string.Equals(x[i].Key, y[i].Key, StringComparison.Ordinal) || !Equals(x[i].Value, y[i].Value))
            {
                return false;
            }
        }

        return true;
    }
}
