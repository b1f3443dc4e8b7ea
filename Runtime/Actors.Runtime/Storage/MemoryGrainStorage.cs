using System.Collections.Concurrent;
using System.Globalization;

namespace Actors.Runtime.Storage;

/// <summary>
/// Grain storage in process memory, with the same ETag rules as the PostgreSQL provider. For tests
/// and single-machine development; everything is lost when the process exits.
/// </summary>
public sealed class MemoryGrainStorage(string name) : IGrainStorage
{
    private readonly ConcurrentDictionary<GrainStateKey, StoredGrainState> records = new();
    private long nextEtag;

    public string Name { get; } = name;

    public int Count => records.Count;

    public Task<StoredGrainState?> ReadAsync(GrainStateKey key, CancellationToken cancellationToken) =>
        Task.FromResult(records.TryGetValue(key, out var state) ? state : null);

    public Task<string> WriteAsync(GrainStateKey key, string json, int schemaVersion, string? expectedETag, CancellationToken cancellationToken)
    {
        var etag = Interlocked.Increment(ref nextEtag).ToString(CultureInfo.InvariantCulture);
        var updated = new StoredGrainState(json, schemaVersion, etag);
        if (expectedETag is null)
        {
            if (!records.TryAdd(key, updated))
            {
                throw Conflict(key, expectedETag);
            }
        }
        else if (!records.TryGetValue(key, out var current) || current.ETag != expectedETag || !records.TryUpdate(key, updated, current))
        {
            throw Conflict(key, expectedETag);
        }

        return Task.FromResult(etag);
    }

    public Task ClearAsync(GrainStateKey key, string? expectedETag, CancellationToken cancellationToken)
    {
        if (!records.TryGetValue(key, out var current))
        {
            return expectedETag is null ? Task.CompletedTask : throw Conflict(key, expectedETag);
        }

        if (current.ETag != expectedETag || !records.TryRemove(new KeyValuePair<GrainStateKey, StoredGrainState>(key, current)))
        {
            throw Conflict(key, expectedETag);
        }

        return Task.CompletedTask;
    }

    private InconsistentStateException Conflict(GrainStateKey key, string? expected) =>
        new($"State {key} in storage '{Name}' changed since it was read (expected ETag {expected ?? "none"}, found {(records.TryGetValue(key, out var s) ? s.ETag : "none")}).",
            records.TryGetValue(key, out var found) ? found.ETag : null, expected);
}
