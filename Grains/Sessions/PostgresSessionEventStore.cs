using System.Data;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;

namespace Actors.Grains.Sessions;

/// <summary>
/// Session event logs in the PostgreSQL table <c>actors_session_events</c> (migration
/// <c>Grains/Migrations/0001_session_events.sql</c>, component <c>domain</c>). A batch is one
/// <c>INSERT … SELECT FROM unnest(…)</c>: one statement, one implicit transaction, one round trip,
/// whatever the batch size; batches of several sessions waiting at once share one (see <see cref="AppendAsync"/>). Unreachable servers and failures surface as <see cref="GrainStorageException"/>;
/// a broken connection clears the pool so the next operation works as soon as the server is back.
/// </summary>
public sealed class PostgresSessionEventStore : ISessionEventStore
{
    internal const string PrimaryKey = "actors_session_events_pkey";
    internal const string ClientMsgIdKey = "actors_session_events_client_msg_id_key";

    private const string BoundsSql =
        "SELECT b.first_seq, b.last_seq, " +
        "(SELECT e.at FROM actors_session_events e WHERE e.session_id = $1 AND e.seq = b.first_seq) " +
        "FROM (SELECT min(seq) AS first_seq, max(seq) AS last_seq FROM actors_session_events WHERE session_id = $1) b";

    private const string LastSeqSql = "SELECT coalesce(max(seq), 0) FROM actors_session_events WHERE session_id = $1";

    private const string AppendSql =
        "INSERT INTO actors_session_events (session_id, seq, type, author_id, payload, client_msg_id, at) " +
        "SELECT u.session_id, u.seq, u.type, u.author_id, u.payload::jsonb, u.client_msg_id, u.at " +
        "FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[]) " +
        "AS u(session_id, seq, type, author_id, payload, client_msg_id, at)";

    private const string ReadSql =
        "SELECT seq, type, author_id, payload::text, client_msg_id, at FROM actors_session_events " +
        "WHERE session_id = $1 AND seq > $2 ORDER BY seq LIMIT $3";

    private const string FindSql =
        "SELECT seq, type, author_id, payload::text, client_msg_id, at FROM actors_session_events " +
        "WHERE session_id = $1 AND client_msg_id = ANY($2) ORDER BY seq";

    // Deletes a prefix (by seq) so that retention never leaves holes, even when clocks of silos disagree.
    private const string TrimSql =
        "WITH cut AS (SELECT max(seq) AS upto FROM actors_session_events " +
        "WHERE session_id = $1 AND at < $2 AND seq < $3) " +
        "DELETE FROM actors_session_events e USING cut WHERE e.session_id = $1 AND e.seq <= cut.upto AND e.seq < $3";

    private readonly NpgsqlDataSource dataSource;
    private readonly ILogger logger;
    private readonly Lock appendGate = new();
    private List<PendingAppend> waitingAppends = [];
    private int writers;
    private long commits;
    private long appended;

    public PostgresSessionEventStore(NpgsqlDataSource dataSource, ILogger<PostgresSessionEventStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        this.dataSource = dataSource;
        this.logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    public string Name => "Session event log (PostgreSQL)";

    public long Commits => Interlocked.Read(ref commits);

    public long AppendedEvents => Interlocked.Read(ref appended);

    public Task<SessionLogBounds> GetBoundsAsync(string sessionId, CancellationToken cancellationToken = default) =>
        ExecuteAsync("read bounds", sessionId, retry: true, async (connection, ct) =>
        {
            await using var command = Command(connection, BoundsSql, sessionId);
            await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SingleRow, ct).ConfigureAwait(false);
            if (!await reader.ReadAsync(ct).ConfigureAwait(false) || reader.IsDBNull(1))
            {
                return SessionLogBounds.Empty;
            }

            return new SessionLogBounds(
                reader.GetInt64(0),
                reader.GetInt64(1),
                reader.IsDBNull(2) ? null : ToOffset(reader.GetFieldValue<DateTime>(2)));
        }, cancellationToken);

    public Task<long> GetLastSeqAsync(string sessionId, CancellationToken cancellationToken = default) =>
        ExecuteAsync("read last seq", sessionId, retry: true, async (connection, ct) =>
        {
            await using var command = Command(connection, LastSeqSql, sessionId);
            return (long)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        }, cancellationToken);

    /// <summary>
    /// Appends one session's batch. Batches of different sessions that are waiting at the same time
    /// are written together in one statement (one transaction, one round trip): a second level of
    /// group commit, across sessions, with at most <see cref="MaxConcurrentWrites"/> statements in
    /// flight. A combined statement is all-or-nothing, so each session's batch still is; when it is
    /// refused for a conflict or bad data, it is split in halves and written again, down to the
    /// offending session's own batch, so that only that session gets the error.
    /// </summary>
    public Task AppendAsync(string sessionId, IReadOnlyList<SessionEventRecord> events, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sessionId);
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return Task.CompletedTask;
        }

        var append = new PendingAppend(sessionId, events);
        bool startWriter;
        lock (appendGate)
        {
            waitingAppends.Add(append);
            startWriter = writers < MaxConcurrentWrites;
            if (startWriter)
            {
                writers++;
            }
        }

        if (startWriter)
        {
            _ = RunWriterAsync();
        }

        return append.Completion.Task;
    }

    /// <summary>How many append statements may be in flight at once (each on its own connection).</summary>
    internal const int MaxConcurrentWrites = 4;

    /// <summary>Takes every waiting append and writes them in one statement, until none waits.</summary>
    private async Task RunWriterAsync()
    {
        while (true)
        {
            List<PendingAppend> batch;
            lock (appendGate)
            {
                if (waitingAppends.Count == 0)
                {
                    writers--;
                    return;
                }

                batch = waitingAppends;
                waitingAppends = [];
            }

            await WriteAsync(batch).ConfigureAwait(false);
        }
    }

    private async Task WriteAsync(List<PendingAppend> batch)
    {
        var count = 0;
        foreach (var append in batch)
        {
            count += append.Events.Count;
        }

        var sessions = new string[count];
        var seqs = new long[count];
        var types = new string[count];
        var authors = new string?[count];
        var payloads = new string[count];
        var clientMsgIds = new string?[count];
        var ats = new DateTime[count];
        var i = 0;
        foreach (var append in batch)
        {
            foreach (var e in append.Events)
            {
                sessions[i] = append.SessionId;
                seqs[i] = e.Seq;
                types[i] = e.Type;
                authors[i] = e.AuthorId;
                payloads[i] = e.Payload;
                clientMsgIds[i] = e.ClientMsgId;
                ats[i] = e.At.UtcDateTime;
                i++;
            }
        }

        var subject = batch.Count == 1 ? batch[0].SessionId : $"{batch[0].SessionId} and {batch.Count - 1} other sessions";
        try
        {
            // Never retried here: a failure after the server received the statement leaves the outcome
            // unknown, and only the session grain can find out and decide.
            await ExecuteAsync("append", subject, retry: false, async (connection, ct) =>
            {
                await using var command = new NpgsqlCommand(AppendSql, connection);
                command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = sessions });
                command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = seqs });
                command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = types });
                command.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = authors, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
                command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = payloads });
                command.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = clientMsgIds, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
                command.Parameters.Add(new NpgsqlParameter<DateTime[]> { TypedValue = ats, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
                try
                {
                    await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }
                catch (PostgresException refused) when (refused.SqlState == PostgresErrorCodes.UniqueViolation || IsInvalidData(refused))
                {
                    // An answer about the data, not a failure of the store.
                    throw new AppendRefusedException(refused);
                }

                return 0;
            }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (AppendRefusedException refused)
        {
            var ex = refused.Refusal;
            if (batch.Count > 1)
            {
                // Which session collided? Split and write the halves again, down to the offending
                // session's own batch: only it fails, the others are written.
                var half = batch.Count / 2;
                await Task.WhenAll(WriteAsync(batch.GetRange(0, half)), WriteAsync(batch.GetRange(half, batch.Count - half))).ConfigureAwait(false);
                return;
            }

            var append = batch[0];
            var conflict = IsInvalidData(ex) ? SessionEventConflict.InvalidData
                : ex.ConstraintName == ClientMsgIdKey ? SessionEventConflict.ClientMsgId
                : SessionEventConflict.Seq;
            append.Completion.TrySetException(new SessionEventConflictException(conflict, conflict switch
            {
                SessionEventConflict.ClientMsgId => $"A clientMsgId of the batch is already in the log of session {append.SessionId}.",
                SessionEventConflict.Seq => $"Seq {append.Events[0].Seq}..{append.Events[^1].Seq} of session {append.SessionId} is already taken: another writer appended.",
                _ => $"The event log refused data of the batch for session {append.SessionId}: {ex.MessageText}",
            }, ex));
            return;
        }
        catch (Exception ex)
        {
            foreach (var append in batch)
            {
                append.Completion.TrySetException(ex);
            }

            return;
        }

        Interlocked.Increment(ref commits);
        Interlocked.Add(ref appended, count);
        foreach (var append in batch)
        {
            append.Completion.TrySetResult();
        }
    }

    private static bool IsInvalidData(PostgresException exception) =>
        exception.SqlState.StartsWith("22", StringComparison.Ordinal) || exception.SqlState == PostgresErrorCodes.CheckViolation;

    private sealed class AppendRefusedException(PostgresException refusal) : Exception(refusal.Message, refusal)
    {
        public PostgresException Refusal { get; } = refusal;
    }

    private sealed class PendingAppend(string sessionId, IReadOnlyList<SessionEventRecord> events)
    {
        public string SessionId { get; } = sessionId;

        public IReadOnlyList<SessionEventRecord> Events { get; } = events;

        /// <summary>
        /// Completed on the writer's thread. Continuations may run inline: a grain's await posts
        /// itself to its activation anyway, and skipping a thread-pool hop shortens every commit.
        /// </summary>
        public TaskCompletionSource Completion { get; } = new();
    }

    public Task<IReadOnlyList<SessionEventRecord>> ReadAsync(string sessionId, long afterSeq, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        if (limit == 0)
        {
            return Task.FromResult<IReadOnlyList<SessionEventRecord>>([]);
        }

        return ExecuteAsync("read", sessionId, retry: true, async (connection, ct) =>
        {
            await using var command = Command(connection, ReadSql, sessionId);
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterSeq });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
            return await ReadRecordsAsync(command, ct).ConfigureAwait(false);
        }, cancellationToken);
    }

    public async Task<SessionEventRecord?> FindByClientMsgIdAsync(string sessionId, string clientMsgId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(clientMsgId);
        var found = await FindByClientMsgIdsAsync(sessionId, [clientMsgId], cancellationToken).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    public Task<IReadOnlyList<SessionEventRecord>> FindByClientMsgIdsAsync(string sessionId, IReadOnlyCollection<string> clientMsgIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(clientMsgIds);
        if (clientMsgIds.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<SessionEventRecord>>([]);
        }

        var ids = clientMsgIds.ToArray();
        return ExecuteAsync("find by clientMsgId", sessionId, retry: true, async (connection, ct) =>
        {
            await using var command = Command(connection, FindSql, sessionId);
            command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = ids });
            return await ReadRecordsAsync(command, ct).ConfigureAwait(false);
        }, cancellationToken);
    }

    public async Task<SessionLogBounds> TrimAsync(string sessionId, DateTimeOffset olderThan, long keepFromSeq, CancellationToken cancellationToken = default)
    {
        var deleted = await ExecuteAsync("trim", sessionId, retry: true, async (connection, ct) =>
        {
            await using var command = Command(connection, TrimSql, sessionId);
            command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = olderThan.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = keepFromSeq });
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);

        if (deleted > 0)
        {
            SessionLog.Trimmed(logger, sessionId, deleted);
        }

        return await GetBoundsAsync(sessionId, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IReadOnlyList<SessionEventRecord>> ReadRecordsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var records = new List<SessionEventRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            records.Add(new SessionEventRecord(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                ToOffset(reader.GetFieldValue<DateTime>(5))));
        }

        return records;
    }

    private static DateTimeOffset ToOffset(DateTime value) =>
        new(DateTime.SpecifyKind(value, DateTimeKind.Utc), TimeSpan.Zero);

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, string sessionId)
    {
        var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = sessionId });
        return command;
    }

    /// <summary>
    /// Runs one operation on a pooled connection. Reads (<paramref name="retry"/>) are retried once on
    /// a fresh connection when a pooled one turns out broken (the server restarted); every failure
    /// that remains becomes a <see cref="GrainStorageException"/> naming the store, the operation
    /// and the session.
    /// </summary>
    private async Task<T> ExecuteAsync<T>(
        string operation,
        string sessionId,
        bool retry,
        Func<NpgsqlConnection, CancellationToken, Task<T>> action,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(sessionId);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                return await action(connection, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsStoreFailure(ex) && !cancellationToken.IsCancellationRequested)
            {
                var unreachable = IsUnreachable(ex);
                if (unreachable)
                {
                    dataSource.Clear();
                }

                if (retry && attempt == 1 && IsBrokenConnection(ex))
                {
                    SessionLog.StoreRetrying(logger, ex, operation, sessionId);
                    continue;
                }

                if (unreachable)
                {
                    SessionLog.StoreUnreachable(logger, ex, operation, sessionId);
                }
                else
                {
                    SessionLog.StoreFailed(logger, ex, operation, sessionId);
                }

                throw new GrainStorageException(
                    $"{Name} {(unreachable ? "is unreachable" : "failed")}: {Describe(ex)} (during {operation} of session {sessionId})", ex);
            }
        }
    }

    /// <summary>Failures of the store itself (not conflicts, which are answers, nor cancellations).</summary>
    internal static bool IsStoreFailure(Exception exception) =>
        exception is NpgsqlException or SocketException or TimeoutException or IOException;

    /// <summary>
    /// The server could not be reached or the connection broke: connect failures, broken sockets,
    /// timeouts, SQLSTATE class 08, 57P01–57P03 (shutting down, crashed, starting up), 53300 (too many connections).
    /// </summary>
    internal static bool IsUnreachable(Exception exception) => exception switch
    {
        PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState is "57P01" or "57P02" or "57P03" or "53300",
        NpgsqlException or SocketException or TimeoutException or IOException => true,
        _ => false,
    };

    /// <summary>The connection broke (rather than a command timing out): a fresh one may well work at once.</summary>
    internal static bool IsBrokenConnection(Exception exception)
    {
        if (!IsUnreachable(exception))
        {
            return false;
        }

        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is TimeoutException)
            {
                return false;
            }
        }

        return exception is not PostgresException { SqlState: "53300" or "57P03" };
    }

    private static string Describe(Exception exception)
    {
        var text = exception.Message;
        for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (!text.Contains(inner.Message, StringComparison.Ordinal))
            {
                text += $" ({inner.Message})";
            }
        }

        return text;
    }
}
