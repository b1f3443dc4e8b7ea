using System.ComponentModel;

namespace Actors.Invocation;

/// <summary>The runtime side of a reference: delivers requests. Implemented by the silo and the client.</summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public interface IGrainReferenceRuntime
{
    /// <summary>Sends <paramref name="request"/> to <paramref name="target"/>. Completion is signalled on the request.</summary>
    void SendRequest(GrainReference target, GrainRequest request);
}

/// <summary>
/// Base class of generated grain and observer proxies. A reference is an address plus the runtime
/// that delivers to it; it is cheap to create and compares by grain id.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public abstract class GrainReference : IAddressable, IEquatable<GrainReference>
{
    protected GrainReference(IGrainReferenceRuntime runtime, GrainId grainId)
    {
        Runtime = runtime;
        GrainId = grainId;
    }

    public GrainId GrainId { get; }

    public IGrainReferenceRuntime Runtime { get; }

    public abstract GrainInterfaceDescriptor Interface { get; }

    protected Task<TResult> InvokeAsync<TResult>(GrainRequest<TResult> request)
    {
        var task = request.CreatePromise();
        Runtime.SendRequest(this, request);
        return task;
    }

    protected void InvokeOneWay(GrainRequest request) => Runtime.SendRequest(this, request);

    public bool Equals(GrainReference? other) => other is not null && other.GrainId == GrainId;

    public override bool Equals(object? obj) => obj is GrainReference other && Equals(other);

    public override int GetHashCode() => GrainId.GetHashCode();

    public override string ToString() => $"{Interface.Name}:{GrainId}";
}

/// <summary>Generated metadata for one grain or observer interface: its methods, proxy and request factory.</summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public abstract class GrainInterfaceDescriptor
{
    public abstract Type InterfaceType { get; }

    /// <summary>The interface's full name.</summary>
    public abstract string Name { get; }

    /// <summary>Methods declared by this interface (inherited ones belong to their own descriptor).</summary>
    public abstract IReadOnlyList<GrainMethodDescriptor> Methods { get; }

    public abstract GrainReference CreateReference(IGrainReferenceRuntime runtime, GrainId grainId);

    /// <summary>An empty request for a method id (a switch), for transports that decode calls.</summary>
    public abstract GrainRequest CreateRequest(int methodId);
}

/// <summary>
/// Where generated code registers grain interfaces and grain classes at module load, so the runtime
/// finds proxies and implementations without scanning assemblies.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public static class GrainTypeRegistry
{
    private static readonly Lock Gate = new();
    private static Dictionary<Type, GrainInterfaceDescriptor> interfaces = [];
    private static Dictionary<string, GrainInterfaceDescriptor> interfacesByName = new(StringComparer.Ordinal);
    private static List<Type> grainClasses = [];

    public static void RegisterInterface(GrainInterfaceDescriptor descriptor)
    {
        lock (Gate)
        {
            // Copy-on-write: lookups on the call path take no lock.
            interfaces = new Dictionary<Type, GrainInterfaceDescriptor>(interfaces) { [descriptor.InterfaceType] = descriptor };
            interfacesByName = new Dictionary<string, GrainInterfaceDescriptor>(interfacesByName, StringComparer.Ordinal) { [descriptor.Name] = descriptor };
        }
    }

    public static void RegisterGrainClass(Type grainClass)
    {
        lock (Gate)
        {
            if (!grainClasses.Contains(grainClass))
            {
                grainClasses = [.. grainClasses, grainClass];
            }
        }
    }

    public static bool TryGetInterface(Type interfaceType, out GrainInterfaceDescriptor descriptor) =>
        interfaces.TryGetValue(interfaceType, out descriptor!);

    public static bool TryGetInterface(string name, out GrainInterfaceDescriptor descriptor) =>
        interfacesByName.TryGetValue(name, out descriptor!);

    public static IReadOnlyCollection<GrainInterfaceDescriptor> Interfaces => interfaces.Values;

    public static IReadOnlyList<Type> GrainClasses => grainClasses;
}
