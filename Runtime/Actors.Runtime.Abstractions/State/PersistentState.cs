using System.Text.Json.Nodes;

namespace Actors;

/// <summary>Grain state backed by a storage provider, loaded before <c>OnActivateAsync</c>.</summary>
public interface IPersistentState<TState>
    where TState : new()
{
    TState State { get; set; }

    /// <summary>The version token of the stored record; null when nothing is stored.</summary>
    string? Etag { get; }

    bool RecordExists { get; }

    Task ReadStateAsync(CancellationToken cancellationToken = default);

    /// <summary>Writes the state; throws <see cref="InconsistentStateException"/> when another writer won.</summary>
    Task WriteStateAsync(CancellationToken cancellationToken = default);

    Task ClearStateAsync(CancellationToken cancellationToken = default);
}

/// <summary>Marks a grain constructor parameter of type <see cref="IPersistentState{TState}"/>.</summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class PersistentStateAttribute(string stateName, string? storageName = null) : Attribute
{
    public const string DefaultStorageName = "Default";

    public string StateName { get; } = stateName;

    public string StorageName { get; } = storageName ?? DefaultStorageName;
}

/// <summary>
/// The schema version of a state type (default 1). State stored under an older version is passed
/// through <see cref="IStateUpgrader{TState}"/> before it is deserialised.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, Inherited = false)]
public sealed class StateVersionAttribute(int version) : Attribute
{
    public int Version { get; } = version;
}

/// <summary>
/// Upgrades state stored under an older schema version, as JSON, before it is deserialised.
/// Register it in DI; it runs on every load that finds an older version.
/// </summary>
public interface IStateUpgrader<TState>
{
    /// <summary>Returns the JSON of the current version given the stored JSON and its version.</summary>
    JsonNode? Upgrade(JsonNode? stored, int storedVersion);
}
