using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;

namespace Actors.Runtime.CodeGen.Analysis;

/// <summary>
/// Stable method ids: the 32-bit FNV-1a hash of the UTF-8 bytes of <c>Name(ParamType1,ParamType2)</c>
/// with fully qualified parameter types, so reordering methods never changes an id.
/// </summary>
internal static class MethodId
{
    private const uint OffsetBasis = 2166136261;
    private const uint Prime = 16777619;

    public static string Signature(IMethodSymbol method) =>
        method.Name + "(" + string.Join(",", method.Parameters.Select(p => p.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat))) + ")";

    public static int Compute(string signature)
    {
        var hash = OffsetBasis;
        foreach (var b in Encoding.UTF8.GetBytes(signature))
        {
            hash ^= b;
            hash = unchecked(hash * Prime);
        }

        return unchecked((int)hash);
    }
}
