using Actors.Runtime.Reminders;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Actors.Runtime.Postgres;

/// <summary>
/// The reminder table of one cluster in PostgreSQL (<c>actors_reminders</c>), keyed by grain type,
/// grain key and reminder name. <c>grain_hash</c> holds <see cref="StableHash.Of(GrainId)"/> (as a
/// non-negative bigint) and is indexed with the cluster id, so a silo reads the reminders of the ring
/// range it owns. ETags come from the sequence <c>actors_reminders_etag_seq</c> and never repeat, not
/// even after a remove. Start times are kept in UTC at microsecond precision, periods in whole
/// milliseconds. A server that cannot be reached surfaces as <see cref="GrainStorageException"/>.
/// </summary>
public sealed class PostgresReminderTable : IReminderTable
{
    private const string Columns = "grain_type, grain_key, name, start_at, period_ms, etag";

    private const string OrderBy =
        " ORDER BY grain_hash, grain_type COLLATE \"C\", grain_key COLLATE \"C\", name COLLATE \"C\"";

    private const string CheckSql = "SELECT count(*) FROM actors_reminders WHERE false";

    private const string ReadInsideRangeSql =
        "SELECT " + Columns + " FROM actors_reminders WHERE cluster_id = $1 AND grain_hash > $2 AND grain_hash <= $3" + OrderBy;

    private const string ReadWrappingRangeSql =
        "SELECT " + Columns + " FROM actors_reminders WHERE cluster_id = $1 AND (grain_hash > $2 OR grain_hash <= $3)" + OrderBy;

    private const string ReadGrainSql =
        "SELECT " + Columns + " FROM actors_reminders WHERE cluster_id = $1 AND grain_type = $2 AND grain_key = $3" + OrderBy;

    private const string ReadOneSql =
        "SELECT " + Columns + " FROM actors_reminders WHERE cluster_id = $1 AND grain_type = $2 AND grain_key = $3 AND name = $4";

    private const string UpsertSql =
        "INSERT INTO actors_reminders (cluster_id, grain_type, grain_key, name, grain_hash, start_at, period_ms, etag) " +
        "VALUES ($1, $2, $3, $4, $5, $6, $7, nextval('actors_reminders_etag_seq')) " +
        "ON CONFLICT (cluster_id, grain_type, grain_key, name) DO UPDATE SET grain_hash = excluded.grain_hash, " +
        "start_at = excluded.start_at, period_ms = excluded.period_ms, etag = excluded.etag " +
        "RETURNING etag";

    private const string RemoveSql =
        "DELETE FROM actors_reminders WHERE cluster_id = $1 AND grain_type = $2 AND grain_key = $3 AND name = $4 AND etag = $5";

    private readonly PostgresTableExecutor _executor;
    private readonly ILogger _logger;

    /// <param name="dataSource">The data source; see <see cref="PostgresDataSourceFactory"/>.</param>
    /// <param name="clusterId">The cluster whose reminders this table reads and writes.</param>
    /// <param name="logger">Optional logger.</param>
    public PostgresReminderTable(NpgsqlDataSource dataSource, string clusterId, ILogger<PostgresReminderTable>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterId);
        ClusterId = clusterId;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _executor = new PostgresTableExecutor(
            dataSource,
            $"Reminder table (PostgreSQL) of cluster '{clusterId}'",
            clusterId,
            _logger,
            new PostgresTableFailureLog(Log.RemindersUnreachable, Log.RemindersFailed, Log.RemindersRetryingOnNewConnection));
    }

    public string ClusterId { get; }

    /// <summary>Checks that the server answers and the table exists (the schema migrations create it).</summary>
    public Task InitializeAsync(CancellationToken cancellationToken) =>
        _executor.ExecuteAsync("initialize", async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand(CheckSql, connection);
            return await command.ExecuteScalarAsync(ct);
        }, cancellationToken);

    public Task<IReadOnlyList<ReminderEntry>> ReadRangeAsync(uint begin, uint end, CancellationToken cancellationToken) =>
        _executor.ExecuteAsync($"read the range ({begin}, {end}]", async (connection, ct) =>
        {
            // begin ≥ end wraps around the ring; begin == end is then the whole ring.
            await using var command = new NpgsqlCommand(begin < end ? ReadInsideRangeSql : ReadWrappingRangeSql, connection);
            command.Parameters.Add(PostgresValues.Text(ClusterId));
            command.Parameters.Add(PostgresValues.Int64(begin));
            command.Parameters.Add(PostgresValues.Int64(end));
            return await ReadAllAsync(command, ct);
        }, cancellationToken);

    public Task<IReadOnlyList<ReminderEntry>> ReadAsync(GrainId grainId, CancellationToken cancellationToken) =>
        _executor.ExecuteAsync($"read the reminders of {grainId}", async (connection, ct) =>
        {
            await using var command = GrainCommand(ReadGrainSql, connection, grainId);
            return await ReadAllAsync(command, ct);
        }, cancellationToken);

    public Task<ReminderEntry?> ReadAsync(GrainId grainId, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _executor.ExecuteAsync($"read reminder '{name}' of {grainId}", async (connection, ct) =>
        {
            await using var command = GrainCommand(ReadOneSql, connection, grainId);
            command.Parameters.Add(PostgresValues.Text(name));
            return (await ReadAllAsync(command, ct)).SingleOrDefault();
        }, cancellationToken);
    }

    public Task<string> UpsertAsync(ReminderEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentException.ThrowIfNullOrEmpty(entry.GrainId.Type, nameof(entry));
        ArgumentNullException.ThrowIfNull(entry.GrainId.Key, nameof(entry));
        ArgumentException.ThrowIfNullOrEmpty(entry.Name, nameof(entry));
        ArgumentOutOfRangeException.ThrowIfLessThan(entry.Period, TimeSpan.Zero, nameof(entry));
        return _executor.ExecuteAsync($"write reminder '{entry.Name}' of {entry.GrainId}", async (connection, ct) =>
        {
            await using var command = GrainCommand(UpsertSql, connection, entry.GrainId);
            command.Parameters.Add(PostgresValues.Text(entry.Name));
            command.Parameters.Add(PostgresValues.Int64(entry.GrainHash));
            command.Parameters.Add(PostgresValues.Time(entry.StartAt));
            command.Parameters.Add(PostgresValues.Int64(entry.Period.Ticks / TimeSpan.TicksPerMillisecond));
            var etag = (long)(await command.ExecuteScalarAsync(ct))!;
            return PostgresValues.FormatETag(etag);
        }, cancellationToken);
    }

    public Task<bool> RemoveAsync(GrainId grainId, string name, string eTag, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(eTag);
        var operation = $"remove reminder '{name}' of {grainId}";
        if (!PostgresValues.TryParseETag(eTag, out var etag))
        {
            Log.ReminderETagConflict(_logger, ClusterId, operation, eTag);
            return Task.FromResult(false); // Not an ETag this table issued: it cannot match.
        }

        return _executor.ExecuteAsync(operation, async (connection, ct) =>
        {
            await using var command = GrainCommand(RemoveSql, connection, grainId);
            command.Parameters.Add(PostgresValues.Text(name));
            command.Parameters.Add(PostgresValues.Int64(etag));
            if (await command.ExecuteNonQueryAsync(ct) == 1)
            {
                return true;
            }

            Log.ReminderETagConflict(_logger, ClusterId, operation, eTag);
            return false;
        }, cancellationToken);
    }

    private NpgsqlCommand GrainCommand(string sql, NpgsqlConnection connection, GrainId grainId)
    {
        var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(PostgresValues.Text(ClusterId));
        command.Parameters.Add(PostgresValues.Text(grainId.Type));
        command.Parameters.Add(PostgresValues.Text(grainId.Key));
        return command;
    }

    private static async Task<IReadOnlyList<ReminderEntry>> ReadAllAsync(NpgsqlCommand command, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(ct);
        var entries = new List<ReminderEntry>();
        while (await reader.ReadAsync(ct))
        {
            entries.Add(new ReminderEntry(
                new GrainId(reader.GetString(0), reader.GetString(1)),
                reader.GetString(2),
                reader.GetFieldValue<DateTimeOffset>(3),
                TimeSpan.FromTicks(reader.GetInt64(4) * TimeSpan.TicksPerMillisecond))
            {
                ETag = PostgresValues.FormatETag(reader.GetInt64(5)),
            });
        }

        return entries;
    }
}
