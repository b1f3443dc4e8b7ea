using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace Actors.WebHost.Realtime;

/// <summary>
/// SignalR's default lifetime manager plus a registry of live connections, so the bridge can
/// write pre-serialised messages straight into each connection's own outbox.
/// </summary>
internal sealed class RealtimeLifetimeManager(ILogger<DefaultHubLifetimeManager<RealtimeHub>> logger, ConnectionRegistry registry)
    : DefaultHubLifetimeManager<RealtimeHub>(logger)
{
    public override Task OnConnectedAsync(HubConnectionContext connection)
    {
        registry.Add(connection);
        return base.OnConnectedAsync(connection);
    }

    public override Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        registry.Remove(connection.ConnectionId);
        return base.OnDisconnectedAsync(connection);
    }
}

/// <summary>Live connections of this node and their outboxes.</summary>
internal sealed class ConnectionRegistry(Microsoft.Extensions.Options.IOptions<RealtimeOptions> options)
{
    private readonly ConcurrentDictionary<string, ConnectionOutbox> outboxes = new(StringComparer.Ordinal);

    public int Count => outboxes.Count;

    public void Add(HubConnectionContext connection) =>
        outboxes[connection.ConnectionId] = new ConnectionOutbox(connection, options.Value.OutboxCapacity);

    public void Remove(string connectionId) => outboxes.TryRemove(connectionId, out _);

    public ConnectionOutbox? Find(string connectionId) => outboxes.GetValueOrDefault(connectionId);
}
