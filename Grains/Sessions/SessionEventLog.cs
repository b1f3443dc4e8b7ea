using System.Collections.Immutable;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Actors.Grains.Sessions;

/// <summary>
/// A session's ordered, durable log with group commit, owned by one activation and used only on its
/// turn (so no locks: the grain is reentrant, and everything here runs on the activation's single
/// logical thread, interleaving only at awaits).
/// </summary>
/// <remarks>
/// <para><b>Group commit.</b> <see cref="AppendAsync"/> queues the event and returns a task that
/// completes when the event is durable. At most one commit is in flight. When none is, the queued
/// events are taken (in arrival order, up to <see cref="MaxBatch"/>), given the next seqs and written
/// in one transaction; appends that arrive while it is in flight wait in the queue and form the next
/// batch. Each batch is acknowledged only after its commit returns.</para>
/// <para><b>No gaps.</b> Seqs are assigned when a batch is written, from <see cref="LastSeq"/>, which
/// only moves forward when a commit succeeds. A failed commit fails every append of its batch; as the
/// outcome of a failed commit is unknown (it may have been written), the bounds are re-read from the
/// store before the next batch, so seqs continue after whatever is stored. A seq collision (another
/// activation wrote during a view change) reloads the bounds and retries the batch with new seqs.</para>
/// <para><b>Idempotence.</b> A clientMsgId seen recently (committed, or queued/in flight) answers with
/// the original seq and <c>Duplicate = true</c> without writing; the store's unique constraint is the
/// backstop for older ones: the batch is refused, the duplicates are looked up and answered, and the
/// rest of the batch is written.</para>
/// <para><b>Pushes.</b> Each committed batch is handed to <c>push</c> in seq order before it is
/// acknowledged; if the log moved past the last pushed seq without this activation (another writer),
/// the missing events are read and pushed first, so subscribers see no seq jump.</para>
/// </remarks>
internal sealed class SessionEventLog
{
    /// <summary>The most events one commit writes.</summary>
    public const int MaxBatch = 1000;

    private const int RecentCapacity = 4096;
    private const int SeqConflictRetries = 5;

    private readonly string sessionId;
    private readonly ISessionEventStore store;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly Func<bool> hasSubscribers;
    private readonly Action<ImmutableArray<SessionEvent>> push;
    private readonly Dictionary<string, Pending> queuedIds = new(StringComparer.Ordinal);
    private readonly RecentIds recent = new(RecentCapacity);
    private List<Pending> queue = [];
    private Task? loading;
    private bool committing;
    private int lastBatchSize;
    private long lastPushed;
    private DateTimeOffset lastAt;

    public SessionEventLog(
        string sessionId,
        ISessionEventStore store,
        TimeProvider time,
        ILogger logger,
        Func<bool> hasSubscribers,
        Action<ImmutableArray<SessionEvent>> push)
    {
        this.sessionId = sessionId;
        this.store = store;
        this.time = time;
        this.logger = logger;
        this.hasSubscribers = hasSubscribers;
        this.push = push;
    }

    /// <summary>The seq of the last committed event (0 for none). Valid once <see cref="IsLoaded"/>.</summary>
    public long LastSeq { get; private set; }

    /// <summary>The first retained seq (0 when the log is empty).</summary>
    public long FirstSeq { get; private set; }

    public DateTimeOffset? FirstAt { get; private set; }

    public bool IsLoaded { get; private set; }

    /// <summary>Events waiting for a commit (queued or in flight are not distinguished).</summary>
    public int Queued => queue.Count;

    /// <summary>Reads the bounds from the store once (and again after a failed commit).</summary>
    public Task EnsureLoadedAsync()
    {
        if (IsLoaded)
        {
            return Task.CompletedTask;
        }

        if (loading is null || loading.IsCompleted)
        {
            loading = LoadAsync();
        }

        return loading;
    }

    private async Task LoadAsync()
    {
        var bounds = await store.GetBoundsAsync(sessionId);
        Apply(bounds);
        if (lastPushed == 0)
        {
            lastPushed = LastSeq;
        }

        IsLoaded = true;
    }

    private void Apply(SessionLogBounds bounds)
    {
        LastSeq = Math.Max(LastSeq, bounds.LastSeq);
        FirstSeq = bounds.FirstSeq;
        FirstAt = bounds.FirstAt;
    }

    /// <summary>A duplicate known without asking the store (committed recently, or queued).</summary>
    public bool TryGetKnown(string clientMsgId, out Task<PublishResult> result)
    {
        if (recent.TryGet(clientMsgId, out var known))
        {
            result = Task.FromResult(new PublishResult(known.Seq, known.At, Duplicate: true));
            return true;
        }

        if (queuedIds.TryGetValue(clientMsgId, out var queued))
        {
            result = AsDuplicateAsync(queued.Completion.Task);
            return true;
        }

        result = null!;
        return false;
    }

    /// <summary>
    /// Queues an event; the task completes with its seq once it is committed (or with the original
    /// seq, <c>Duplicate = true</c>, when <paramref name="clientMsgId"/> was already used).
    /// </summary>
    public Task<PublishResult> AppendAsync(string type, string? authorId, string payloadJson, JsonElement payload, string? clientMsgId)
    {
        if (clientMsgId is not null && TryGetKnown(clientMsgId, out var duplicate))
        {
            return duplicate;
        }

        var pending = new Pending(type, authorId, payloadJson, payload, clientMsgId);
        queue.Add(pending);
        if (clientMsgId is not null)
        {
            queuedIds[clientMsgId] = pending;
        }

        if (!committing)
        {
            committing = true;
            _ = RunAsync();
        }

        return pending.Completion.Task;
    }

    private static async Task<PublishResult> AsDuplicateAsync(Task<PublishResult> original) =>
        (await original) with { Duplicate = true };

    /// <summary>The commit loop: one batch at a time until the queue is empty.</summary>
    private async Task RunAsync()
    {
        try
        {
            while (queue.Count > 0)
            {
                if (!IsLoaded)
                {
                    try
                    {
                        await EnsureLoadedAsync();
                    }
                    catch (Exception exception)
                    {
                        SessionLog.LoadFailed(logger, exception, sessionId);
                        var all = queue;
                        queue = [];
                        Fail(all, exception);
                        continue;
                    }
                }

                // Under concurrency, let publishes already waiting in the mailbox (typically the callers
                // just acknowledged, publishing again) join this batch rather than the one after it:
                // otherwise publishers settle into two groups that alternate between "queued" and
                // "in flight", and every commit carries half of them. A lone publisher does not wait.
                if (lastBatchSize > 1)
                {
                    await Task.Yield();
                }

                List<Pending> batch;
                if (queue.Count <= MaxBatch)
                {
                    batch = queue;
                    queue = [];
                }
                else
                {
                    batch = queue.GetRange(0, MaxBatch);
                    queue.RemoveRange(0, MaxBatch);
                }

                lastBatchSize = batch.Count;
                await CommitAsync(batch);
            }
        }
        finally
        {
            committing = false;
        }
    }

    private async Task CommitAsync(List<Pending> batch)
    {
        var seqConflicts = 0;
        while (batch.Count > 0)
        {
            var at = NextAt();
            var first = LastSeq + 1;
            var records = new SessionEventRecord[batch.Count];
            for (var i = 0; i < records.Length; i++)
            {
                var p = batch[i];
                records[i] = new SessionEventRecord(first + i, p.Type, p.AuthorId, p.PayloadJson, p.ClientMsgId, at);
            }

            try
            {
                await store.AppendAsync(sessionId, records);
            }
            catch (SessionEventConflictException conflict) when (conflict.Conflict == SessionEventConflict.ClientMsgId)
            {
                if (!await AnswerStoredDuplicatesAsync(batch, conflict))
                {
                    return;
                }

                continue;
            }
            catch (SessionEventConflictException conflict) when (conflict.Conflict == SessionEventConflict.Seq && ++seqConflicts <= SeqConflictRetries)
            {
                try
                {
                    Apply(await store.GetBoundsAsync(sessionId));
                }
                catch (Exception exception)
                {
                    IsLoaded = false;
                    Fail(batch, exception);
                    return;
                }

                SessionLog.SeqConflict(logger, sessionId, first, LastSeq);
                continue;
            }
            catch (SessionEventConflictException conflict) when (conflict.Conflict == SessionEventConflict.InvalidData)
            {
                if (batch.Count == 1)
                {
                    Fail(batch, DomainException.Validation("payload", "was refused by the event log: " + (conflict.InnerException?.Message ?? conflict.Message)));
                    return;
                }

                // One bad event must not fail the others: commit them one by one.
                foreach (var single in batch)
                {
                    await CommitAsync([single]);
                }

                return;
            }
            catch (Exception exception)
            {
                // The outcome is unknown (the commit may have reached the server): fail the batch and
                // read the bounds again before the next one, so seqs continue after what is stored.
                SessionLog.CommitFailed(logger, exception, sessionId, batch.Count, first, first + batch.Count - 1);
                IsLoaded = false;
                Fail(batch, exception);
                return;
            }

            LastSeq = records[^1].Seq;
            if (FirstSeq == 0)
            {
                FirstSeq = records[0].Seq;
                FirstAt = at;
            }

            var events = ImmutableArray.CreateBuilder<SessionEvent>(records.Length);
            for (var i = 0; i < records.Length; i++)
            {
                events.Add(new SessionEvent(records[i].Seq, records[i].Type, records[i].AuthorId, batch[i].Payload, at));
            }

            await PushAsync(events.MoveToImmutable());
            for (var i = 0; i < batch.Count; i++)
            {
                var p = batch[i];
                if (p.ClientMsgId is { } id)
                {
                    queuedIds.Remove(id);
                    recent.Add(id, records[i].Seq, at);
                }

                p.Completion.TrySetResult(new PublishResult(records[i].Seq, at, Duplicate: false));
            }

            return;
        }
    }

    /// <summary>
    /// The store refused the batch for a clientMsgId it already holds: answers those publishes with the
    /// stored seq and removes them from <paramref name="batch"/>. False when the batch had to be failed.
    /// </summary>
    private async Task<bool> AnswerStoredDuplicatesAsync(List<Pending> batch, Exception conflict)
    {
        IReadOnlyList<SessionEventRecord> stored;
        try
        {
            stored = await store.FindByClientMsgIdsAsync(sessionId, batch.Where(p => p.ClientMsgId is not null).Select(p => p.ClientMsgId!).ToList());
        }
        catch (Exception exception)
        {
            Fail(batch, exception);
            return false;
        }

        if (stored.Count == 0)
        {
            // Refused, yet nothing matches (trimmed meanwhile?): do not loop.
            Fail(batch, conflict);
            return false;
        }

        var byId = stored.ToDictionary(e => e.ClientMsgId!, StringComparer.Ordinal);
        var answered = 0;
        for (var i = batch.Count - 1; i >= 0; i--)
        {
            var p = batch[i];
            if (p.ClientMsgId is { } id && byId.TryGetValue(id, out var original))
            {
                queuedIds.Remove(id);
                recent.Add(id, original.Seq, original.At);
                p.Completion.TrySetResult(new PublishResult(original.Seq, original.At, Duplicate: true));
                batch.RemoveAt(i);
                answered++;
            }
        }

        SessionLog.DuplicatesFromStore(logger, sessionId, answered);
        return true;
    }

    private async Task PushAsync(ImmutableArray<SessionEvent> events)
    {
        if (!hasSubscribers())
        {
            lastPushed = events[^1].Seq;
            return;
        }

        var from = lastPushed + 1;
        var to = events[0].Seq - 1;
        if (to >= from)
        {
            // Another writer (or a commit whose failure was reported but which was written) moved the
            // log on: push what subscribers missed first, so they never see a jump.
            try
            {
                var missing = await store.ReadAsync(sessionId, lastPushed, (int)Math.Min(MaxBatch, to - from + 1));
                if (missing.Count > 0)
                {
                    push(missing.Select(ToEvent).ToImmutableArray());
                }
            }
            catch (Exception exception)
            {
                SessionLog.MissedEventsFetchFailed(logger, exception, sessionId, from, to);
            }
        }

        push(events);
        lastPushed = events[^1].Seq;
    }

    /// <summary>Deletes events older than <paramref name="olderThan"/>, keeping the last one.</summary>
    public async Task TrimAsync(DateTimeOffset olderThan)
    {
        await EnsureLoadedAsync();
        if (LastSeq == 0 || FirstSeq >= LastSeq || FirstAt is { } firstAt && firstAt >= olderThan)
        {
            return;
        }

        var bounds = await store.TrimAsync(sessionId, olderThan, LastSeq);
        if (!bounds.IsEmpty)
        {
            FirstSeq = bounds.FirstSeq;
            FirstAt = bounds.FirstAt;
        }
    }

    /// <summary>True when events older than <paramref name="olderThan"/> other than the last are retained.</summary>
    public bool NeedsTrim(DateTimeOffset olderThan) =>
        IsLoaded && FirstSeq > 0 && FirstSeq < LastSeq && FirstAt is { } firstAt && firstAt < olderThan;

    /// <summary>Committed events after <paramref name="afterSeq"/> (at most <paramref name="limit"/>).</summary>
    public async Task<IReadOnlyList<SessionEventRecord>> ReadAsync(long afterSeq, int limit)
    {
        await EnsureLoadedAsync();
        return afterSeq >= LastSeq ? [] : await store.ReadAsync(sessionId, afterSeq, limit);
    }

    /// <summary>The stored event published with <paramref name="clientMsgId"/>, or null.</summary>
    public Task<SessionEventRecord?> FindStoredAsync(string clientMsgId) => store.FindByClientMsgIdAsync(sessionId, clientMsgId);

    public static SessionEvent ToEvent(SessionEventRecord record) =>
        new(record.Seq, record.Type, record.AuthorId, ParseJson(record.Payload), record.At);

    public static JsonElement ParseJson(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    /// <summary>The commit time of the next batch: never earlier than the previous one, in whole microseconds (PostgreSQL's precision).</summary>
    private DateTimeOffset NextAt()
    {
        var now = time.GetUtcNow().ToUniversalTime();
        now = new DateTimeOffset(now.Ticks - (now.Ticks % 10), TimeSpan.Zero);
        if (now < lastAt)
        {
            now = lastAt;
        }

        lastAt = now;
        return now;
    }

    private void Fail(List<Pending> batch, Exception exception)
    {
        foreach (var p in batch)
        {
            if (p.ClientMsgId is { } id && queuedIds.TryGetValue(id, out var queued) && ReferenceEquals(queued, p))
            {
                queuedIds.Remove(id);
            }

            p.Completion.TrySetException(exception);
        }
    }

    private sealed class Pending(string type, string? authorId, string payloadJson, JsonElement payload, string? clientMsgId)
    {
        public string Type { get; } = type;

        public string? AuthorId { get; } = authorId;

        public string PayloadJson { get; } = payloadJson;

        public JsonElement Payload { get; } = payload;

        public string? ClientMsgId { get; } = clientMsgId;

        public TaskCompletionSource<PublishResult> Completion { get; } = new();
    }

    /// <summary>The clientMsgIds of the most recent commits (bounded; the store's unique constraint covers older ones).</summary>
    private sealed class RecentIds(int capacity)
    {
        private readonly Dictionary<string, (long Seq, DateTimeOffset At)> entries = new(StringComparer.Ordinal);
        private readonly Queue<string> order = new();

        public bool TryGet(string id, out (long Seq, DateTimeOffset At) entry) => entries.TryGetValue(id, out entry);

        public void Add(string id, long seq, DateTimeOffset at)
        {
            if (entries.TryAdd(id, (seq, at)))
            {
                order.Enqueue(id);
                if (order.Count > capacity)
                {
                    entries.Remove(order.Dequeue());
                }
            }
        }
    }
}
