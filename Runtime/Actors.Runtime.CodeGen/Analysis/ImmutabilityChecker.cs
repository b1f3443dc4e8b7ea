using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Actors.Runtime.CodeGen.Analysis;

/// <summary>
/// Decides whether values of a type can cross a local grain call by reference. Anything not proven
/// immutable is copied, so every rule errs on the side of "mutable".
/// </summary>
internal sealed class ImmutabilityChecker(KnownSymbols known)
{
    private static readonly HashSet<string> KnownImmutableTypes =
    [
        "System.Guid",
        "System.DateTimeOffset",
        "System.TimeSpan",
        "System.DateOnly",
        "System.TimeOnly",
        "System.Uri",
        "System.Version",
        "System.Half",
        "System.Int128",
        "System.UInt128",
        "System.Type",
        "System.Numerics.BigInteger",
        "System.Text.Json.JsonElement",
        "System.Threading.CancellationToken",
        "Actors.GrainId",
        "Actors.Invocation.VoidResult",
    ];

    private static readonly HashSet<string> ImmutableGenericContainers =
    [
        "System.Collections.Generic.KeyValuePair`2",
        "System.Collections.Frozen.FrozenDictionary`2",
        "System.Collections.Frozen.FrozenSet`1",
        "System.Tuple`1",
        "System.Tuple`2",
        "System.Tuple`3",
        "System.Tuple`4",
        "System.Tuple`5",
        "System.Tuple`6",
        "System.Tuple`7",
        "System.Tuple`8",
    ];

    private readonly Dictionary<ITypeSymbol, bool> cache = new(SymbolEqualityComparer.Default);
    private readonly HashSet<ITypeSymbol> inProgress = new(SymbolEqualityComparer.Default);

    public bool IsImmutable(ITypeSymbol type)
    {
        if (cache.TryGetValue(type, out var known))
        {
            return known;
        }

        // A type that refers back to itself is assumed immutable while its own fields are checked.
        if (!inProgress.Add(type))
        {
            return true;
        }

        bool result;
        try
        {
            result = Compute(type);
        }
        finally
        {
            inProgress.Remove(type);
        }

        // "Immutable" may rest on an assumption about a type still being checked: keep it only
        // once no check is in progress. "Mutable" never depends on assumptions.
        if (!result || inProgress.Count == 0)
        {
            cache[type] = result;
        }

        return result;
    }

    private bool Compute(ITypeSymbol type)
    {
        switch (type.SpecialType)
        {
            case SpecialType.System_Boolean:
            case SpecialType.System_Char:
            case SpecialType.System_SByte:
            case SpecialType.System_Byte:
            case SpecialType.System_Int16:
            case SpecialType.System_UInt16:
            case SpecialType.System_Int32:
            case SpecialType.System_UInt32:
            case SpecialType.System_Int64:
            case SpecialType.System_UInt64:
            case SpecialType.System_Decimal:
            case SpecialType.System_Single:
            case SpecialType.System_Double:
            case SpecialType.System_String:
            case SpecialType.System_IntPtr:
            case SpecialType.System_UIntPtr:
            case SpecialType.System_DateTime:
                return true;
            case SpecialType.System_Object:
                return false;
        }

        if (type is not INamedTypeSymbol named || type.TypeKind == TypeKind.Error)
        {
            // Arrays, pointers, type parameters, dynamic.
            return false;
        }

        if (named.TypeKind == TypeKind.Enum)
        {
            return true;
        }

        if (known.HasImmutableAttribute(named.OriginalDefinition.GetAttributes()))
        {
            return true;
        }

        if (KnownSymbols.Same(named, known.IAddressable) || named.AllInterfaces.Any(i => KnownSymbols.Same(i, known.IAddressable)))
        {
            // Grain and observer references.
            return true;
        }

        if (named.TypeKind == TypeKind.Delegate)
        {
            return false;
        }

        var definition = named.OriginalDefinition;
        if (definition.SpecialType == SpecialType.System_Nullable_T)
        {
            return IsImmutable(named.TypeArguments[0]);
        }

        var metadataName = MetadataName(definition);
        if (KnownImmutableTypes.Contains(metadataName))
        {
            return true;
        }

        if (named.IsTupleType)
        {
            return named.TupleElements.All(e => IsImmutable(e.Type));
        }

        if (ImmutableGenericContainers.Contains(metadataName) || IsImmutableCollection(definition))
        {
            return named.TypeArguments.All(IsImmutable);
        }

        if (named.TypeKind == TypeKind.Interface)
        {
            return false;
        }

        return IsStructurallyImmutable(named);
    }

    /// <summary>ImmutableArray, ImmutableList, ImmutableDictionary… (not their builders, not the IImmutable* interfaces).</summary>
    private static bool IsImmutableCollection(INamedTypeSymbol definition) =>
        definition.ContainingType is null
        && definition.TypeKind != TypeKind.Interface
        && definition.Name.StartsWith("Immutable", System.StringComparison.Ordinal)
        && definition.ContainingNamespace.ToDisplayString() == "System.Collections.Immutable";

    /// <summary>
    /// A struct, or a sealed class or record, whose instance fields (backing fields included) are all
    /// readonly or init-only and of immutable types. Types of this compilation are judged on all their
    /// fields; types of referenced assemblies on their visible surface (see <see cref="IsVisiblyImmutable"/>).
    /// </summary>
    private bool IsStructurallyImmutable(INamedTypeSymbol type)
    {
        if (type.TypeKind == TypeKind.Class && !type.IsSealed)
        {
            return false;
        }

        if (type.TypeKind is not (TypeKind.Class or TypeKind.Struct))
        {
            return false;
        }

        if (!IsInThisCompilation(type))
        {
            return IsVisiblyImmutable(type);
        }

        for (var current = type; current is not null && current.SpecialType != SpecialType.System_Object; current = current.BaseType)
        {
            if (current.SpecialType == SpecialType.System_ValueType)
            {
                break;
            }

            if (!IsFromSource(current))
            {
                return false;
            }

            foreach (var member in current.GetMembers())
            {
                if (member is not IFieldSymbol { IsStatic: false, IsConst: false } field)
                {
                    continue;
                }

                if (field.IsFixedSizeBuffer || !(field.IsReadOnly || IsInitOnlyBackingField(field)))
                {
                    return false;
                }

                if (!IsImmutable(field.Type))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>
    /// The rule for a sealed class/record or a struct declared in a referenced assembly. Roslyn does not
    /// import the private fields of classes from metadata, so "every field is readonly" cannot be proven
    /// there; instead a type whose visible surface cannot be mutated is trusted: every non-private
    /// instance field is readonly and of an immutable type, every non-private instance property is get-only
    /// or init-only and of an immutable type, and there are no instance events. A sealed record with an
    /// init-only public surface (the usual DTO of a contracts project) is thus immutable. Struct fields,
    /// private ones included, are always imported, so they are all checked; a readonly struct needs only
    /// immutable field types, since its properties cannot change it. Base types are checked the same way.
    /// </summary>
    private bool IsVisiblyImmutable(INamedTypeSymbol type)
    {
        var isStruct = type.TypeKind == TypeKind.Struct;
        for (var current = type; current is not null && current.SpecialType != SpecialType.System_Object; current = current.BaseType)
        {
            if (current.SpecialType == SpecialType.System_ValueType)
            {
                break;
            }

            foreach (var member in current.GetMembers())
            {
                if (member.IsStatic)
                {
                    continue;
                }

                switch (member)
                {
                    case IFieldSymbol field when !field.IsConst && (isStruct || field.DeclaredAccessibility != Accessibility.Private):
                        if (field.IsFixedSizeBuffer
                            || !(field.IsReadOnly || current.IsReadOnly || IsInitOnlyBackingField(field))
                            || !IsImmutable(field.Type))
                        {
                            return false;
                        }

                        break;
                    case IPropertySymbol property when !current.IsReadOnly && property.DeclaredAccessibility != Accessibility.Private:
                        // Records' EqualityContract (System.Type, get-only) passes like any other property.
                        if (property.SetMethod is { IsInitOnly: false } || !IsImmutable(property.Type))
                        {
                            return false;
                        }

                        break;
                    case IEventSymbol @event when @event.DeclaredAccessibility != Accessibility.Private:
                        return false;
                }
            }
        }

        return true;
    }

    private bool IsInThisCompilation(INamedTypeSymbol type) =>
        KnownSymbols.Same(type.ContainingAssembly, known.Compilation.Assembly);

    private bool IsFromSource(INamedTypeSymbol type) =>
        type.DeclaringSyntaxReferences.Length > 0 && KnownSymbols.Same(type.ContainingAssembly, known.Compilation.Assembly);

    private static bool IsInitOnlyBackingField(IFieldSymbol field) =>
        field.AssociatedSymbol is IPropertySymbol { SetMethod.IsInitOnly: true };

    public static string MetadataName(INamedTypeSymbol type)
    {
        var name = type.MetadataName;
        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            name = outer.MetadataName + "+" + name;
        }

        return type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() + "." + name : name;
    }
}
