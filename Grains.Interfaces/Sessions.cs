using System.Collections.Immutable;
using System.Text.Json;

namespace Actors.Grains;

public static class SessionRoles
{
    public const string Owner = "owner";
    public const string Member = "member";
    public const string Viewer = "viewer";

    public static bool IsValid(string role) => role is Owner or Member or Viewer;

    /// <summary>owner &gt; member &gt; viewer; 0 for none.</summary>
    public static int Rank(string? role) => role switch { Owner => 3, Member => 2, Viewer => 1, _ => 0 };
}

public static class Visibility
{
    public const string Private = "private";
    public const string Public = "public";

    public static bool IsValid(string value) => value is Private or Public;
}

public static class SessionStatus
{
    public const string Open = "open";
    public const string Closed = "closed";
}

/// <summary>System event types appended by the session itself.</summary>
public static class SystemEvents
{
    public const string MemberJoined = "member.joined";
    public const string MemberLeft = "member.left";
    public const string MemberRoleChanged = "member.role_changed";
    public const string SessionClosed = "session.closed";
    public const string ResourceCreated = "resource.created";
    public const string ResourceUpdated = "resource.updated";
    public const string ResourceDeleted = "resource.deleted";
}

public sealed record SessionMember(string UserId, string Role);

public sealed record SessionView(
    string Id,
    string Title,
    string Visibility,
    string Status,
    string OwnerId,
    DateTimeOffset CreatedAt,
    long LastSeq,
    ImmutableArray<SessionMember> Members);

/// <summary>One entry of the session's ordered, durable event log.</summary>
public sealed record SessionEvent(long Seq, string Type, string? AuthorId, JsonElement Payload, DateTimeOffset At);

/// <summary>The acknowledgement of a publish: committed to PostgreSQL before it is returned.</summary>
public sealed record PublishResult(long Seq, DateTimeOffset At, bool Duplicate);

/// <summary>Events after a seq. <see cref="Gap"/>: some were past retention or the page cap; reload over REST.</summary>
public sealed record EventPage(ImmutableArray<SessionEvent> Items, long LastSeq, bool Gap);

/// <summary>The caller's standing in a session (for the web layer and the resource grain).</summary>
public sealed record SessionAccess(bool Exists, string? Role, string Visibility, string Status)
{
    public bool CanRead => Role is not null || Visibility == Actors.Grains.Visibility.Public;
}

public sealed record PresenceEntry(string UserId, string DisplayName, string Status, int Connections, JsonElement? Meta);

public sealed record PresenceSnapshot(ImmutableArray<PresenceEntry> Items);

/// <summary>What changed in presence: pushed to nodes, coalesced.</summary>
public sealed record PresenceDiff(ImmutableArray<PresenceEntry> Joined, ImmutableArray<string> Left, ImmutableArray<PresenceEntry> Updated);

/// <summary>Answer to a realtime join: state, presence and the events the client missed.</summary>
public sealed record SessionJoin(SessionView Session, PresenceSnapshot Presence, ImmutableArray<SessionEvent> Events, long LastSeq, bool Gap);

/// <summary>Receives a session's pushes on one WebHost node (one subscription per node and session).</summary>
public interface ISessionObserver : IGrainObserver
{
    /// <summary>Events in seq order with no gaps between consecutive pushes to this node.</summary>
    [OneWay]
    Task OnEventsAsync(string sessionId, ImmutableArray<SessionEvent> events);

    [OneWay]
    Task OnPresenceAsync(string sessionId, PresenceDiff diff);

    [OneWay]
    Task OnClosedAsync(string sessionId);
}

/// <summary>A live collaboration space: members and roles, an ordered durable event log, presence.</summary>
[GrainType("session")]
public interface ISessionGrain : IGrainWithStringKey
{
    Task<SessionView> CreateAsync(string ownerId, string title, string visibility);

    /// <summary>not_found for a private session the caller does not belong to.</summary>
    Task<SessionView> GetAsync(string callerId);

    Task<SessionAccess> GetAccessAsync(string userId);

    Task<SessionView> UpdateAsync(string callerId, string? title, string? visibility);

    Task<SessionView> CloseAsync(string callerId);

    /// <summary>Joins a public session as member (no-op for existing members).</summary>
    Task<SessionView> JoinAsync(string callerId);

    /// <summary>Owner only: adds the user with the role, or changes their role.</summary>
    Task<SessionView> SetMemberAsync(string callerId, string userId, string role);

    /// <summary>Owner, or the member themself.</summary>
    Task RemoveMemberAsync(string callerId, string userId);

    /// <summary>Member or owner; idempotent on clientMsgId (the original seq comes back with Duplicate = true).</summary>
    Task<PublishResult> PublishAsync(string callerId, string type, JsonElement payload, string? clientMsgId);

    Task<EventPage> ReadEventsAsync(string callerId, long afterSeq, int limit);

    /// <summary>Appends a system event (resource changes) on behalf of the session's resources.</summary>
    Task<PublishResult> AppendSystemEventAsync(string type, string? authorId, JsonElement payload);

    /// <summary>Realtime join: access check, presence entry for the connection, and the events after afterSeq.</summary>
    Task<SessionJoin> ConnectAsync(string callerId, string displayName, string connectionId, string nodeId, long? afterSeq);

    /// <summary>An explicit leave: the connection's presence ends at once.</summary>
    Task DisconnectAsync(string connectionId);

    /// <summary>Ephemeral presence meta (cursor…) for one connection; validation_failed over 1 KiB.</summary>
    Task SetPresenceMetaAsync(string connectionId, JsonElement meta);

    Task<PresenceSnapshot> GetPresenceAsync(string callerId);

    /// <summary>Subscribes (or renews) a node's observer; its connections leave presence if the lease lapses.</summary>
    Task SubscribeAsync(string nodeId, ISessionObserver observer);

    Task UnsubscribeAsync(string nodeId);

    Task RegisterResourceAsync(string resourceId);

    Task UnregisterResourceAsync(string resourceId);

    Task<ImmutableArray<string>> ListResourceIdsAsync(string callerId);
}
