using Actors.Runtime.Storage;
using Microsoft.Extensions.Logging;

namespace Actors.Runtime.Postgres;

/// <summary>
/// Log messages of the PostgreSQL provider. Event ids are stable: 1000–1099 storage, 1100–1199 migrations,
/// 1200–1299 membership table, 1300–1399 reminder table.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1501, EventName = "PostgresStorageUnreachable", Level = LogLevel.Warning,
        Message = "Grain storage '{StorageName}' (PostgreSQL) is unreachable during {Operation} of {Key}; the connection pool was cleared")]
    public static partial void StorageUnreachable(ILogger logger, Exception exception, string storageName, string operation, GrainStateKey key);

    [LoggerMessage(EventId = 1502, EventName = "PostgresStorageFailed", Level = LogLevel.Error,
        Message = "Grain storage '{StorageName}' (PostgreSQL) failed during {Operation} of {Key}")]
    public static partial void StorageFailed(ILogger logger, Exception exception, string storageName, string operation, GrainStateKey key);

    [LoggerMessage(EventId = 1503, EventName = "PostgresStorageStaleConnection", Level = LogLevel.Information,
        Message = "Grain storage '{StorageName}' (PostgreSQL) found a broken pooled connection during {Operation} of {Key}; retrying once on a new connection")]
    public static partial void RetryingOnNewConnection(ILogger logger, Exception exception, string storageName, string operation, GrainStateKey key);

    [LoggerMessage(EventId = 1504, EventName = "PostgresStorageETagConflict", Level = LogLevel.Debug,
        Message = "Grain storage '{StorageName}' (PostgreSQL): {Operation} of {Key} expected ETag {ExpectedETag} but found {StoredETag}")]
    public static partial void ETagConflict(ILogger logger, string storageName, string operation, GrainStateKey key, string expectedETag, string storedETag);

    [LoggerMessage(EventId = 1601, EventName = "PostgresMigrationApplied", Level = LogLevel.Information,
        Message = "Applied PostgreSQL migration {Component} {Version} '{MigrationName}' in {ElapsedMilliseconds} ms")]
    public static partial void MigrationApplied(ILogger logger, string component, int version, string migrationName, long elapsedMilliseconds);

    [LoggerMessage(EventId = 1602, EventName = "PostgresMigrationsUpToDate", Level = LogLevel.Debug,
        Message = "PostgreSQL schema of {Component} is up to date ({Count} migrations)")]
    public static partial void MigrationsUpToDate(ILogger logger, string component, int count);

    [LoggerMessage(EventId = 1603, EventName = "PostgresMigrationNameMismatch", Level = LogLevel.Warning,
        Message = "PostgreSQL migration {Component} {Version} was applied as '{AppliedName}' but is now named '{MigrationName}'; it is not applied again")]
    public static partial void MigrationNameMismatch(ILogger logger, string component, int version, string appliedName, string migrationName);

    [LoggerMessage(EventId = 1604, EventName = "PostgresMigrationsSkipped", Level = LogLevel.Information,
        Message = "{Subject}: schema migrations are not applied at startup (ApplyMigrations is false)")]
    public static partial void MigrationsSkipped(ILogger logger, string subject);

    [LoggerMessage(EventId = 1605, EventName = "PostgresMigrationUnknownVersions", Level = LogLevel.Information,
        Message = "PostgreSQL schema of {Component} has {Count} applied migrations this build does not know (a newer build applied them)")]
    public static partial void MigrationUnknownVersions(ILogger logger, string component, int count);

    [LoggerMessage(EventId = 1606, EventName = "PostgresMigrationsShared", Level = LogLevel.Debug,
        Message = "{Subject} uses the same PostgreSQL database as {MigratedBy}: its schema migrations were applied once for both")]
    public static partial void MigrationsShared(ILogger logger, string subject, string migratedBy);

    [LoggerMessage(EventId = 1701, EventName = "PostgresMembershipUnreachable", Level = LogLevel.Warning,
        Message = "Membership table (PostgreSQL) of cluster '{ClusterId}' is unreachable during {Operation}; the connection pool was cleared")]
    public static partial void MembershipUnreachable(ILogger logger, Exception exception, string clusterId, string operation);

    [LoggerMessage(EventId = 1702, EventName = "PostgresMembershipFailed", Level = LogLevel.Error,
        Message = "Membership table (PostgreSQL) of cluster '{ClusterId}' failed during {Operation}")]
    public static partial void MembershipFailed(ILogger logger, Exception exception, string clusterId, string operation);

    [LoggerMessage(EventId = 1703, EventName = "PostgresMembershipStaleConnection", Level = LogLevel.Information,
        Message = "Membership table (PostgreSQL) of cluster '{ClusterId}' found a broken pooled connection during {Operation}; retrying once on a new connection")]
    public static partial void MembershipRetryingOnNewConnection(ILogger logger, Exception exception, string clusterId, string operation);

    [LoggerMessage(EventId = 1704, EventName = "PostgresMembershipVersionConflict", Level = LogLevel.Debug,
        Message = "Membership table (PostgreSQL) of cluster '{ClusterId}': {Operation} expected table version {ExpectedVersion}, which is no longer current")]
    public static partial void MembershipVersionConflict(ILogger logger, string clusterId, string operation, long expectedVersion);

    [LoggerMessage(EventId = 1705, EventName = "PostgresMembershipRowExists", Level = LogLevel.Debug,
        Message = "Membership table (PostgreSQL) of cluster '{ClusterId}': {Operation} found the silo already in the table")]
    public static partial void MembershipRowExists(ILogger logger, string clusterId, string operation);

    [LoggerMessage(EventId = 1706, EventName = "PostgresMembershipETagConflict", Level = LogLevel.Debug,
        Message = "Membership table (PostgreSQL) of cluster '{ClusterId}': {Operation} found no row at ETag {ExpectedETag}")]
    public static partial void MembershipETagConflict(ILogger logger, string clusterId, string operation, string expectedETag);

    [LoggerMessage(EventId = 1801, EventName = "PostgresRemindersUnreachable", Level = LogLevel.Warning,
        Message = "Reminder table (PostgreSQL) of cluster '{ClusterId}' is unreachable during {Operation}; the connection pool was cleared")]
    public static partial void RemindersUnreachable(ILogger logger, Exception exception, string clusterId, string operation);

    [LoggerMessage(EventId = 1802, EventName = "PostgresRemindersFailed", Level = LogLevel.Error,
        Message = "Reminder table (PostgreSQL) of cluster '{ClusterId}' failed during {Operation}")]
    public static partial void RemindersFailed(ILogger logger, Exception exception, string clusterId, string operation);

    [LoggerMessage(EventId = 1803, EventName = "PostgresRemindersStaleConnection", Level = LogLevel.Information,
        Message = "Reminder table (PostgreSQL) of cluster '{ClusterId}' found a broken pooled connection during {Operation}; retrying once on a new connection")]
    public static partial void RemindersRetryingOnNewConnection(ILogger logger, Exception exception, string clusterId, string operation);

    [LoggerMessage(EventId = 1804, EventName = "PostgresReminderETagConflict", Level = LogLevel.Debug,
        Message = "Reminder table (PostgreSQL) of cluster '{ClusterId}': {Operation} found no reminder with ETag {ExpectedETag}")]
    public static partial void ReminderETagConflict(ILogger logger, string clusterId, string operation, string expectedETag);
}
