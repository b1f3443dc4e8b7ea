using System.Collections.Concurrent;
using System.Collections.Immutable;
using Actors.Grains;
using Microsoft.Extensions.Options;

namespace Actors.WebHost.Realtime;

/// <summary>
/// The node side of the GPS-tracker pattern: one observer per node, subscribed once per session
/// or resource this node serves (a lease, renewed), and local fan-out to connections. Seq gaps
/// are filled from the log before delivery, so each connection sees every event once, in order.
/// </summary>
internal sealed partial class RealtimeBridge : ISessionObserver, IResourceObserver, IHostedService, IDisposable
{
    private readonly IGrainFactory grains;
    private readonly RealtimeOptions options;
    private readonly ILogger<RealtimeBridge> logger;
    private readonly ConcurrentDictionary<string, SessionFeed> sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ResourceFeed> resources = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource stopping = new();
    private readonly Lock referenceGate = new();
    private (ISessionObserver Session, IResourceObserver Resource)? references;
    private Task? renewal;

    public RealtimeBridge(IGrainFactory grains, IOptions<RealtimeOptions> options, Hosting.INodeInfo node, ILogger<RealtimeBridge> logger)
    {
        this.grains = grains;
        NodeId = node.NodeId;
        this.options = options.Value;
        this.logger = logger;
    }

    /// <summary>This node's id in presence and subscriptions.</summary>
    public string NodeId { get; }

    public int SessionCount => sessions.Count;

    private (ISessionObserver Session, IResourceObserver Resource) References
    {
        get
        {
            lock (referenceGate)
            {
                return references ??= (
                    grains.CreateObjectReference<ISessionObserver>(this),
                    grains.CreateObjectReference<IResourceObserver>(this));
            }
        }
    }

    /// <summary>After a client moved gateway: new references, and every subscription renewed with them.</summary>
    public void ResetReferences()
    {
        lock (referenceGate)
        {
            if (references is not null)
            {
                grains.DeleteObjectReference<ISessionObserver>(this);
                grains.DeleteObjectReference<IResourceObserver>(this);
                references = null;
            }
        }

        _ = RenewAllAsync();
    }

    public SessionFeed Feed(string sessionId) => sessions.GetOrAdd(sessionId, id => new SessionFeed(id));

    public SessionFeed? FindFeed(string sessionId) => sessions.GetValueOrDefault(sessionId);

    public async Task EnsureSubscribedAsync(string sessionId) =>
        await grains.GetGrain<ISessionGrain>(sessionId).SubscribeAsync(NodeId, References.Session);

    /// <summary>Drops a connection from a feed; the last one out ends the node's subscription.</summary>
    public async Task LeaveFeedAsync(string sessionId, string connectionId)
    {
        if (sessions.TryGetValue(sessionId, out var feed) && feed.Remove(connectionId)
            && sessions.TryRemove(new KeyValuePair<string, SessionFeed>(sessionId, feed)))
        {
            try
            {
                await grains.GetGrain<ISessionGrain>(sessionId).UnsubscribeAsync(NodeId);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogUnsubscribeFailed(logger, exception, sessionId);
            }
        }
    }

    public ResourceFeed ResourceFeed(string resourceId) => resources.GetOrAdd(resourceId, id => new ResourceFeed(id));

    public async Task EnsureWatchingAsync(string resourceId) =>
        await grains.GetGrain<IResourceGrain>(resourceId).SubscribeAsync(NodeId, References.Resource);

    public async Task UnwatchAsync(string resourceId, string connectionId)
    {
        if (resources.TryGetValue(resourceId, out var feed) && feed.Remove(connectionId)
            && resources.TryRemove(new KeyValuePair<string, ResourceFeed>(resourceId, feed)))
        {
            try
            {
                await grains.GetGrain<IResourceGrain>(resourceId).UnsubscribeAsync(NodeId);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogUnsubscribeFailed(logger, exception, resourceId);
            }
        }
    }

    // ---- pushes from grains (one observer turn at a time, in order) ----

    public async Task OnEventsAsync(string sessionId, ImmutableArray<SessionEvent> events)
    {
        if (!sessions.TryGetValue(sessionId, out var feed))
        {
            return;
        }

        // Deliver; on a seq jump fetch what is missing from the log first, then go on.
        for (var attempt = 0; attempt < 5 && !feed.TryDeliver(events, out var gapFrom); attempt++)
        {
            var reader = feed.AnyReader;
            if (reader is null)
            {
                return;
            }

            try
            {
                var missing = await grains.GetGrain<ISessionGrain>(sessionId).ReadEventsAsync(reader, gapFrom, Limits.EventsPageMax);
                LogGapFilled(logger, sessionId, gapFrom, missing.Items.Length);
                feed.TryDeliver(missing.Items, out _);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogGapFillFailed(logger, exception, sessionId);
                feed.Broadcast(ConnectionOutbox.Invocation(ClientMethods.Resync, sessionId, new ResyncMessage(ResyncMessage.Gap, feed.LastSeq)));
                return;
            }
        }
    }

    public Task OnPresenceAsync(string sessionId, PresenceDiff diff)
    {
        sessions.GetValueOrDefault(sessionId)?.Broadcast(ConnectionOutbox.Invocation(ClientMethods.Presence, sessionId, diff));
        return Task.CompletedTask;
    }

    public Task OnClosedAsync(string sessionId)
    {
        sessions.GetValueOrDefault(sessionId)?.Broadcast(ConnectionOutbox.Invocation(ClientMethods.SessionClosed, sessionId));
        return Task.CompletedTask;
    }

    public Task OnChangedAsync(string resourceId, ResourceChange change)
    {
        resources.GetValueOrDefault(resourceId)?.Broadcast(ConnectionOutbox.Invocation(
            ClientMethods.ResourceChanged,
            resourceId,
            new ResourceChangedMessage(change.Version, change.Data, change.UpdatedBy, change.UpdatedAt, change.Deleted)));
        return Task.CompletedTask;
    }

    // ---- leases ----

    public Task StartAsync(CancellationToken cancellationToken)
    {
        renewal = RenewLoopAsync();
        return Task.CompletedTask;
    }

    private async Task RenewLoopAsync()
    {
        using var timer = new PeriodicTimer(options.LeaseRenewal);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping.Token))
            {
                await RenewAllAsync();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RenewAllAsync()
    {
        foreach (var sessionId in sessions.Keys)
        {
            try
            {
                await EnsureSubscribedAsync(sessionId);
                await CatchUpAsync(sessionId);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogRenewFailed(logger, exception, sessionId);
            }
        }

        foreach (var resourceId in resources.Keys)
        {
            try
            {
                await EnsureWatchingAsync(resourceId);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogRenewFailed(logger, exception, resourceId);
            }
        }
    }

    /// <summary>
    /// Pushes are one-way: if one was lost (the session moved to another silo and had no
    /// subscription yet, or a connection dropped), read what is missing from the log.
    /// </summary>
    private async Task CatchUpAsync(string sessionId)
    {
        if (!sessions.TryGetValue(sessionId, out var feed) || feed.Expected is not { } next || feed.AnyReader is not { } reader)
        {
            return;
        }

        var page = await grains.GetGrain<ISessionGrain>(sessionId).ReadEventsAsync(reader, next - 1, Limits.EventsPageMax);
        if (!page.Items.IsDefaultOrEmpty)
        {
            await OnEventsAsync(sessionId, page.Items);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await stopping.CancelAsync();
        if (renewal is not null)
        {
            await renewal;
        }
    }

    public void Dispose() => stopping.Dispose();

    [LoggerMessage(4020, LogLevel.Information, "Session {SessionId}: filled a seq gap after {After} with {Count} events from the log")]
    private static partial void LogGapFilled(ILogger logger, string sessionId, long after, int count);

    [LoggerMessage(4021, LogLevel.Warning, "Session {SessionId}: could not fill a seq gap; telling clients to resync")]
    private static partial void LogGapFillFailed(ILogger logger, Exception exception, string sessionId);

    [LoggerMessage(4022, LogLevel.Warning, "Renewing the subscription to {Id} failed")]
    private static partial void LogRenewFailed(ILogger logger, Exception exception, string id);

    [LoggerMessage(4023, LogLevel.Debug, "Unsubscribing from {Id} failed")]
    private static partial void LogUnsubscribeFailed(ILogger logger, Exception exception, string id);
}

/// <summary>The local watchers of one resource.</summary>
internal sealed class ResourceFeed(string resourceId)
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, ConnectionOutbox> watchers = new(StringComparer.Ordinal);

    public string ResourceId { get; } = resourceId;

    public void Add(ConnectionOutbox outbox)
    {
        lock (gate)
        {
            watchers[outbox.ConnectionId] = outbox;
        }
    }

    public bool Remove(string connectionId)
    {
        lock (gate)
        {
            watchers.Remove(connectionId);
            return watchers.Count == 0;
        }
    }

    public void Broadcast(Microsoft.AspNetCore.SignalR.SerializedHubMessage message)
    {
        lock (gate)
        {
            foreach (var outbox in watchers.Values)
            {
                outbox.Enqueue(null, message);
            }
        }
    }
}
