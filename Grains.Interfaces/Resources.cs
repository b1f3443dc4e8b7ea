using System.Collections.Immutable;
using System.Text.Json;

namespace Actors.Grains;

public sealed record ResourceView(
    string Id,
    string SessionId,
    string Name,
    string Kind,
    JsonElement Data,
    long Version,
    string UpdatedBy,
    DateTimeOffset UpdatedAt,
    ResourceLock? Lock);

public sealed record ResourceLock(string LockedBy, DateTimeOffset ExpiresAt);

public sealed record ResourceVersion(long Version, JsonElement Data, string UpdatedBy, DateTimeOffset UpdatedAt);

/// <summary>What watchers receive when a resource changes.</summary>
public sealed record ResourceChange(long Version, JsonElement Data, string UpdatedBy, DateTimeOffset UpdatedAt, bool Deleted);

public interface IResourceObserver : IGrainObserver
{
    [OneWay]
    Task OnChangedAsync(string resourceId, ResourceChange change);
}

/// <summary>A shared, versioned JSON document that belongs to one session, with history and an edit lock.</summary>
[GrainType("resource")]
public interface IResourceGrain : IGrainWithStringKey
{
    Task<ResourceView> CreateAsync(string callerId, string sessionId, string name, string kind, JsonElement data);

    Task<ResourceView> GetAsync(string callerId);

    /// <summary>version_conflict (with currentVersion) when expectedVersion is stale; locked when another user holds the lock.</summary>
    Task<ResourceView> ReplaceAsync(string callerId, long expectedVersion, JsonElement data);

    /// <summary>RFC 7396 JSON merge patch applied to data.</summary>
    Task<ResourceView> MergePatchAsync(string callerId, long expectedVersion, JsonElement patch);

    Task DeleteAsync(string callerId);

    /// <summary>ttlSeconds 1..300; locked when someone else holds it; re-locking by the holder extends it.</summary>
    Task<ResourceLock> LockAsync(string callerId, int ttlSeconds);

    Task UnlockAsync(string callerId);

    /// <summary>Newest (current) first, at most 50.</summary>
    Task<ImmutableArray<ResourceVersion>> GetHistoryAsync(string callerId, int limit);

    Task SubscribeAsync(string nodeId, IResourceObserver observer);

    Task UnsubscribeAsync(string nodeId);
}
