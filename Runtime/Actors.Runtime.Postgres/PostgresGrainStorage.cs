using System.Data;
using System.Globalization;
using Actors.Runtime.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;

namespace Actors.Runtime.Postgres;

/// <summary>
/// Grain storage in the PostgreSQL table <c>actors_grain_state</c>, with optimistic concurrency on
/// ETags drawn from the sequence <c>actors_grain_state_etag_seq</c> (so an ETag never repeats for a
/// key, even after a clear). Failures to reach the server surface as <see cref="GrainStorageException"/>;
/// the connection pool is then cleared so that calls work again as soon as the server is back.
/// </summary>
public sealed class PostgresGrainStorage : IGrainStorage
{
    private const string ReadSql =
        "SELECT state::text, schema_version, etag FROM actors_grain_state " +
        "WHERE grain_type = $1 AND grain_key = $2 AND state_name = $3";

    private const string ReadETagSql =
        "SELECT etag FROM actors_grain_state WHERE grain_type = $1 AND grain_key = $2 AND state_name = $3";

    private const string InsertSql =
        "INSERT INTO actors_grain_state (grain_type, grain_key, state_name, etag, schema_version, state) " +
        "VALUES ($1, $2, $3, nextval('actors_grain_state_etag_seq'), $4, $5) " +
        "ON CONFLICT DO NOTHING RETURNING etag";

    private const string UpdateSql =
        "UPDATE actors_grain_state SET etag = nextval('actors_grain_state_etag_seq'), schema_version = $4, " +
        "state = $5, updated_at = now() " +
        "WHERE grain_type = $1 AND grain_key = $2 AND state_name = $3 AND etag = $6 RETURNING etag";

    private const string DeleteSql =
        "DELETE FROM actors_grain_state WHERE grain_type = $1 AND grain_key = $2 AND state_name = $3 AND etag = $4";

    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger _logger;

    /// <param name="name">The provider name (e.g. "Default"); it appears in error messages.</param>
    /// <param name="dataSource">The data source; see <see cref="PostgresDataSourceFactory"/>.</param>
    /// <param name="logger">Optional logger.</param>
    public PostgresGrainStorage(string name, NpgsqlDataSource dataSource, ILogger<PostgresGrainStorage>? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(dataSource);
        Name = name;
        _dataSource = dataSource;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    public string Name { get; }

    public Task<StoredGrainState?> ReadAsync(GrainStateKey key, CancellationToken cancellationToken) =>
        ExecuteAsync("read", key, async (connection, ct) =>
        {
            await using var command = Command(connection, ReadSql, key);
            await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SingleRow, ct);
            if (!await reader.ReadAsync(ct))
            {
                return null;
            }

            return new StoredGrainState(reader.GetString(0), reader.GetInt32(1), FormatETag(reader.GetInt64(2)));
        }, cancellationToken);

    public Task<string> WriteAsync(
        GrainStateKey key, string json, int schemaVersion, string? expectedETag, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(json);
        return ExecuteAsync("write", key, async (connection, ct) =>
        {
            long? newETag;
            if (expectedETag is null)
            {
                await using var insert = Command(connection, InsertSql, key);
                insert.Parameters.Add(new NpgsqlParameter<int> { TypedValue = schemaVersion });
                insert.Parameters.Add(new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Jsonb, TypedValue = json });
                newETag = (long?)await insert.ExecuteScalarAsync(ct);
            }
            else if (TryParseETag(expectedETag, out var expected))
            {
                await using var update = Command(connection, UpdateSql, key);
                update.Parameters.Add(new NpgsqlParameter<int> { TypedValue = schemaVersion });
                update.Parameters.Add(new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Jsonb, TypedValue = json });
                update.Parameters.Add(new NpgsqlParameter<long> { TypedValue = expected });
                newETag = (long?)await update.ExecuteScalarAsync(ct);
            }
            else
            {
                newETag = null; // Not an ETag this provider issued: it cannot match.
            }

            if (newETag is null)
            {
                throw await ConflictAsync(connection, "write", key, expectedETag, ct);
            }

            return FormatETag(newETag.Value);
        }, cancellationToken);
    }

    public Task ClearAsync(GrainStateKey key, string? expectedETag, CancellationToken cancellationToken) =>
        ExecuteAsync("clear", key, async (connection, ct) =>
        {
            if (expectedETag is not null && TryParseETag(expectedETag, out var expected))
            {
                await using var delete = Command(connection, DeleteSql, key);
                delete.Parameters.Add(new NpgsqlParameter<long> { TypedValue = expected });
                if (await delete.ExecuteNonQueryAsync(ct) == 1)
                {
                    return true;
                }

                throw await ConflictAsync(connection, "clear", key, expectedETag, ct);
            }

            // Expecting no record: nothing to delete when there is none, a conflict when there is one.
            var stored = await ReadETagAsync(connection, key, ct);
            if (expectedETag is null && stored is null)
            {
                return true;
            }

            throw Conflict("clear", key, expectedETag, stored);
        }, cancellationToken);

    private async Task<T> ExecuteAsync<T>(
        string operation,
        GrainStateKey key,
        Func<NpgsqlConnection, CancellationToken, Task<T>> action,
        CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var opened = false;
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
                opened = true;
                return await action(connection, cancellationToken);
            }
            catch (Exception ex) when (PostgresErrors.IsStorageFailure(ex) && !cancellationToken.IsCancellationRequested)
            {
                if (!PostgresErrors.IsUnreachable(ex))
                {
                    Log.StorageFailed(_logger, ex, Name, operation, key);
                    throw new GrainStorageException(
                        $"Grain storage '{Name}' (PostgreSQL) failed to {operation} {key}: {PostgresErrors.Describe(ex)}", ex);
                }

                // Pooled connections to a server that went away are all dead: drop them, so that the
                // next call opens fresh ones (and succeeds as soon as the server is back).
                _dataSource.Clear();
                // A pooled connection the server closed while idle (it restarted, say) fails on first
                // use; one retry on a new connection hides that. It is safe for writes and clears too:
                // they are conditional on the ETag, so one that did commit before the connection broke
                // makes the retry fail with InconsistentStateException rather than apply twice.
                if (opened && attempt == 1 && PostgresErrors.IsBrokenConnection(ex))
                {
                    Log.RetryingOnNewConnection(_logger, ex, Name, operation, key);
                    continue;
                }

                Log.StorageUnreachable(_logger, ex, Name, operation, key);
                throw new GrainStorageException(
                    $"Grain storage '{Name}' (PostgreSQL) is unreachable: {PostgresErrors.Describe(ex)} (while trying to {operation} {key})", ex);
            }
        }
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, GrainStateKey key)
    {
        var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key.GrainType });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key.GrainKey });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key.StateName });
        return command;
    }

    private static async Task<string?> ReadETagAsync(NpgsqlConnection connection, GrainStateKey key, CancellationToken ct)
    {
        await using var command = Command(connection, ReadETagSql, key);
        var stored = (long?)await command.ExecuteScalarAsync(ct);
        return stored is null ? null : FormatETag(stored.Value);
    }

    private async Task<InconsistentStateException> ConflictAsync(
        NpgsqlConnection connection, string operation, GrainStateKey key, string? expectedETag, CancellationToken ct) =>
        Conflict(operation, key, expectedETag, await ReadETagAsync(connection, key, ct));

    private InconsistentStateException Conflict(string operation, GrainStateKey key, string? expectedETag, string? storedETag)
    {
        var expected = expectedETag ?? "none (no record)";
        var stored = storedETag ?? "none (no record)";
        Log.ETagConflict(_logger, Name, operation, key, expected, stored);
        return new InconsistentStateException(
            $"Grain storage '{Name}' (PostgreSQL) refused to {operation} {key}: expected ETag {expected}, stored ETag {stored}.",
            storedETag,
            expectedETag);
    }

    private static string FormatETag(long etag) => etag.ToString(CultureInfo.InvariantCulture);

    private static bool TryParseETag(string etag, out long value) =>
        long.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
