using System.Collections.Concurrent;

namespace Actors.Grains.Sessions;

/// <summary>
/// Session event logs in process memory, with the same rules as the PostgreSQL store (all-or-nothing
/// batches, unique seq and clientMsgId, prefix trimming). For development and tests only: everything
/// is lost when the process stops, and silos do not share it.
/// </summary>
public sealed class InMemorySessionEventStore : ISessionEventStore
{
    private readonly ConcurrentDictionary<string, SessionLogData> logs = new(StringComparer.Ordinal);
    private long commits;
    private long appended;

    public string Name => "Session event log (in memory)";

    public long Commits => Interlocked.Read(ref commits);

    public long AppendedEvents => Interlocked.Read(ref appended);

    public Task<SessionLogBounds> GetBoundsAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        if (!logs.TryGetValue(sessionId, out var log))
        {
            return Task.FromResult(SessionLogBounds.Empty);
        }

        lock (log)
        {
            return Task.FromResult(log.Bounds());
        }
    }

    public async Task<long> GetLastSeqAsync(string sessionId, CancellationToken cancellationToken = default) =>
        (await GetBoundsAsync(sessionId, cancellationToken)).LastSeq;

    public Task AppendAsync(string sessionId, IReadOnlyList<SessionEventRecord> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return Task.CompletedTask;
        }

        var log = logs.GetOrAdd(sessionId, static _ => new SessionLogData());
        lock (log)
        {
            var batchIds = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < events.Count; i++)
            {
                var e = events[i];
                if (e.Seq <= log.HighWater || (i > 0 && e.Seq <= events[i - 1].Seq))
                {
                    return Task.FromException(new SessionEventConflictException(
                        SessionEventConflict.Seq, $"Seq {events[0].Seq}..{events[^1].Seq} of session {sessionId} is already taken: another writer appended."));
                }

                if (e.ClientMsgId is { } id && (log.ClientMsgIds.ContainsKey(id) || !batchIds.Add(id)))
                {
                    return Task.FromException(new SessionEventConflictException(
                        SessionEventConflict.ClientMsgId, $"A clientMsgId of the batch is already in the log of session {sessionId}."));
                }
            }

            foreach (var e in events)
            {
                log.Events.Add(e);
                if (e.ClientMsgId is { } id)
                {
                    log.ClientMsgIds[id] = e;
                }
            }

            log.HighWater = Math.Max(log.HighWater, events[^1].Seq);
        }

        Interlocked.Increment(ref commits);
        Interlocked.Add(ref appended, events.Count);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<SessionEventRecord>> ReadAsync(string sessionId, long afterSeq, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        if (limit == 0 || !logs.TryGetValue(sessionId, out var log))
        {
            return Task.FromResult<IReadOnlyList<SessionEventRecord>>([]);
        }

        lock (log)
        {
            var start = log.IndexAfter(afterSeq);
            var count = Math.Min(limit, log.Events.Count - start);
            return Task.FromResult<IReadOnlyList<SessionEventRecord>>(log.Events.GetRange(start, count));
        }
    }

    public async Task<SessionEventRecord?> FindByClientMsgIdAsync(string sessionId, string clientMsgId, CancellationToken cancellationToken = default)
    {
        var found = await FindByClientMsgIdsAsync(sessionId, [clientMsgId], cancellationToken);
        return found.Count == 0 ? null : found[0];
    }

    public Task<IReadOnlyList<SessionEventRecord>> FindByClientMsgIdsAsync(string sessionId, IReadOnlyCollection<string> clientMsgIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(clientMsgIds);
        if (!logs.TryGetValue(sessionId, out var log))
        {
            return Task.FromResult<IReadOnlyList<SessionEventRecord>>([]);
        }

        lock (log)
        {
            IReadOnlyList<SessionEventRecord> found = clientMsgIds
                .Select(id => log.ClientMsgIds.GetValueOrDefault(id))
                .OfType<SessionEventRecord>()
                .OrderBy(e => e.Seq)
                .ToList();
            return Task.FromResult(found);
        }
    }

    public Task<SessionLogBounds> TrimAsync(string sessionId, DateTimeOffset olderThan, long keepFromSeq, CancellationToken cancellationToken = default)
    {
        if (!logs.TryGetValue(sessionId, out var log))
        {
            return Task.FromResult(SessionLogBounds.Empty);
        }

        lock (log)
        {
            var upTo = -1;
            for (var i = 0; i < log.Events.Count && log.Events[i].Seq < keepFromSeq; i++)
            {
                if (log.Events[i].At < olderThan)
                {
                    upTo = i;
                }
            }

            if (upTo >= 0)
            {
                foreach (var e in log.Events.Take(upTo + 1))
                {
                    if (e.ClientMsgId is { } id)
                    {
                        log.ClientMsgIds.Remove(id);
                    }
                }

                log.Events.RemoveRange(0, upTo + 1);
            }

            return Task.FromResult(log.Bounds());
        }
    }

    private sealed class SessionLogData
    {
        public List<SessionEventRecord> Events { get; } = [];

        public Dictionary<string, SessionEventRecord> ClientMsgIds { get; } = new(StringComparer.Ordinal);

        /// <summary>The highest seq ever appended (survives trimming, like the rows' primary key would).</summary>
        public long HighWater { get; set; }

        public SessionLogBounds Bounds() =>
            Events.Count == 0 ? SessionLogBounds.Empty : new SessionLogBounds(Events[0].Seq, Events[^1].Seq, Events[0].At);

        /// <summary>Index of the first event with seq &gt; <paramref name="afterSeq"/> (seqs are consecutive).</summary>
        public int IndexAfter(long afterSeq)
        {
            if (Events.Count == 0)
            {
                return 0;
            }

            var index = afterSeq - Events[0].Seq + 1;
            return (int)Math.Clamp(index, 0, Events.Count);
        }
    }
}
