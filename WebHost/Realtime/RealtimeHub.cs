using System.Collections.Concurrent;
using System.Security.Claims;
using System.Text.Json;
using Actors.Grains;
using Actors.WebHost.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Actors.WebHost.Realtime;

/// <summary>
/// The realtime hub at /hubs/realtime. Methods call grains; pushes come from the bridge, never
/// from here. Errors are HubExceptions "code: sentence" (see <see cref="RealtimeHubFilter"/>).
/// </summary>
[Authorize]
internal sealed class RealtimeHub(
    IGrainFactory grains,
    RealtimeBridge bridge,
    ConnectionRegistry registry,
    UserConnections userConnections,
    PresenceCoalescer presence,
    IOptions<RealtimeOptions> options,
    ILogger<RealtimeHub> logger) : Hub<IRealtimeClient>
{
    private const string JoinedKey = "actors.joined";
    private const string WatchedKey = "actors.watched";

    private string UserId => Context.UserIdentifier ?? throw new HubException($"{ErrorCodes.Unauthorized}: sign in first");

    private string DisplayName => Context.User?.FindFirstValue(TokenClaims.Name) ?? UserId;

    private ConcurrentDictionary<string, byte> Joined => Set(JoinedKey);

    private ConcurrentDictionary<string, byte> Watched => Set(WatchedKey);

    // Hub instances are per call; per-connection state lives in Context.Items (calls of one connection run one at a time).
    private ConcurrentDictionary<string, byte> Set(string key)
    {
        if (Context.Items.TryGetValue(key, out var existing) && existing is ConcurrentDictionary<string, byte> set)
        {
            return set;
        }

        set = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        Context.Items[key] = set;
        return set;
    }

    public async Task<SessionJoin> JoinSession(string sessionId, long? afterSeq)
    {
        RequireId(sessionId, "sessionId");
        if (afterSeq is < 0)
        {
            throw new HubException($"{ErrorCodes.ValidationFailed}: afterSeq must be 0 or more");
        }

        var outbox = registry.Find(Context.ConnectionId) ?? throw new HubException($"{ErrorCodes.Unavailable}: connection is closing");
        var feed = bridge.Feed(sessionId);
        var subscriber = feed.Find(Context.ConnectionId) ?? new SessionSubscriber(Context.ConnectionId, UserId, outbox);
        subscriber.Pending ??= [];
        feed.Add(subscriber);
        try
        {
            var session = grains.GetGrain<ISessionGrain>(sessionId);
            var join = await session.ConnectAsync(UserId, DisplayName, Context.ConnectionId, bridge.NodeId, afterSeq);
            await bridge.EnsureSubscribedAsync(sessionId);
            Joined[sessionId] = 0;

            // The join result covers everything up to LastSeq (or says gap, and the client reloads):
            // events after it are delivered live from here on, those that arrived meanwhile first.
            feed.Activate(subscriber, join.LastSeq);
            return join;
        }
        catch
        {
            await bridge.LeaveFeedAsync(sessionId, Context.ConnectionId);
            throw;
        }
    }

    public async Task LeaveSession(string sessionId)
    {
        RequireId(sessionId, "sessionId");
        if (Joined.TryRemove(sessionId, out _))
        {
            await bridge.LeaveFeedAsync(sessionId, Context.ConnectionId);
            await grains.GetGrain<ISessionGrain>(sessionId).DisconnectAsync(Context.ConnectionId);
        }
    }

    public async Task<PublishAck> Publish(string sessionId, string type, JsonElement payload, string? clientMsgId)
    {
        RequireId(sessionId, "sessionId");
        var result = await grains.GetGrain<ISessionGrain>(sessionId).PublishAsync(UserId, type, payload, clientMsgId);
        return new PublishAck(result.Seq, result.At);
    }

    public Task SetPresence(string sessionId, JsonElement meta)
    {
        RequireId(sessionId, "sessionId");
        if (!Joined.ContainsKey(sessionId))
        {
            throw new HubException($"{ErrorCodes.ValidationFailed}: join the session before setting presence");
        }

        if (System.Text.Encoding.UTF8.GetByteCount(meta.GetRawText()) > Limits.PresenceMetaMaxBytes)
        {
            throw new HubException($"{ErrorCodes.ValidationFailed}: meta is larger than {Limits.PresenceMetaMaxBytes} bytes");
        }

        presence.Set(sessionId, Context.ConnectionId, meta.Clone());
        return Task.CompletedTask;
    }

    public async Task<ResourceView> WatchResource(string resourceId)
    {
        RequireId(resourceId, "resourceId");
        var outbox = registry.Find(Context.ConnectionId) ?? throw new HubException($"{ErrorCodes.Unavailable}: connection is closing");
        var resource = await grains.GetGrain<IResourceGrain>(resourceId).GetAsync(UserId);
        bridge.ResourceFeed(resourceId).Add(outbox);
        await bridge.EnsureWatchingAsync(resourceId);
        Watched[resourceId] = 0;
        return resource;
    }

    public async Task UnwatchResource(string resourceId)
    {
        RequireId(resourceId, "resourceId");
        if (Watched.TryRemove(resourceId, out _))
        {
            await bridge.UnwatchAsync(resourceId, Context.ConnectionId);
        }
    }

    public async Task<UpdateAck> UpdateResource(string resourceId, long expectedVersion, JsonElement data)
    {
        RequireId(resourceId, "resourceId");
        var view = await grains.GetGrain<IResourceGrain>(resourceId).ReplaceAsync(UserId, expectedVersion, data);
        return new UpdateAck(view.Version);
    }

    public override async Task OnConnectedAsync()
    {
        // Platform presence: the user is online while at least one connection lives. This node renews
        // its lease on the user while it holds a live connection of theirs (UserPresenceLeases).
        userConnections.Add(UserId, Context.ConnectionId);
        try
        {
            await grains.GetGrain<IUserGrain>(UserId).ConnectAsync(Context.ConnectionId, bridge.NodeId);
        }
        catch (DomainException exception)
        {
            RealtimeLog.PresenceFailed(logger, exception, "user:" + UserId);
        }
        catch
        {
            // The connection is refused and OnDisconnectedAsync will not run for it.
            userConnections.Remove(UserId, Context.ConnectionId);
            throw;
        }

        await base.OnConnectedAsync();
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        var connectionId = Context.ConnectionId;
        userConnections.Remove(UserId, connectionId);
        try
        {
            await grains.GetGrain<IUserGrain>(UserId).DisconnectAsync(connectionId);
        }
        catch (Exception failure) when (failure is DomainException or SiloUnavailableException or TimeoutException)
        {
            RealtimeLog.PresenceFailed(logger, failure, "user:" + UserId);
        }

        foreach (var resourceId in Watched.Keys)
        {
            await bridge.UnwatchAsync(resourceId, connectionId);
        }

        var sessions = Joined.Keys.ToList();
        foreach (var sessionId in sessions)
        {
            await bridge.LeaveFeedAsync(sessionId, connectionId);
        }

        presence.Forget(connectionId);

        // A dropped connection stays present for a short grace, so a quick reconnect does not flap.
        if (sessions.Count > 0)
        {
            _ = LeaveAfterGraceAsync(grains, sessions, connectionId, options.Value.DisconnectGrace, logger);
        }

        await base.OnDisconnectedAsync(exception);
    }

    private static async Task LeaveAfterGraceAsync(IGrainFactory grains, List<string> sessions, string connectionId, TimeSpan grace, ILogger logger)
    {
        await Task.Delay(grace);
        foreach (var sessionId in sessions)
        {
            try
            {
                await grains.GetGrain<ISessionGrain>(sessionId).DisconnectAsync(connectionId);
            }
            catch (Exception exception)
            {
                RealtimeLog.LeaveFailed(logger, exception, sessionId);
            }
        }
    }

    private static void RequireId(string value, string name)
    {
        if (value is null || !Limits.Id().IsMatch(value))
        {
            throw new HubException($"{ErrorCodes.ValidationFailed}: {name} must match [A-Za-z0-9_-]{{1,64}}");
        }
    }
}

public sealed record PublishAck(long Seq, DateTimeOffset At);

public sealed record UpdateAck(long Version);

internal static partial class RealtimeLog
{
    [LoggerMessage(4010, LogLevel.Warning, "Leaving session {SessionId} after a dropped connection failed")]
    public static partial void LeaveFailed(ILogger logger, Exception exception, string sessionId);

    [LoggerMessage(4011, LogLevel.Warning, "Hub method {Method} failed unexpectedly")]
    public static partial void HubMethodFailed(ILogger logger, Exception exception, string method);

    [LoggerMessage(4012, LogLevel.Debug, "Presence update for {SessionId} failed")]
    public static partial void PresenceFailed(ILogger logger, Exception exception, string sessionId);
}
