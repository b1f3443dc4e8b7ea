using System.Text.Json;
using Actors.Grains;

namespace Actors.WebHost.Realtime;

/// <summary>Server → client events of the realtime contract (DESIGN §6).</summary>
public interface IRealtimeClient
{
    Task SessionEvent(string sessionId, SessionEvent evt);

    Task Presence(string sessionId, PresenceDiff diff);

    Task ResourceChanged(string resourceId, ResourceChangedMessage change);

    Task SessionClosed(string sessionId);

    Task Resync(string sessionId, ResyncMessage resync);
}

public sealed record ResourceChangedMessage(long Version, JsonElement Data, string UpdatedBy, DateTimeOffset UpdatedAt, bool Deleted);

/// <summary>Why a connection must re-join: its backlog was dropped (slow consumer) or the node saw a gap it could not fill.</summary>
public sealed record ResyncMessage(string Reason, long LastSeq)
{
    public const string SlowConsumer = "slow_consumer";
    public const string Gap = "gap";
}

/// <summary>Method names on the wire (camelCase, as clients subscribe to them).</summary>
internal static class ClientMethods
{
    public const string SessionEvent = "sessionEvent";
    public const string Presence = "presence";
    public const string ResourceChanged = "resourceChanged";
    public const string SessionClosed = "sessionClosed";
    public const string Resync = "resync";
}
