using System.Collections.Immutable;
using System.Text.Json;

namespace Actors.Grains.Sessions;

/// <summary>The event log: publish (group commit), read and resume, system events.</summary>
internal sealed partial class SessionGrain
{
    public async Task<PublishResult> PublishAsync(string callerId, string type, JsonElement payload, string? clientMsgId)
    {
        RequireRank(callerId, SessionRoles.Member, "publish");
        var checkedType = SessionRules.EventType(type);
        var checkedId = SessionRules.ClientMsgId(clientMsgId);
        var json = SessionRules.Payload(payload);
        if (committed.Status == SessionStatus.Closed)
        {
            // A retry of a publish that made it before the close still gets its original seq.
            if (checkedId is not null)
            {
                if (log.TryGetKnown(checkedId, out var known))
                {
                    return await known;
                }

                if (await log.FindStoredAsync(checkedId) is { } stored)
                {
                    return new PublishResult(stored.Seq, stored.At, Duplicate: true);
                }
            }

            throw DomainException.Closed(SessionId);
        }

        // No await between the checks above and queuing: a close cannot slip in between.
        return await log.AppendAsync(checkedType, callerId, json, payload.Clone(), checkedId);
    }

    public async Task<PublishResult> AppendSystemEventAsync(string type, string? authorId, JsonElement payload)
    {
        RequireExists();
        var checkedType = SessionRules.SystemEventType(type);
        var json = SessionRules.Payload(payload);
        RequireOpen();
        return await log.AppendAsync(checkedType, authorId, json, payload.Clone(), clientMsgId: null);
    }

    public async Task<EventPage> ReadEventsAsync(string callerId, long afterSeq, int limit)
    {
        RequireRead(callerId);
        SessionRules.AfterSeq(afterSeq);
        var checkedLimit = SessionRules.Limit(limit);
        var (events, lastSeq, gap) = await ReadPageAsync(afterSeq, checkedLimit);
        return new EventPage(events, lastSeq, gap);
    }

    /// <summary>
    /// Events after <paramref name="afterSeq"/>, at most <paramref name="limit"/>. Gap: some events
    /// after <paramref name="afterSeq"/> are past retention, or the page stopped at the
    /// <see cref="Limits.EventsPageMax"/> cap with more to come. With a null <paramref name="afterSeq"/>
    /// (a client that has nothing) the newest retained events up to the cap come back, and Gap says
    /// that older ones exist that it does not get.
    /// </summary>
    private async Task<(ImmutableArray<SessionEvent> Events, long LastSeq, bool Gap)> ReadPageAsync(long? afterSeq, int limit)
    {
        await EnsureLogAsync();
        var lastSeq = log.LastSeq;
        var from = afterSeq ?? Math.Max(0, lastSeq - limit);
        if (from >= lastSeq)
        {
            return ([], lastSeq, false);
        }

        var records = await log.ReadAsync(from, limit);
        if (records.Count == 0)
        {
            // Events exist after `from`, none came back: they were all trimmed meanwhile.
            return ([], log.LastSeq, true);
        }

        var missingBefore = afterSeq is null ? records[0].Seq > 1 : records[0].Seq > from + 1;
        var cut = limit == Limits.EventsPageMax && records.Count == limit && records[^1].Seq < log.LastSeq;
        return (records.Select(SessionEventLog.ToEvent).ToImmutableArray(), Math.Max(log.LastSeq, records[^1].Seq), missingBefore || cut);
    }

    private bool HasEventSubscribers()
    {
        var now = TimeProvider.GetUtcNow();
        foreach (var node in nodes.Values)
        {
            if (node.Observer is not null && node.Expiry > now)
            {
                return true;
            }
        }

        return false;
    }

    private void PushEvents(ImmutableArray<SessionEvent> events) =>
        NotifyObservers(observer => observer.OnEventsAsync(SessionId, events));
}
