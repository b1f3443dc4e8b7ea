using System.Collections.Immutable;
using System.Text.Json;

namespace Actors.Grains.Sessions;

/// <summary>
/// Presence (in memory, per activation) and the nodes subscribed to the session's pushes.
/// </summary>
/// <remarks>
/// <para>A connection (connectionId → user, display name, node, meta) is added by
/// <see cref="ConnectAsync"/> and removed at once by <see cref="DisconnectAsync"/>. Entries are per
/// user: the number of connections, and the display name and meta of the user's most recently
/// connected or updated connection. Joins, leaves and connection-count changes are pushed at once;
/// meta updates are coalesced: at most one <c>updated</c> diff per <see cref="MetaFlushInterval"/>
/// (about 20 a second), carrying the latest meta of every user that changed.</para>
/// <para>Each node holds a lease of <see cref="DomainOptions.NodeLease"/>, renewed by
/// <see cref="SubscribeAsync"/> (and by a connect through it). A one-shot timer set for the earliest
/// expiry removes the connections of nodes whose lease lapsed (their WebHost died) and pushes
/// <c>left</c>. A push that fails drops the node's observer until it subscribes again.</para>
/// </remarks>
internal sealed partial class SessionGrain
{
    internal static readonly TimeSpan MetaFlushInterval = TimeSpan.FromMilliseconds(50);

    private readonly Dictionary<string, PresenceConnection> connections = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<PresenceConnection>> userConnections = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NodeLease> nodes = new(StringComparer.Ordinal);
    private readonly HashSet<string> dirtyUsers = new(StringComparer.Ordinal);
    private long touches;
    private DateTimeOffset lastMetaFlush = DateTimeOffset.MinValue;
    private IGrainTimer? metaFlushTimer;
    private bool metaFlushArmed;
    private IGrainTimer? leaseTimer;
    private DateTimeOffset? leaseTimerDue;

    public async Task<SessionJoin> ConnectAsync(string callerId, string displayName, string connectionId, string nodeId, long? afterSeq)
    {
        RequireRead(callerId);
        var name = SessionRules.DisplayName(displayName);
        SessionRules.ConnectionId(connectionId);
        SessionRules.NodeId(nodeId);
        if (afterSeq is { } after)
        {
            SessionRules.AfterSeq(after);
        }

        // Read first: a join that fails (the log is unreachable) leaves presence as it was.
        var view = await ViewAsync();
        var (events, lastSeq, gap) = await ReadPageAsync(afterSeq, Limits.EventsPageMax);

        // Membership may have changed while reading (reentrant grain): check again before joining.
        RequireRead(callerId);
        var change = new PresenceChange(this);
        if (connections.TryGetValue(connectionId, out var existing))
        {
            RemoveConnection(existing, change);
        }

        change.Touch(callerId);
        var connection = new PresenceConnection(connectionId, callerId, name, nodeId) { Touch = ++touches };
        connections[connectionId] = connection;
        if (!userConnections.TryGetValue(callerId, out var list))
        {
            userConnections[callerId] = list = [];
        }

        list.Add(connection);
        Renew(nodeId, observer: null);
        PushPresence(change);
        return new SessionJoin(view, Snapshot(), events, lastSeq, gap);
    }

    public Task DisconnectAsync(string connectionId)
    {
        if (connectionId is not null && connections.TryGetValue(connectionId, out var connection))
        {
            var change = new PresenceChange(this);
            RemoveConnection(connection, change);
            ForgetNodeIfIdle(connection.NodeId);
            PushPresence(change);
        }

        return Task.CompletedTask;
    }

    public Task SetPresenceMetaAsync(string connectionId, JsonElement meta)
    {
        var checkedMeta = SessionRules.PresenceMeta(meta);
        if (connectionId is null || !connections.TryGetValue(connectionId, out var connection))
        {
            throw DomainException.NotFound($"connection {connectionId} is not in session {SessionId}");
        }

        connection.Meta = checkedMeta;
        connection.Touch = ++touches;
        dirtyUsers.Add(connection.UserId);
        ScheduleMetaFlush();
        return Task.CompletedTask;
    }

    public Task<PresenceSnapshot> GetPresenceAsync(string callerId)
    {
        RequireRead(callerId);
        return Task.FromResult(Snapshot());
    }

    public Task SubscribeAsync(string nodeId, ISessionObserver observer)
    {
        RequireExists();
        SessionRules.NodeId(nodeId);
        if (observer is null)
        {
            throw DomainException.Validation("observer", "is required");
        }

        Renew(nodeId, observer);
        return Task.CompletedTask;
    }

    public Task UnsubscribeAsync(string nodeId)
    {
        if (nodeId is not null && nodes.TryGetValue(nodeId, out var node))
        {
            node.Observer = null;
            ForgetNodeIfIdle(nodeId);
        }

        return Task.CompletedTask;
    }

    // ---------------------------------------------------------------- entries and diffs

    private PresenceSnapshot Snapshot() => new(userConnections.Keys.Select(Entry).ToImmutableArray());

    private PresenceEntry Entry(string userId)
    {
        var list = userConnections[userId];
        var latest = list[0];
        foreach (var c in list)
        {
            if (c.Touch > latest.Touch)
            {
                latest = c;
            }
        }

        return new PresenceEntry(userId, latest.DisplayName, UserPresence.Online, list.Count, latest.Meta);
    }

    private void RemoveConnection(PresenceConnection connection, PresenceChange change)
    {
        change.Touch(connection.UserId);
        connections.Remove(connection.ConnectionId);
        if (userConnections.TryGetValue(connection.UserId, out var list))
        {
            list.Remove(connection);
            if (list.Count == 0)
            {
                userConnections.Remove(connection.UserId);
            }
        }
    }

    private void RemoveUserConnections(string userId)
    {
        if (!userConnections.TryGetValue(userId, out var list))
        {
            return;
        }

        var change = new PresenceChange(this);
        foreach (var connection in list.ToList())
        {
            RemoveConnection(connection, change);
        }

        PushPresence(change);
    }

    private void PushPresence(PresenceChange change)
    {
        if (change.Build() is { } diff)
        {
            NotifyObservers(observer => observer.OnPresenceAsync(SessionId, diff));
        }
    }

    private void ScheduleMetaFlush()
    {
        if (metaFlushArmed)
        {
            return;
        }

        var now = TimeProvider.GetUtcNow();
        var next = lastMetaFlush + MetaFlushInterval;
        if (now >= next)
        {
            FlushMeta(now);
            return;
        }

        metaFlushArmed = true;
        if (metaFlushTimer is null)
        {
            metaFlushTimer = RegisterGrainTimer(
                _ =>
                {
                    metaFlushArmed = false;
                    FlushMeta(TimeProvider.GetUtcNow());
                    return Task.CompletedTask;
                },
                next - now,
                Timeout.InfiniteTimeSpan);
        }
        else
        {
            metaFlushTimer.Change(next - now, Timeout.InfiniteTimeSpan);
        }
    }

    private void FlushMeta(DateTimeOffset now)
    {
        lastMetaFlush = now;
        if (dirtyUsers.Count == 0)
        {
            return;
        }

        var updated = dirtyUsers.Where(userConnections.ContainsKey).Select(Entry).ToImmutableArray();
        dirtyUsers.Clear();
        if (updated.Length > 0)
        {
            var diff = new PresenceDiff([], [], updated);
            NotifyObservers(observer => observer.OnPresenceAsync(SessionId, diff));
        }
    }

    // ---------------------------------------------------------------- nodes and leases

    private void Renew(string nodeId, ISessionObserver? observer)
    {
        var expiry = TimeProvider.GetUtcNow() + options.NodeLease;
        if (!nodes.TryGetValue(nodeId, out var node))
        {
            nodes[nodeId] = node = new NodeLease();
        }

        node.Expiry = node.Expiry > expiry ? node.Expiry : expiry;
        if (observer is not null)
        {
            node.Observer = observer;
        }

        ArmLeaseTimer();
    }

    private void ForgetNodeIfIdle(string nodeId)
    {
        if (nodes.TryGetValue(nodeId, out var node) && node.Observer is null && !connections.Values.Any(c => c.NodeId == nodeId))
        {
            nodes.Remove(nodeId);
        }
    }

    /// <summary>Sets the lease timer for the earliest expiry (it only ever fires early, never late).</summary>
    private void ArmLeaseTimer()
    {
        if (nodes.Count == 0)
        {
            return;
        }

        var earliest = nodes.Values.Min(n => n.Expiry);
        if (leaseTimerDue is { } due && due <= earliest)
        {
            return;
        }

        leaseTimerDue = earliest;
        var delay = earliest - TimeProvider.GetUtcNow();
        if (delay < TimeSpan.Zero)
        {
            delay = TimeSpan.Zero;
        }

        if (leaseTimer is null)
        {
            leaseTimer = RegisterGrainTimer(_ => OnLeaseTimer(), delay, Timeout.InfiniteTimeSpan);
        }
        else
        {
            leaseTimer.Change(delay, Timeout.InfiniteTimeSpan);
        }
    }

    private Task OnLeaseTimer()
    {
        leaseTimerDue = null;
        ExpireNodes();
        ArmLeaseTimer();
        return Task.CompletedTask;
    }

    private void ExpireNodes()
    {
        var now = TimeProvider.GetUtcNow();
        var expired = nodes.Where(n => n.Value.Expiry <= now).Select(n => n.Key).ToList();
        if (expired.Count == 0)
        {
            return;
        }

        var change = new PresenceChange(this);
        foreach (var nodeId in expired)
        {
            nodes.Remove(nodeId);
            var gone = connections.Values.Where(c => c.NodeId == nodeId).ToList();
            foreach (var connection in gone)
            {
                RemoveConnection(connection, change);
            }

            SessionLog.NodeLeaseExpired(logger, SessionId, nodeId, gone.Count);
        }

        PushPresence(change);
    }

    /// <summary>Sends one push to every node with a live lease and an observer; a failed delivery drops that observer.</summary>
    private void NotifyObservers(Func<ISessionObserver, Task> send)
    {
        var now = TimeProvider.GetUtcNow();
        List<(string NodeId, ISessionObserver Observer, Exception Error)>? failed = null;
        foreach (var (nodeId, node) in nodes)
        {
            if (node.Observer is not { } observer || node.Expiry <= now)
            {
                continue;
            }

            Task delivery;
            try
            {
                delivery = send(observer);
            }
            catch (Exception exception)
            {
                (failed ??= []).Add((nodeId, observer, exception));
                continue;
            }

            if (!delivery.IsCompletedSuccessfully)
            {
                _ = WatchDeliveryAsync(nodeId, observer, delivery);
            }
        }

        foreach (var (nodeId, observer, error) in failed ?? [])
        {
            DropObserver(nodeId, observer, error);
        }
    }

    private async Task WatchDeliveryAsync(string nodeId, ISessionObserver observer, Task delivery)
    {
        try
        {
            await delivery;
        }
        catch (Exception exception)
        {
            DropObserver(nodeId, observer, exception);
        }
    }

    private void DropObserver(string nodeId, ISessionObserver observer, Exception error)
    {
        if (nodes.TryGetValue(nodeId, out var node) && ReferenceEquals(node.Observer, observer))
        {
            node.Observer = null;
            SessionLog.ObserverDropped(logger, error, SessionId, nodeId);
        }
    }

    private sealed class PresenceConnection(string connectionId, string userId, string displayName, string nodeId)
    {
        public string ConnectionId { get; } = connectionId;

        public string UserId { get; } = userId;

        public string DisplayName { get; } = displayName;

        public string NodeId { get; } = nodeId;

        public JsonElement? Meta { get; set; }

        /// <summary>Orders a user's connections by their latest connect or meta update.</summary>
        public long Touch { get; set; }
    }

    private sealed class NodeLease
    {
        public ISessionObserver? Observer { get; set; }

        public DateTimeOffset Expiry { get; set; }
    }

    /// <summary>Collects the users a presence change touched and turns it into a diff (joined, left, updated).</summary>
    private sealed class PresenceChange(SessionGrain grain)
    {
        private readonly Dictionary<string, bool> wasPresent = new(StringComparer.Ordinal);

        /// <summary>Call before changing the user's connections.</summary>
        public void Touch(string userId) => wasPresent.TryAdd(userId, grain.userConnections.ContainsKey(userId));

        public PresenceDiff? Build()
        {
            if (wasPresent.Count == 0)
            {
                return null;
            }

            var joined = ImmutableArray.CreateBuilder<PresenceEntry>();
            var left = ImmutableArray.CreateBuilder<string>();
            var updated = ImmutableArray.CreateBuilder<PresenceEntry>();
            foreach (var (userId, was) in wasPresent)
            {
                var now = grain.userConnections.ContainsKey(userId);
                if (now)
                {
                    (was ? updated : joined).Add(grain.Entry(userId));
                }
                else if (was)
                {
                    left.Add(userId);
                }

                // This push carries the user's latest state: nothing of theirs is left to coalesce.
                grain.dirtyUsers.Remove(userId);
            }

            return joined.Count + left.Count + updated.Count == 0
                ? null
                : new PresenceDiff(joined.ToImmutable(), left.ToImmutable(), updated.ToImmutable());
        }
    }
}
