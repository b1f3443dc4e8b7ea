using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Actors.Runtime.State;

/// <summary>
/// Turns state into jsonb-friendly JSON text and back. Unknown fields are ignored on read, so a
/// field removed from the type never breaks a load; older schema versions pass through an upgrader.
/// </summary>
internal sealed class GrainStateSerializer<TState>
    where TState : new()
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        // Records with constructor parameters and settable properties both round-trip.
        PreferredObjectCreationHandling = System.Text.Json.Serialization.JsonObjectCreationHandling.Replace,
    };

    public int SchemaVersion { get; } = typeof(TState).GetCustomAttribute<StateVersionAttribute>()?.Version ?? 1;

    public static string Serialize(TState state) => JsonSerializer.Serialize(state, Options);

    public TState Deserialize(string json, int storedVersion, IStateUpgrader<TState>? upgrader, string key)
    {
        if (storedVersion > SchemaVersion)
        {
            throw new GrainStorageException(
                $"State {key} was written with schema version {storedVersion}, but this build of {typeof(TState).Name} understands versions up to {SchemaVersion}; refusing to load it so newer data is not overwritten.");
        }

        if (storedVersion < SchemaVersion && upgrader is not null)
        {
            var upgraded = upgrader.Upgrade(JsonNode.Parse(json), storedVersion);
            return upgraded is null ? new TState() : upgraded.Deserialize<TState>(Options) ?? new TState();
        }

        return JsonSerializer.Deserialize<TState>(json, Options) ?? new TState();
    }
}
