using System.Linq;
using Microsoft.CodeAnalysis;

namespace Actors.Runtime.CodeGen.Analysis;

/// <summary>The runtime and BCL types the generator recognises, resolved once per compilation.</summary>
internal sealed class KnownSymbols
{
    private readonly INamedTypeSymbol[] markers;

    private KnownSymbols(Compilation compilation, INamedTypeSymbol grain, INamedTypeSymbol addressable)
    {
        Compilation = compilation;
        IGrain = grain;
        IAddressable = addressable;
        IGrainObserver = compilation.GetTypeByMetadataName("Actors.IGrainObserver");
        GrainClass = compilation.GetTypeByMetadataName("Actors.Grain");
        Task = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task");
        TaskOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task`1");
        ValueTask = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask");
        ValueTaskOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask`1");
        CancellationToken = compilation.GetTypeByMetadataName("System.Threading.CancellationToken");
        OneWayAttribute = compilation.GetTypeByMetadataName("Actors.OneWayAttribute");
        ReadOnlyAttribute = compilation.GetTypeByMetadataName("Actors.ReadOnlyAttribute");
        AlwaysInterleaveAttribute = compilation.GetTypeByMetadataName("Actors.AlwaysInterleaveAttribute");
        ImmutableAttribute = compilation.GetTypeByMetadataName("Actors.ImmutableAttribute");
        markers = new[]
        {
            grain,
            addressable,
            IGrainObserver,
            compilation.GetTypeByMetadataName("Actors.IGrainWithStringKey"),
            compilation.GetTypeByMetadataName("Actors.IGrainWithGuidKey"),
            compilation.GetTypeByMetadataName("Actors.IGrainWithIntegerKey"),
        }.Where(t => t is not null).Select(t => t!).ToArray();
    }

    public Compilation Compilation { get; }

    public INamedTypeSymbol IGrain { get; }

    public INamedTypeSymbol IAddressable { get; }

    public INamedTypeSymbol? IGrainObserver { get; }

    public INamedTypeSymbol? GrainClass { get; }

    public INamedTypeSymbol? Task { get; }

    public INamedTypeSymbol? TaskOfT { get; }

    public INamedTypeSymbol? ValueTask { get; }

    public INamedTypeSymbol? ValueTaskOfT { get; }

    public INamedTypeSymbol? CancellationToken { get; }

    public INamedTypeSymbol? OneWayAttribute { get; }

    public INamedTypeSymbol? ReadOnlyAttribute { get; }

    public INamedTypeSymbol? AlwaysInterleaveAttribute { get; }

    public INamedTypeSymbol? ImmutableAttribute { get; }

    /// <summary>Null when the compilation does not reference the actor abstractions (nothing to generate).</summary>
    public static KnownSymbols? Create(Compilation compilation)
    {
        var grain = compilation.GetTypeByMetadataName("Actors.IGrain");
        var addressable = compilation.GetTypeByMetadataName("Actors.IAddressable");
        return grain is null || addressable is null ? null : new KnownSymbols(compilation, grain, addressable);
    }

    public static bool Same(ISymbol? a, ISymbol? b) => SymbolEqualityComparer.Default.Equals(a, b);

    /// <summary>IGrain, the keyed variants, IGrainObserver and IAddressable: no proxy of their own.</summary>
    public bool IsMarker(INamedTypeSymbol type) => markers.Any(m => Same(m, type.OriginalDefinition));

    /// <summary>An interface extending IGrain or IGrainObserver that is not one of the markers.</summary>
    public bool IsGrainInterface(INamedTypeSymbol type) =>
        type.TypeKind == TypeKind.Interface
        && !IsMarker(type)
        && type.AllInterfaces.Any(i => Same(i, IGrain) || (IGrainObserver is not null && Same(i, IGrainObserver)));

    public bool IsCancellationToken(ITypeSymbol type) => CancellationToken is not null && Same(type, CancellationToken);

    public static bool HasAttribute(ISymbol symbol, INamedTypeSymbol? attribute) =>
        attribute is not null && symbol.GetAttributes().Any(a => Same(a.AttributeClass, attribute));

    public bool HasImmutableAttribute(System.Collections.Immutable.ImmutableArray<AttributeData> attributes) =>
        ImmutableAttribute is not null && attributes.Any(a => Same(a.AttributeClass, ImmutableAttribute));
}
