namespace Actors;

/// <summary>
/// The stable type name of a grain class. Persisted state and grain ids use this name, so renaming
/// the class never orphans state. Without it the name is the class name minus a "Grain" suffix,
/// lower-cased. On an interface it tells clients that have no grain classes which type the
/// interface addresses.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Interface, Inherited = false)]
public sealed class GrainTypeAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>Any number of requests may interleave at await points (still one thread at a time).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ReentrantAttribute : Attribute;

/// <summary>This interface method may interleave with any other request of the grain.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class AlwaysInterleaveAttribute : Attribute;

/// <summary>This interface method does not change state: read-only requests interleave with each other.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ReadOnlyAttribute : Attribute;

/// <summary>The caller does not wait for completion: the call returns as soon as it is queued.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class OneWayAttribute : Attribute;

/// <summary>
/// The grain keeps no identity-bound state: the runtime may run several activations of one id in
/// parallel on one silo (up to <see cref="MaxLocalWorkers"/>), always locally.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class StatelessWorkerAttribute : Attribute
{
    public StatelessWorkerAttribute() { }

    public StatelessWorkerAttribute(int maxLocalWorkers) => MaxLocalWorkers = maxLocalWorkers;

    /// <summary>At most this many activations per id and silo; 0 means one per processor.</summary>
    public int MaxLocalWorkers { get; }
}

/// <summary>
/// Instances of this type are never mutated after construction, so grain calls pass them by
/// reference instead of copying them (see docs/runtime.md, "Argument isolation").
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Parameter | AttributeTargets.ReturnValue)]
public sealed class ImmutableAttribute : Attribute;
