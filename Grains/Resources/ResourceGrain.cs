using System.Collections.Immutable;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Actors.Grains.Resources;

/// <summary>
/// A versioned JSON document in a session: optimistic concurrency on an expected version, RFC 7396
/// merge patch, the last 50 versions, an edit lock released by a timer, watchers pushed on change,
/// and every change recorded as a system event in the session's log. Access is checked here, from
/// the caller's role in the session (defence in depth behind the web layer).
/// </summary>
[GrainType("resource")]
internal sealed partial class ResourceGrain(
    [PersistentState("resource")] IPersistentState<ResourceState> state,
    IOptions<DomainOptions> options,
    ILogger<ResourceGrain> logger) : Grain, IResourceGrain
{
    private ObserverManager<IResourceObserver> watchers = null!;
    private IGrainTimer? lockTimer;

    private string Id => this.GetPrimaryKeyString();

    private ISessionGrain Session => GrainFactory.GetGrain<ISessionGrain>(state.State.SessionId);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        watchers = new ObserverManager<IResourceObserver>(options.Value.NodeLease, TimeProvider);
        ScheduleLockRelease();
        return Task.CompletedTask;
    }

    public async Task<ResourceView> CreateAsync(string callerId, string sessionId, string name, string kind, JsonElement data)
    {
        if (state.RecordExists)
        {
            throw DomainException.Validation("id", "a resource with this id already exists");
        }

        name = (name ?? "").Trim();
        if (name.Length is 0 or > Limits.ResourceNameMax)
        {
            throw DomainException.Validation("name", $"must be 1–{Limits.ResourceNameMax} characters");
        }

        if (kind is null || !Limits.TypeName().IsMatch(kind))
        {
            throw DomainException.Validation("kind", "must match [a-z0-9._-]{1,64}");
        }

        JsonRules.Check(data, "data", Limits.ResourceDataMaxBytes);
        var access = await GrainFactory.GetGrain<ISessionGrain>(sessionId).GetAccessAsync(callerId);
        RequireWrite(access, sessionId);

        var now = TimeProvider.GetUtcNow();
        state.State = new ResourceState
        {
            SessionId = sessionId,
            Name = name,
            Kind = kind,
            Data = data.Clone(),
            Version = 1,
            UpdatedBy = callerId,
            UpdatedAt = now,
            History = [new ResourceVersion(1, data.Clone(), callerId, now)],
        };
        await state.WriteStateAsync();
        await Session.RegisterResourceAsync(Id);
        await RecordAsync(SystemEvents.ResourceCreated, callerId);
        return View();
    }

    public async Task<ResourceView> GetAsync(string callerId)
    {
        RequireExists();
        var access = await Session.GetAccessAsync(callerId);
        RequireRead(access);
        return View();
    }

    public async Task<ResourceView> ReplaceAsync(string callerId, long expectedVersion, JsonElement data)
    {
        JsonRules.Check(data, "data", Limits.ResourceDataMaxBytes);
        await PrepareUpdateAsync(callerId, expectedVersion);
        return await CommitAsync(callerId, data.Clone());
    }

    public async Task<ResourceView> MergePatchAsync(string callerId, long expectedVersion, JsonElement patch)
    {
        JsonRules.Check(patch, "patch", Limits.ResourceDataMaxBytes);
        await PrepareUpdateAsync(callerId, expectedVersion);
        var merged = JsonRules.MergePatch(state.State.Data, patch);
        JsonRules.Check(merged, "data", Limits.ResourceDataMaxBytes);
        return await CommitAsync(callerId, merged);
    }

    public async Task DeleteAsync(string callerId)
    {
        RequireExists();
        var access = await Session.GetAccessAsync(callerId);
        RequireWrite(access, state.State.SessionId);
        RequireNotLockedByOther(callerId);
        var session = Session;
        var last = state.State;
        await state.ClearStateAsync();
        await session.UnregisterResourceAsync(Id);
        await session.AppendSystemEventAsync(SystemEvents.ResourceDeleted, callerId, Payload(last, callerId));
        var change = new ResourceChange(last.Version, default, callerId, TimeProvider.GetUtcNow(), Deleted: true);
        watchers.Notify(w => w.OnChangedAsync(Id, change));
        lockTimer?.Dispose();
        DeactivateOnIdle();
    }

    public async Task<ResourceLock> LockAsync(string callerId, int ttlSeconds)
    {
        if (ttlSeconds is < 1 or > Limits.LockTtlMaxSeconds)
        {
            throw DomainException.Validation("ttlSeconds", $"must be between 1 and {Limits.LockTtlMaxSeconds}");
        }

        RequireExists();
        var access = await Session.GetAccessAsync(callerId);
        RequireWrite(access, state.State.SessionId);
        RequireNotLockedByOther(callerId);
        state.State.Lock = new ResourceLock(callerId, TimeProvider.GetUtcNow().AddSeconds(ttlSeconds));
        await state.WriteStateAsync();
        ScheduleLockRelease();
        return state.State.Lock;
    }

    public async Task UnlockAsync(string callerId)
    {
        RequireExists();
        var access = await Session.GetAccessAsync(callerId);
        RequireWrite(access, state.State.SessionId);
        if (ActiveLock() is not { } held)
        {
            return;
        }

        if (held.LockedBy != callerId)
        {
            throw new DomainException(ErrorCodes.Locked, $"resource {Id} is locked by another user until {held.ExpiresAt:O}");
        }

        state.State.Lock = null;
        await state.WriteStateAsync();
        lockTimer?.Dispose();
        lockTimer = null;
    }

    public async Task<ImmutableArray<ResourceVersion>> GetHistoryAsync(string callerId, int limit)
    {
        if (limit <= 0)
        {
            throw DomainException.Validation("limit", "must be a positive integer");
        }

        RequireExists();
        RequireRead(await Session.GetAccessAsync(callerId));
        return [.. state.State.History.Take(Math.Min(limit, Limits.HistoryKept))];
    }

    public Task SubscribeAsync(string nodeId, IResourceObserver observer)
    {
        RequireExists();
        watchers.Subscribe(observer);
        return Task.CompletedTask;
    }

    public Task UnsubscribeAsync(string nodeId) => Task.CompletedTask;

    private async Task PrepareUpdateAsync(string callerId, long expectedVersion)
    {
        RequireExists();
        var access = await Session.GetAccessAsync(callerId);
        RequireWrite(access, state.State.SessionId);
        RequireNotLockedByOther(callerId);
        if (expectedVersion != state.State.Version)
        {
            throw DomainException.Conflict(state.State.Version, expectedVersion);
        }
    }

    private async Task<ResourceView> CommitAsync(string callerId, JsonElement data)
    {
        var current = state.State;
        var now = TimeProvider.GetUtcNow();
        current.Data = data;
        current.Version++;
        current.UpdatedBy = callerId;
        current.UpdatedAt = now;
        current.History.Insert(0, new ResourceVersion(current.Version, data, callerId, now));
        if (current.History.Count > Limits.HistoryKept)
        {
            current.History.RemoveRange(Limits.HistoryKept, current.History.Count - Limits.HistoryKept);
        }

        await state.WriteStateAsync();
        await RecordAsync(SystemEvents.ResourceUpdated, callerId);
        return View();
    }

    /// <summary>The change goes into the session's log (so a resuming client sees it) and to watchers.</summary>
    private async Task RecordAsync(string type, string callerId)
    {
        var s = state.State;
        try
        {
            await Session.AppendSystemEventAsync(type, callerId, Payload(s, callerId));
        }
        catch (Exception exception) when (exception is not DomainException)
        {
            // The update itself is committed; a resuming client reloads the resource over REST.
            LogSystemEventFailed(logger, exception, Id, type);
        }

        var change = new ResourceChange(s.Version, s.Data, s.UpdatedBy, s.UpdatedAt, Deleted: false);
        watchers.Notify(w => w.OnChangedAsync(Id, change));
    }

    private JsonElement Payload(ResourceState s, string callerId) =>
        JsonSerializer.SerializeToElement(new { resourceId = Id, name = s.Name, kind = s.Kind, version = s.Version, updatedBy = callerId });

    private ResourceView View()
    {
        var s = state.State;
        return new ResourceView(Id, s.SessionId, s.Name, s.Kind, s.Data, s.Version, s.UpdatedBy, s.UpdatedAt, ActiveLock());
    }

    private ResourceLock? ActiveLock() =>
        state.State.Lock is { } held && held.ExpiresAt > TimeProvider.GetUtcNow() ? held : null;

    private void RequireExists()
    {
        if (!state.RecordExists)
        {
            DeactivateOnIdle();
            throw DomainException.NotFound($"resource {Id} does not exist");
        }
    }

    private void RequireRead(SessionAccess access)
    {
        if (!access.Exists || !access.CanRead)
        {
            throw DomainException.NotFound($"resource {Id} does not exist");
        }
    }

    private void RequireWrite(SessionAccess access, string sessionId)
    {
        if (!access.Exists || !access.CanRead)
        {
            throw DomainException.NotFound(state.RecordExists ? $"resource {Id} does not exist" : $"session {sessionId} does not exist");
        }

        if (SessionRoles.Rank(access.Role) < SessionRoles.Rank(SessionRoles.Member))
        {
            throw DomainException.Forbidden("only members and the owner can change resources in this session");
        }

        if (access.Status == SessionStatus.Closed)
        {
            throw DomainException.Closed(sessionId);
        }
    }

    private void RequireNotLockedByOther(string callerId)
    {
        if (ActiveLock() is { } held && held.LockedBy != callerId)
        {
            throw new DomainException(ErrorCodes.Locked, $"resource {Id} is locked by another user until {held.ExpiresAt:O}");
        }
    }

    /// <summary>Releases the lock when it expires, so a crashed editor never blocks others for long.</summary>
    private void ScheduleLockRelease()
    {
        lockTimer?.Dispose();
        lockTimer = null;
        if (state.State.Lock is not { } held)
        {
            return;
        }

        var due = held.ExpiresAt - TimeProvider.GetUtcNow();
        lockTimer = RegisterGrainTimer(
            async ct =>
            {
                if (state.State.Lock is { } current && current.ExpiresAt <= TimeProvider.GetUtcNow())
                {
                    state.State.Lock = null;
                    await state.WriteStateAsync(ct);
                }
            },
            due < TimeSpan.Zero ? TimeSpan.Zero : due,
            Timeout.InfiniteTimeSpan);
    }

    [LoggerMessage(3200, LogLevel.Warning, "Resource {ResourceId}: could not append system event {Type} to its session")]
    private static partial void LogSystemEventFailed(ILogger logger, Exception exception, string resourceId, string type);
}
