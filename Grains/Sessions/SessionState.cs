namespace Actors.Grains.Sessions;

/// <summary>
/// The persisted state of a session (grain state "session", jsonb). The event log is not here: it
/// lives in its own table and is the source of truth for seq. Shape changes are additive; a change
/// that is not gets a new <see cref="StateVersionAttribute"/> and an <see cref="IStateUpgrader{TState}"/>.
/// </summary>
[StateVersion(1)]
internal sealed class SessionState
{
    /// <summary>Null until the session is created.</summary>
    public string? OwnerId { get; set; }

    public string Title { get; set; } = "";

    public string Visibility { get; set; } = Actors.Grains.Visibility.Private;

    public string Status { get; set; } = SessionStatus.Open;

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? ClosedAt { get; set; }

    /// <summary>Members in the order they joined (the owner first).</summary>
    public List<SessionMemberState> Members { get; set; } = [];

    public List<string> ResourceIds { get; set; } = [];

    /// <summary>
    /// System events saved with the change that caused them and appended to the log right after
    /// (with clientMsgId <c>sys/{Id}</c>, so appending one again is a no-op). Entries already
    /// appended are dropped at the next write.
    /// </summary>
    public List<SessionOutboxEvent> Outbox { get; set; } = [];

    /// <summary>Users whose session list (IUserGrain) must still be brought in step with this membership.</summary>
    public List<string> PendingUserSync { get; set; } = [];

    public bool Exists => OwnerId is not null;

    public SessionState Clone() => new()
    {
        OwnerId = OwnerId,
        Title = Title,
        Visibility = Visibility,
        Status = Status,
        CreatedAt = CreatedAt,
        ClosedAt = ClosedAt,
        Members = [.. Members],
        ResourceIds = [.. ResourceIds],
        Outbox = [.. Outbox],
        PendingUserSync = [.. PendingUserSync],
    };
}

internal sealed record SessionMemberState(string UserId, string Role, DateTimeOffset JoinedAt);

/// <summary>
/// A system event waiting to be appended; <see cref="Payload"/> is compact JSON text. <see cref="AfterSeq"/>
/// is the log's last seq when the change was saved: the event belongs after it, so once retention
/// has trimmed past it the entry is stale (appended and trimmed, or too old to matter) and is dropped.
/// </summary>
internal sealed record SessionOutboxEvent(string Id, string Type, string? AuthorId, string Payload, long AfterSeq)
{
    public const string ClientMsgIdPrefix = "sys/";

    public string ClientMsgId => ClientMsgIdPrefix + Id;
}
