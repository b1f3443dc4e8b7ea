using System.Text;

namespace Actors.Runtime;

/// <summary>
/// A hash of a grain id that is the same in every process and version (string.GetHashCode is
/// randomised per process): used for placement on the ring and reminder ownership ranges.
/// </summary>
public static class StableHash
{
    public static uint Of(GrainId grainId) => Of(grainId.Type, grainId.Key);

    public static uint Of(string type, string key)
    {
        // FNV-1a over "type/key" in UTF-8, then a final avalanche so nearby keys spread over the ring.
        var hash = 2166136261u;
        hash = Mix(hash, type);
        hash = (hash ^ '/') * 16777619u;
        hash = Mix(hash, key);
        hash ^= hash >> 16;
        hash *= 0x85ebca6b;
        hash ^= hash >> 13;
        hash *= 0xc2b2ae35;
        hash ^= hash >> 16;
        return hash;
    }

    public static uint Of(string text) => Of(text, string.Empty);

    private static uint Mix(uint hash, string text)
    {
        Span<byte> buffer = stackalloc byte[256];
        var bytes = Encoding.UTF8.GetMaxByteCount(text.Length) <= buffer.Length
            ? buffer[..Encoding.UTF8.GetBytes(text, buffer)]
            : Encoding.UTF8.GetBytes(text);
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * 16777619u;
        }

        return hash;
    }
}
