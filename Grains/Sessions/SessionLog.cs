using Microsoft.Extensions.Logging;

namespace Actors.Grains.Sessions;

/// <summary>
/// Log messages of sessions and their event store. Event ids are stable: 3000–3049 store and
/// hosting, 3050–3099 event log (group commit, retention), 3100–3149 membership sync, 3150–3199 presence and pushes.
/// </summary>
internal static partial class SessionLog
{
    [LoggerMessage(EventId = 3000, EventName = "SessionEventLogInMemory", Level = LogLevel.Warning,
        Message = "SESSION EVENT LOG IS IN MEMORY: no Actors:Domain:ConnectionString is configured, so session events are lost when this silo stops and are not shared with other silos. Development only.")]
    public static partial void InMemoryStore(ILogger logger);

    [LoggerMessage(EventId = 3001, EventName = "SessionEventStoreUnreachable", Level = LogLevel.Warning,
        Message = "Session event log (PostgreSQL) is unreachable during {Operation} of session {SessionId}; the connection pool was cleared")]
    public static partial void StoreUnreachable(ILogger logger, Exception exception, string operation, string sessionId);

    [LoggerMessage(EventId = 3002, EventName = "SessionEventStoreFailed", Level = LogLevel.Error,
        Message = "Session event log (PostgreSQL) failed during {Operation} of session {SessionId}")]
    public static partial void StoreFailed(ILogger logger, Exception exception, string operation, string sessionId);

    [LoggerMessage(EventId = 3003, EventName = "SessionEventStoreRetrying", Level = LogLevel.Information,
        Message = "Session event log (PostgreSQL) found a broken pooled connection during {Operation} of session {SessionId}; retrying once on a new connection")]
    public static partial void StoreRetrying(ILogger logger, Exception exception, string operation, string sessionId);

    [LoggerMessage(EventId = 3004, EventName = "SessionEventStoreMigrated", Level = LogLevel.Information,
        Message = "Session event log (PostgreSQL): {Count} domain schema migrations applied")]
    public static partial void Migrated(ILogger logger, int count);

    [LoggerMessage(EventId = 3050, EventName = "SessionCommitFailed", Level = LogLevel.Warning,
        Message = "Session {SessionId}: committing {Count} events (seq {FirstSeq}..{LastSeq}) failed; every publish of the batch fails and the last seq is re-read from the log")]
    public static partial void CommitFailed(ILogger logger, Exception exception, string sessionId, int count, long firstSeq, long lastSeq);

    [LoggerMessage(EventId = 3051, EventName = "SessionCommitRetried", Level = LogLevel.Information,
        Message = "Session {SessionId}: a commit of {Count} events failed but the log shows it was not written; retrying the batch")]
    public static partial void CommitRetried(ILogger logger, Exception exception, string sessionId, int count);

    [LoggerMessage(EventId = 3052, EventName = "SessionSeqConflict", Level = LogLevel.Warning,
        Message = "Session {SessionId}: seq {Seq} was already taken by another writer (two activations during a view change?); reloaded the last seq ({LastSeq}) and retrying")]
    public static partial void SeqConflict(ILogger logger, string sessionId, long seq, long lastSeq);

    [LoggerMessage(EventId = 3053, EventName = "SessionDuplicateFromStore", Level = LogLevel.Debug,
        Message = "Session {SessionId}: {Count} publishes were duplicates of stored events (by clientMsgId)")]
    public static partial void DuplicatesFromStore(ILogger logger, string sessionId, int count);

    [LoggerMessage(EventId = 3054, EventName = "SessionTrimmed", Level = LogLevel.Debug,
        Message = "Session {SessionId}: retention deleted {Count} events")]
    public static partial void Trimmed(ILogger logger, string sessionId, int count);

    [LoggerMessage(EventId = 3055, EventName = "SessionTrimFailed", Level = LogLevel.Warning,
        Message = "Session {SessionId}: trimming events past retention failed; it is tried again on the next tick")]
    public static partial void TrimFailed(ILogger logger, Exception exception, string sessionId);

    [LoggerMessage(EventId = 3056, EventName = "SessionRetentionScheduleFailed", Level = LogLevel.Warning,
        Message = "Session {SessionId}: registering the retention reminder failed; a grain timer trims while the session is active")]
    public static partial void RetentionScheduleFailed(ILogger logger, Exception exception, string sessionId);

    [LoggerMessage(EventId = 3057, EventName = "SessionMissedEventsFetchFailed", Level = LogLevel.Warning,
        Message = "Session {SessionId}: could not read events {FromSeq}..{ToSeq} committed by another writer to push them; nodes will see a seq jump and fetch them")]
    public static partial void MissedEventsFetchFailed(ILogger logger, Exception exception, string sessionId, long fromSeq, long toSeq);

    [LoggerMessage(EventId = 3058, EventName = "SessionOutboxFlushFailed", Level = LogLevel.Warning,
        Message = "Session {SessionId}: appending {Count} saved system events failed; they are appended again later")]
    public static partial void OutboxFlushFailed(ILogger logger, Exception exception, string sessionId, int count);

    [LoggerMessage(EventId = 3059, EventName = "SessionLogLoadFailed", Level = LogLevel.Warning,
        Message = "Session {SessionId}: reading the bounds of the event log failed")]
    public static partial void LoadFailed(ILogger logger, Exception exception, string sessionId);

    [LoggerMessage(EventId = 3100, EventName = "SessionUserSyncFailed", Level = LogLevel.Warning,
        Message = "Session {SessionId}: updating the session list of user {UserId} failed; retrying in {RetryIn}")]
    public static partial void UserSyncFailed(ILogger logger, Exception exception, string sessionId, string userId, TimeSpan retryIn);

    [LoggerMessage(EventId = 3101, EventName = "SessionUserSyncRejected", Level = LogLevel.Warning,
        Message = "Session {SessionId}: user {UserId} refused the session list update ({Code}); not retried")]
    public static partial void UserSyncRejected(ILogger logger, string sessionId, string userId, string code);

    [LoggerMessage(EventId = 3150, EventName = "SessionNodeLeaseExpired", Level = LogLevel.Information,
        Message = "Session {SessionId}: node {NodeId} did not renew its lease; {Connections} connections left presence")]
    public static partial void NodeLeaseExpired(ILogger logger, string sessionId, string nodeId, int connections);

    [LoggerMessage(EventId = 3151, EventName = "SessionObserverDropped", Level = LogLevel.Debug,
        Message = "Session {SessionId}: a push to node {NodeId} failed; its subscription was dropped until it renews")]
    public static partial void ObserverDropped(ILogger logger, Exception exception, string sessionId, string nodeId);
}
