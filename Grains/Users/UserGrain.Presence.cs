namespace Actors.Grains.Users;

/// <summary>Platform presence: the user is online while at least one live connection exists.</summary>
/// <remarks>
/// <para>Connections are ephemeral (memory only), grouped by the WebHost node they came through.
/// Each node holds a lease of <see cref="DomainOptions.NodeLease"/>, renewed by
/// <see cref="RenewNodeAsync"/> (and by a connect through it). A one-shot timer set for the earliest
/// expiry drops the connections of nodes whose lease lapsed (their WebHost died without sending the
/// disconnects); when that leaves none, the user goes offline at once with lastSeenAt = the lapsed
/// lease's last renewal.</para>
/// <para>An explicit <see cref="DisconnectAsync"/> of the last connection keeps the user online for
/// <see cref="DomainOptions.PresenceGrace"/>, so a quick reconnect does not flap; lastSeenAt is then
/// when the connection ended. lastSeenAt is persisted when the user goes offline (and on
/// deactivation while online: the next activation starts offline and forgets every node, so a
/// renewal there answers false and the node connects its live connections again).</para>
/// </remarks>
internal sealed partial class UserGrain
{
    private const int MaxConnectionIdLength = 256;
    private const int MaxNodeIdLength = 128;

    private static readonly TimeSpan KeepAlivePeriod = TimeSpan.FromMinutes(1);

    /// <summary>connectionId → the node it came through.</summary>
    private readonly Dictionary<string, string> connections = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NodeLease> nodes = new(StringComparer.Ordinal);
    private IGrainTimer? graceTimer;
    private IGrainTimer? keepAliveTimer;
    private IGrainTimer? leaseTimer;
    private DateTimeOffset? leaseTimerDue;
    private DateTimeOffset lastConnectionEndedAt;

    /// <summary>Online while a connection exists and during the grace period after the last one ended.</summary>
    private bool Online => connections.Count > 0 || graceTimer is not null;

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (!state.RecordExists || !Online)
        {
            return;
        }

        // Going away while online (shutdown, handoff): the next activation starts offline, so record when we last saw the user.
        state.State.LastSeenAt = connections.Count > 0 ? TimeProvider.GetUtcNow() : lastConnectionEndedAt;
        connections.Clear();
        nodes.Clear();
        StopGrace();
        StopKeepAlive();
        try
        {
            await state.WriteStateAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            UsersLog.PresencePersistFailed(logger, exception, Id);
        }
    }

    public Task ConnectAsync(string connectionId, string nodeId)
    {
        CheckConnectionId(connectionId);
        CheckNodeId(nodeId);
        RequireExists();
        if (connections.TryGetValue(connectionId, out var previousNode) && !string.Equals(previousNode, nodeId, StringComparison.Ordinal))
        {
            RemoveFromNode(connectionId, previousNode);
        }

        connections[connectionId] = nodeId;
        if (!nodes.TryGetValue(nodeId, out var node))
        {
            nodes[nodeId] = node = new NodeLease();
        }

        node.Connections.Add(connectionId);
        node.RenewedAt = TimeProvider.GetUtcNow();
        ArmLeaseTimer();
        StopGrace();
        keepAliveTimer ??= RegisterGrainTimer(KeepAliveAsync, new GrainTimerOptions(KeepAlivePeriod, KeepAlivePeriod) { KeepAlive = true });
        DelayDeactivation(KeepAlivePeriod * 2);
        return Task.CompletedTask;
    }

    public Task<bool> RenewNodeAsync(string nodeId)
    {
        CheckNodeId(nodeId);
        RequireExists();
        if (!nodes.TryGetValue(nodeId, out var node))
        {
            return Task.FromResult(false);
        }

        // Renewing only pushes the expiry out: an armed timer fires early at worst and re-arms.
        node.RenewedAt = TimeProvider.GetUtcNow();
        ArmLeaseTimer();
        return Task.FromResult(true);
    }

    public async Task DisconnectAsync(string connectionId)
    {
        CheckConnectionId(connectionId);
        if (!state.RecordExists)
        {
            DeactivateOnIdle();
            return;
        }

        if (!connections.Remove(connectionId, out var nodeId))
        {
            return;
        }

        RemoveFromNode(connectionId, nodeId);
        if (connections.Count > 0)
        {
            return;
        }

        lastConnectionEndedAt = TimeProvider.GetUtcNow();
        var grace = options.Value.PresenceGrace;
        if (grace <= TimeSpan.Zero)
        {
            await GoOfflineAsync();
            return;
        }

        StopGrace();
        graceTimer = RegisterGrainTimer(OnGraceElapsedAsync, grace, Timeout.InfiniteTimeSpan);
    }

    public Task<UserPresence> GetPresenceAsync()
    {
        RequireExists();
        return Task.FromResult(Presence());
    }

    private UserPresence Presence() => new(Online ? UserPresence.Online : UserPresence.Offline, state.State.LastSeenAt);

    /// <summary>Takes a connection off its node; a node without connections is forgotten (its lease with it).</summary>
    private void RemoveFromNode(string connectionId, string nodeId)
    {
        if (nodes.TryGetValue(nodeId, out var node) && node.Connections.Remove(connectionId) && node.Connections.Count == 0)
        {
            nodes.Remove(nodeId);
        }
    }

    private async Task OnGraceElapsedAsync(CancellationToken cancellationToken)
    {
        StopGrace();
        if (connections.Count == 0)
        {
            await GoOfflineAsync();
        }
    }

    /// <summary>Sets the lease timer for the earliest expiry (it only ever fires early, never late).</summary>
    private void ArmLeaseTimer()
    {
        if (nodes.Count == 0)
        {
            return;
        }

        var earliest = nodes.Values.Min(n => n.RenewedAt) + options.Value.NodeLease;
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
            leaseTimer = RegisterGrainTimer(OnLeaseTimerAsync, delay, Timeout.InfiniteTimeSpan);
        }
        else
        {
            leaseTimer.Change(delay, Timeout.InfiniteTimeSpan);
        }
    }

    private async Task OnLeaseTimerAsync(CancellationToken cancellationToken)
    {
        leaseTimerDue = null;
        await ExpireNodesAsync();
        ArmLeaseTimer();
    }

    private async Task ExpireNodesAsync()
    {
        var now = TimeProvider.GetUtcNow();
        var lease = options.Value.NodeLease;
        var expired = nodes.Where(n => n.Value.RenewedAt + lease <= now).ToList();
        if (expired.Count == 0)
        {
            return;
        }

        var lastRenewal = DateTimeOffset.MinValue;
        foreach (var (nodeId, node) in expired)
        {
            nodes.Remove(nodeId);
            foreach (var connectionId in node.Connections)
            {
                connections.Remove(connectionId);
            }

            lastRenewal = node.RenewedAt > lastRenewal ? node.RenewedAt : lastRenewal;
            UsersLog.NodeLeaseExpired(logger, Id, nodeId, node.Connections.Count);
        }

        if (connections.Count == 0)
        {
            // The node died: no grace beyond the lease; the user was last seen when it last renewed.
            lastConnectionEndedAt = lastRenewal;
            await GoOfflineAsync();
        }
    }

    private async Task GoOfflineAsync()
    {
        StopKeepAlive();
        state.State.LastSeenAt = lastConnectionEndedAt;
        try
        {
            await PersistAsync();
        }
        catch (Exception exception)
        {
            UsersLog.PresencePersistFailed(logger, exception, Id);
        }
    }

    private Task KeepAliveAsync(CancellationToken cancellationToken)
    {
        DelayDeactivation(KeepAlivePeriod * 2);
        return Task.CompletedTask;
    }

    private void StopGrace()
    {
        graceTimer?.Dispose();
        graceTimer = null;
    }

    private void StopKeepAlive()
    {
        keepAliveTimer?.Dispose();
        keepAliveTimer = null;
    }

    private static void CheckConnectionId(string connectionId)
    {
        if (string.IsNullOrEmpty(connectionId) || connectionId.Length > MaxConnectionIdLength)
        {
            throw DomainException.Validation("connectionId", $"must be 1–{MaxConnectionIdLength} characters");
        }
    }

    private static void CheckNodeId(string nodeId)
    {
        if (string.IsNullOrEmpty(nodeId) || nodeId.Length > MaxNodeIdLength)
        {
            throw DomainException.Validation("nodeId", $"must be 1–{MaxNodeIdLength} characters");
        }
    }

    /// <summary>One WebHost node's connections of this user and its lease (expiry = last renewal + NodeLease).</summary>
    private sealed class NodeLease
    {
        public HashSet<string> Connections { get; } = new(StringComparer.Ordinal);

        public DateTimeOffset RenewedAt { get; set; }
    }
}
