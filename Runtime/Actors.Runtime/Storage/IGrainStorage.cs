namespace Actors.Runtime.Storage;

/// <summary>Identifies one persisted state of one grain: the grain type name, its key and the state name.</summary>
public readonly record struct GrainStateKey(string GrainType, string GrainKey, string StateName)
{
    public override string ToString() => $"{GrainType}/{GrainKey}#{StateName}";
}

/// <summary>A stored state record: its JSON text, the schema version it was written with, and its ETag.</summary>
public sealed record StoredGrainState(string Json, int SchemaVersion, string ETag);

/// <summary>
/// A grain storage provider. Providers deal in JSON text; serialisation and schema upgrades are done
/// once, by the runtime. ETags must never repeat for a key (no ABA after a clear).
/// </summary>
public interface IGrainStorage
{
    /// <summary>The provider's registered name (e.g. "Default").</summary>
    string Name { get; }

    /// <summary>Returns the record, or null when none exists.</summary>
    Task<StoredGrainState?> ReadAsync(GrainStateKey key, CancellationToken cancellationToken);

    /// <summary>
    /// Writes the record if its current ETag equals <paramref name="expectedETag"/> (null: no record
    /// may exist) and returns the new ETag; otherwise throws <see cref="InconsistentStateException"/>.
    /// An unreachable store throws <see cref="GrainStorageException"/>.
    /// </summary>
    Task<string> WriteAsync(GrainStateKey key, string json, int schemaVersion, string? expectedETag, CancellationToken cancellationToken);

    /// <summary>Deletes the record under the same ETag rule as <see cref="WriteAsync"/>.</summary>
    Task ClearAsync(GrainStateKey key, string? expectedETag, CancellationToken cancellationToken);
}
