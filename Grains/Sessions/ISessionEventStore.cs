namespace Actors.Grains.Sessions;

/// <summary>One stored event of a session's log. <see cref="Payload"/> is JSON text.</summary>
public sealed record SessionEventRecord(long Seq, string Type, string? AuthorId, string Payload, string? ClientMsgId, DateTimeOffset At);

/// <summary>
/// The retained range of a session's log: <see cref="FirstSeq"/>..<see cref="LastSeq"/> (both 0 when
/// the log is empty) and the time of the first retained event.
/// </summary>
public readonly record struct SessionLogBounds(long FirstSeq, long LastSeq, DateTimeOffset? FirstAt)
{
    public static SessionLogBounds Empty => default;

    public bool IsEmpty => LastSeq == 0;
}

/// <summary>What an append collided with.</summary>
public enum SessionEventConflict
{
    /// <summary>A seq of the batch is already taken: another writer appended to this session.</summary>
    Seq,

    /// <summary>A clientMsgId of the batch is already in the log.</summary>
    ClientMsgId,

    /// <summary>The store refused an event's data (e.g. PostgreSQL rejects \u0000 in jsonb); nothing of the batch was written.</summary>
    InvalidData,
}

/// <summary>An append was refused as a whole (a collision with a stored event, or data the store refuses); nothing of the batch was written.</summary>
public sealed class SessionEventConflictException : Exception
{
    public SessionEventConflictException() : this(SessionEventConflict.Seq, "The append collided with a stored event.") { }

    public SessionEventConflictException(string message) : this(SessionEventConflict.Seq, message) { }

    public SessionEventConflictException(string message, Exception inner) : base(message, inner) { }

    public SessionEventConflictException(SessionEventConflict conflict, string message, Exception? inner = null)
        : base(message, inner) => Conflict = conflict;

    public SessionEventConflict Conflict { get; }
}

/// <summary>
/// The durable store of session event logs. Appends are all-or-nothing batches (one transaction, one
/// round trip); a collision on seq or clientMsgId fails the whole batch with
/// <see cref="SessionEventConflictException"/>. An unreachable or failing database surfaces as
/// <see cref="GrainStorageException"/> whose message names the store, the operation and the session.
/// </summary>
public interface ISessionEventStore
{
    /// <summary>How errors and logs name this store, e.g. "Session event log (PostgreSQL)".</summary>
    string Name { get; }

    /// <summary>Committed append transactions since start (group commit makes this smaller than <see cref="AppendedEvents"/>).</summary>
    long Commits { get; }

    /// <summary>Events committed since start.</summary>
    long AppendedEvents { get; }

    /// <summary>The first and last retained seq of a session (0, 0 when it has none).</summary>
    Task<SessionLogBounds> GetBoundsAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>The last seq of a session (0 when it has none).</summary>
    Task<long> GetLastSeqAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Appends <paramref name="events"/> (consecutive seqs, in order) in one transaction.</summary>
    Task AppendAsync(string sessionId, IReadOnlyList<SessionEventRecord> events, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="limit"/> events with seq &gt; <paramref name="afterSeq"/>, in seq order.</summary>
    Task<IReadOnlyList<SessionEventRecord>> ReadAsync(string sessionId, long afterSeq, int limit, CancellationToken cancellationToken = default);

    /// <summary>The event published with <paramref name="clientMsgId"/>, or null.</summary>
    Task<SessionEventRecord?> FindByClientMsgIdAsync(string sessionId, string clientMsgId, CancellationToken cancellationToken = default);

    /// <summary>The stored events among those published with one of <paramref name="clientMsgIds"/>.</summary>
    Task<IReadOnlyList<SessionEventRecord>> FindByClientMsgIdsAsync(string sessionId, IReadOnlyCollection<string> clientMsgIds, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes the prefix of the log up to the last event older than <paramref name="olderThan"/>,
    /// never an event with seq ≥ <paramref name="keepFromSeq"/> (so the last event survives); returns
    /// the bounds afterwards.
    /// </summary>
    Task<SessionLogBounds> TrimAsync(string sessionId, DateTimeOffset olderThan, long keepFromSeq, CancellationToken cancellationToken = default);
}
