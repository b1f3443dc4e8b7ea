using Actors.Grains;
using Microsoft.Extensions.Primitives;

namespace Actors.WebHost.Api;

/// <summary>Resource versions as strong ETags (<c>"7"</c>), and the conditional headers that carry them.</summary>
public static class ETags
{
    public static string Format(long version) => $"\"{version}\"";

    /// <summary>If-None-Match: true when any listed tag (weak or strong) or * names this version.</summary>
    public static bool NoneMatchHits(StringValues header, long version)
    {
        var current = Format(version);
        foreach (var tag in Tags(header))
        {
            if (tag == "*" || tag == current || tag == "W/" + current)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// If-Match → the expected version: 428 precondition_required when absent, null for <c>*</c>
    /// (any current version), -1 for a tag that names no version (it can only conflict: 412).
    /// </summary>
    public static long? ExpectedVersion(StringValues header)
    {
        var tags = Tags(header).ToList();
        if (tags.Count == 0)
        {
            throw new DomainException(ErrorCodes.PreconditionRequired, "send If-Match: \"<version>\" with the version you last read (its ETag)");
        }

        if (tags.Contains("*"))
        {
            return null;
        }

        var tag = tags[0];
        return tag.Length > 2 && tag[0] == '"' && tag[^1] == '"' && long.TryParse(tag.AsSpan(1, tag.Length - 2), out var version) && version > 0
            ? version
            : -1;
    }

    private static IEnumerable<string> Tags(StringValues header) =>
        header.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
