using System.Text;

namespace Actors.Runtime.CodeGen.Tests;

/// <summary>An independent FNV-1a (32-bit) to check the generator's method ids against.</summary>
internal static class TestHash
{
    public static int Fnv1a(string text)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash = unchecked((hash ^ b) * 16777619u);
        }

        return unchecked((int)hash);
    }
}
