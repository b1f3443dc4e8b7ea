using System.Buffers;
using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using Actors.Runtime.Membership;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;

namespace Actors.Runtime.Postgres;

/// <summary>
/// The membership table of one cluster in PostgreSQL: <c>actors_membership_version</c> holds the
/// cluster's table version and <c>actors_membership</c> one row per silo. An insert or update runs in
/// one transaction that first bumps the version only if it is still the expected one
/// (<c>UPDATE … WHERE version = @expected</c>; the row lock makes concurrent writers of one cluster
/// queue, and all but the first then find the version moved on) and then writes the row, the update
/// only if its ETag still matches; any mismatch rolls everything back and returns false. ETags come
/// from the sequence <c>actors_membership_etag_seq</c> and never repeat. Heartbeats write
/// <c>i_am_alive_at</c> alone. Timestamps are kept in UTC at microsecond precision; suspicions as a
/// jsonb array of <c>{"by": "host:port@generation", "at": "…"}</c>. A server that cannot be reached
/// surfaces as <see cref="GrainStorageException"/>.
/// </summary>
public sealed class PostgresMembershipTable : IMembershipTable
{
    private const string InitializeSql =
        "INSERT INTO actors_membership_version (cluster_id, version, updated_at) VALUES ($1, 0, now()) " +
        "ON CONFLICT DO NOTHING";

    // One statement, so the version and the rows come from one snapshot.
    private const string ReadAllSql =
        "SELECT v.version, m.host, m.port, m.generation, m.silo_name, m.status, m.gateway_port, m.http_port, " +
        "m.started_at, m.i_am_alive_at, m.suspicions::text, m.etag " +
        "FROM actors_membership_version v " +
        "LEFT JOIN actors_membership m ON m.cluster_id = v.cluster_id " +
        "WHERE v.cluster_id = $1 ORDER BY m.silo_address COLLATE \"C\"";

    private const string BumpVersionSql =
        "UPDATE actors_membership_version SET version = version + 1, updated_at = now() " +
        "WHERE cluster_id = $1 AND version = $2";

    private const string InsertSql =
        "INSERT INTO actors_membership (cluster_id, silo_address, host, port, generation, silo_name, status, " +
        "gateway_port, http_port, started_at, i_am_alive_at, suspicions, etag) " +
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, nextval('actors_membership_etag_seq')) " +
        "ON CONFLICT DO NOTHING";

    private const string UpdateSql =
        "UPDATE actors_membership SET silo_name = $6, status = $7, gateway_port = $8, http_port = $9, " +
        "started_at = $10, i_am_alive_at = $11, suspicions = $12, etag = nextval('actors_membership_etag_seq') " +
        "WHERE cluster_id = $1 AND silo_address = $2 AND host = $3 AND port = $4 AND generation = $5 AND etag = $13";

    private const string IAmAliveSql =
        "UPDATE actors_membership SET i_am_alive_at = $3 WHERE cluster_id = $1 AND silo_address = $2";

    private const string CleanupSql =
        "DELETE FROM actors_membership WHERE cluster_id = $1 AND status = $2 AND i_am_alive_at < $3";

    private readonly PostgresTableExecutor _executor;
    private readonly ILogger _logger;

    /// <param name="dataSource">The data source; see <see cref="PostgresDataSourceFactory"/>.</param>
    /// <param name="clusterId">The cluster whose rows this table reads and writes.</param>
    /// <param name="logger">Optional logger.</param>
    public PostgresMembershipTable(NpgsqlDataSource dataSource, string clusterId, ILogger<PostgresMembershipTable>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterId);
        ClusterId = clusterId;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _executor = new PostgresTableExecutor(
            dataSource,
            $"Membership table (PostgreSQL) of cluster '{clusterId}'",
            clusterId,
            _logger,
            new PostgresTableFailureLog(Log.MembershipUnreachable, Log.MembershipFailed, Log.MembershipRetryingOnNewConnection));
    }

    public string ClusterId { get; }

    public Task InitializeAsync(CancellationToken cancellationToken) =>
        _executor.ExecuteAsync("initialize the cluster's version row", async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand(InitializeSql, connection);
            command.Parameters.Add(PostgresValues.Text(ClusterId));
            await command.ExecuteNonQueryAsync(ct);
            return true;
        }, cancellationToken);

    public Task<MembershipSnapshot> ReadAllAsync(CancellationToken cancellationToken) =>
        _executor.ExecuteAsync("read the table", async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand(ReadAllSql, connection);
            command.Parameters.Add(PostgresValues.Text(ClusterId));
            await using var reader = await command.ExecuteReaderAsync(ct);
            long? version = null;
            var entries = new List<VersionedMembershipEntry>();
            while (await reader.ReadAsync(ct))
            {
                version = reader.GetInt64(0);
                if (!await reader.IsDBNullAsync(1, ct))
                {
                    entries.Add(ReadEntry(reader));
                }
            }

            // No version row: the cluster was never initialized.
            return version is null ? MembershipSnapshot.Empty : new MembershipSnapshot(entries, version.Value);
        }, cancellationToken);

    public Task<bool> InsertRowAsync(MembershipEntry entry, long expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(entry.Address);
        var operation = $"insert silo {entry.Address}";
        return _executor.ExecuteAsync(operation, async (connection, ct) =>
        {
            await using var transaction = await connection.BeginTransactionAsync(ct);
            if (!await TryBumpVersionAsync(connection, transaction, expectedVersion, operation, ct))
            {
                return false;
            }

            await using var insert = EntryCommand(InsertSql, connection, transaction, entry);
            if (await insert.ExecuteNonQueryAsync(ct) != 1)
            {
                Log.MembershipRowExists(_logger, ClusterId, operation);
                return false; // Disposing the transaction rolls the version bump back.
            }

            await transaction.CommitAsync(ct);
            return true;
        }, cancellationToken);
    }

    public Task<bool> UpdateRowAsync(MembershipEntry entry, string expectedETag, long expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(entry.Address);
        ArgumentNullException.ThrowIfNull(expectedETag);
        var operation = $"update silo {entry.Address}";
        if (!PostgresValues.TryParseETag(expectedETag, out var etag))
        {
            Log.MembershipETagConflict(_logger, ClusterId, operation, expectedETag);
            return Task.FromResult(false); // Not an ETag this table issued: it cannot match.
        }

        return _executor.ExecuteAsync(operation, async (connection, ct) =>
        {
            await using var transaction = await connection.BeginTransactionAsync(ct);
            if (!await TryBumpVersionAsync(connection, transaction, expectedVersion, operation, ct))
            {
                return false;
            }

            await using var update = EntryCommand(UpdateSql, connection, transaction, entry);
            update.Parameters.Add(PostgresValues.Int64(etag));
            if (await update.ExecuteNonQueryAsync(ct) != 1)
            {
                Log.MembershipETagConflict(_logger, ClusterId, operation, expectedETag);
                return false;
            }

            await transaction.CommitAsync(ct);
            return true;
        }, cancellationToken);
    }

    public Task UpdateIAmAliveAsync(SiloAddress silo, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(silo);
        return _executor.ExecuteAsync($"write the heartbeat of silo {silo}", async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand(IAmAliveSql, connection);
            command.Parameters.Add(PostgresValues.Text(ClusterId));
            command.Parameters.Add(PostgresValues.Text(silo.ToString()));
            command.Parameters.Add(PostgresValues.Time(at));
            return await command.ExecuteNonQueryAsync(ct);
        }, cancellationToken);
    }

    public Task CleanupDeadAsync(DateTimeOffset olderThan, CancellationToken cancellationToken) =>
        _executor.ExecuteAsync("delete dead silos", async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand(CleanupSql, connection);
            command.Parameters.Add(PostgresValues.Text(ClusterId));
            command.Parameters.Add(new NpgsqlParameter<short> { TypedValue = (short)SiloStatus.Dead });
            command.Parameters.Add(PostgresValues.Time(olderThan));
            return await command.ExecuteNonQueryAsync(ct);
        }, cancellationToken);

    private async Task<bool> TryBumpVersionAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long expectedVersion, string operation, CancellationToken ct)
    {
        await using var bump = new NpgsqlCommand(BumpVersionSql, connection, transaction);
        bump.Parameters.Add(PostgresValues.Text(ClusterId));
        bump.Parameters.Add(PostgresValues.Int64(expectedVersion));
        if (await bump.ExecuteNonQueryAsync(ct) == 1)
        {
            return true;
        }

        Log.MembershipVersionConflict(_logger, ClusterId, operation, expectedVersion);
        return false;
    }

    /// <summary>A command with parameters $1–$12: the key columns, then every other column but the ETag.</summary>
    private NpgsqlCommand EntryCommand(string sql, NpgsqlConnection connection, NpgsqlTransaction transaction, MembershipEntry entry)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.Add(PostgresValues.Text(ClusterId));
        command.Parameters.Add(PostgresValues.Text(entry.Address.ToString()));
        command.Parameters.Add(PostgresValues.Text(entry.Address.Host));
        command.Parameters.Add(PostgresValues.Int32(entry.Address.Port));
        command.Parameters.Add(PostgresValues.Int64(entry.Address.Generation));
        command.Parameters.Add(PostgresValues.Text(entry.SiloName ?? string.Empty));
        command.Parameters.Add(new NpgsqlParameter<short> { TypedValue = (short)entry.Status });
        command.Parameters.Add(PostgresValues.Int32(entry.GatewayPort));
        command.Parameters.Add(PostgresValues.Int32(entry.HttpPort));
        command.Parameters.Add(PostgresValues.Time(entry.StartedAt));
        command.Parameters.Add(PostgresValues.Time(entry.IAmAliveAt));
        command.Parameters.Add(new NpgsqlParameter<string>
        {
            NpgsqlDbType = NpgsqlDbType.Jsonb,
            TypedValue = WriteSuspicions(entry.Suspicions ?? []),
        });
        return command;
    }

    private static VersionedMembershipEntry ReadEntry(NpgsqlDataReader reader)
    {
        var entry = new MembershipEntry
        {
            Address = new SiloAddress(reader.GetString(1), reader.GetInt32(2), reader.GetInt64(3)),
            SiloName = reader.GetString(4),
            Status = (SiloStatus)reader.GetInt16(5),
            GatewayPort = reader.GetInt32(6),
            HttpPort = reader.GetInt32(7),
            StartedAt = reader.GetFieldValue<DateTimeOffset>(8),
            IAmAliveAt = reader.GetFieldValue<DateTimeOffset>(9),
            Suspicions = ReadSuspicions(reader.GetString(10)),
        };
        return new VersionedMembershipEntry(entry, PostgresValues.FormatETag(reader.GetInt64(11)));
    }

    /// <summary>[{"by": "host:port@generation", "at": "2030-01-02T03:04:05.1234567+00:00"}, …], times in UTC at full precision.</summary>
    internal static string WriteSuspicions(IEnumerable<SuspicionVote> votes)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var vote in votes)
            {
                writer.WriteStartObject();
                writer.WriteString("by", vote.By.ToString());
                writer.WriteString("at", vote.At.ToUniversalTime());
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    internal static ImmutableList<SuspicionVote> ReadSuspicions(string json)
    {
        using var document = JsonDocument.Parse(json);
        var votes = ImmutableList.CreateBuilder<SuspicionVote>();
        foreach (var vote in document.RootElement.EnumerateArray())
        {
            votes.Add(new SuspicionVote(
                SiloAddress.Parse(vote.GetProperty("by").GetString()!),
                vote.GetProperty("at").GetDateTimeOffset().ToUniversalTime()));
        }

        return votes.ToImmutable();
    }
}
