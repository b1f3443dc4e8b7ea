using Actors.Runtime.Storage;
using Microsoft.Extensions.Logging;

namespace Actors.Runtime.Postgres;

/// <summary>
/// Log messages of the PostgreSQL provider. Event ids are stable: 1000–1099 storage, 1100–1199 migrations.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1001, EventName = "PostgresStorageUnreachable", Level = LogLevel.Warning,
        Message = "Grain storage '{StorageName}' (PostgreSQL) is unreachable during {Operation} of {Key}; the connection pool was cleared")]
    public static partial void StorageUnreachable(ILogger logger, Exception exception, string storageName, string operation, GrainStateKey key);

    [LoggerMessage(EventId = 1002, EventName = "PostgresStorageFailed", Level = LogLevel.Error,
        Message = "Grain storage '{StorageName}' (PostgreSQL) failed during {Operation} of {Key}")]
    public static partial void StorageFailed(ILogger logger, Exception exception, string storageName, string operation, GrainStateKey key);

    [LoggerMessage(EventId = 1003, EventName = "PostgresStorageStaleConnection", Level = LogLevel.Information,
        Message = "Grain storage '{StorageName}' (PostgreSQL) found a broken pooled connection during {Operation} of {Key}; retrying once on a new connection")]
    public static partial void RetryingOnNewConnection(ILogger logger, Exception exception, string storageName, string operation, GrainStateKey key);

    [LoggerMessage(EventId = 1004, EventName = "PostgresStorageETagConflict", Level = LogLevel.Debug,
        Message = "Grain storage '{StorageName}' (PostgreSQL): {Operation} of {Key} expected ETag {ExpectedETag} but found {StoredETag}")]
    public static partial void ETagConflict(ILogger logger, string storageName, string operation, GrainStateKey key, string expectedETag, string storedETag);

    [LoggerMessage(EventId = 1101, EventName = "PostgresMigrationApplied", Level = LogLevel.Information,
        Message = "Applied PostgreSQL migration {Component} {Version} '{MigrationName}' in {ElapsedMilliseconds} ms")]
    public static partial void MigrationApplied(ILogger logger, string component, int version, string migrationName, long elapsedMilliseconds);

    [LoggerMessage(EventId = 1102, EventName = "PostgresMigrationsUpToDate", Level = LogLevel.Debug,
        Message = "PostgreSQL schema of {Component} is up to date ({Count} migrations)")]
    public static partial void MigrationsUpToDate(ILogger logger, string component, int count);

    [LoggerMessage(EventId = 1103, EventName = "PostgresMigrationNameMismatch", Level = LogLevel.Warning,
        Message = "PostgreSQL migration {Component} {Version} was applied as '{AppliedName}' but is now named '{MigrationName}'; it is not applied again")]
    public static partial void MigrationNameMismatch(ILogger logger, string component, int version, string appliedName, string migrationName);

    [LoggerMessage(EventId = 1104, EventName = "PostgresMigrationsSkipped", Level = LogLevel.Information,
        Message = "Grain storage '{StorageName}' (PostgreSQL): schema migrations are not applied at startup (ApplyMigrations is false)")]
    public static partial void MigrationsSkipped(ILogger logger, string storageName);

    [LoggerMessage(EventId = 1105, EventName = "PostgresMigrationUnknownVersions", Level = LogLevel.Information,
        Message = "PostgreSQL schema of {Component} has {Count} applied migrations this build does not know (a newer build applied them)")]
    public static partial void MigrationUnknownVersions(ILogger logger, string component, int count);
}
