using System.Collections.Immutable;
using Actors.Grains;
using Microsoft.AspNetCore.SignalR;

namespace Actors.WebHost.Realtime;

/// <summary>One connection's place in a session feed.</summary>
internal sealed class SessionSubscriber(string connectionId, string userId, ConnectionOutbox outbox)
{
    public string ConnectionId { get; } = connectionId;

    public string UserId { get; } = userId;

    public ConnectionOutbox Outbox { get; } = outbox;

    /// <summary>Highest seq sent (or handed over in the join result) to this connection.</summary>
    public long LastSeq { get; set; }

    /// <summary>While joining: live events wait here until the join result is known.</summary>
    public List<(SessionEvent Event, SerializedHubMessage Message)>? Pending { get; set; } = [];

    /// <summary>Set after an overflow: nothing more is sent until the client re-joins.</summary>
    public bool NeedsResync { get; set; }
}

/// <summary>
/// A session as seen by this node: one observer subscription with the grain, the node's last seq
/// (to detect and fill gaps before delivering), and the local connections to fan out to.
/// </summary>
internal sealed class SessionFeed(string sessionId)
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, SessionSubscriber> subscribers = new(StringComparer.Ordinal);
    private long lastSeq = -1;

    public string SessionId { get; } = sessionId;

    /// <summary>Seq of the last event this node delivered (-1: not known yet).</summary>
    public long LastSeq
    {
        get
        {
            lock (gate)
            {
                return lastSeq;
            }
        }
    }

    public bool IsEmpty
    {
        get
        {
            lock (gate)
            {
                return subscribers.Count == 0;
            }
        }
    }

    /// <summary>Any local user that can read the session (to fetch missing events on its behalf).</summary>
    public string? AnyReader
    {
        get
        {
            lock (gate)
            {
                return subscribers.Values.FirstOrDefault()?.UserId;
            }
        }
    }

    public void Add(SessionSubscriber subscriber)
    {
        lock (gate)
        {
            subscribers[subscriber.ConnectionId] = subscriber;
        }
    }

    public bool Remove(string connectionId)
    {
        lock (gate)
        {
            subscribers.Remove(connectionId);
            return subscribers.Count == 0;
        }
    }

    public SessionSubscriber? Find(string connectionId)
    {
        lock (gate)
        {
            return subscribers.GetValueOrDefault(connectionId);
        }
    }

    /// <summary>The join result is known: start live delivery after <paramref name="joinedAt"/>, flushing what waited.</summary>
    public void Activate(SessionSubscriber subscriber, long joinedAt)
    {
        lock (gate)
        {
            subscriber.LastSeq = joinedAt;
            subscriber.NeedsResync = false;
            if (lastSeq < 0)
            {
                lastSeq = joinedAt;
            }

            var pending = subscriber.Pending ?? [];
            subscriber.Pending = null;
            foreach (var (evt, message) in pending.OrderBy(p => p.Event.Seq))
            {
                DeliverLocked(subscriber, evt, message);
            }
        }
    }

    /// <summary>The next seq the node expects, or null when it knows none yet.</summary>
    public long? Expected
    {
        get
        {
            lock (gate)
            {
                return lastSeq < 0 ? null : lastSeq + 1;
            }
        }
    }

    /// <summary>Delivers events in seq order; returns false at the first gap (the caller fills it and retries).</summary>
    public bool TryDeliver(ImmutableArray<SessionEvent> events, out long gapFrom)
    {
        gapFrom = 0;
        lock (gate)
        {
            foreach (var evt in events)
            {
                if (lastSeq >= 0 && evt.Seq <= lastSeq)
                {
                    continue;
                }

                if (lastSeq >= 0 && evt.Seq > lastSeq + 1)
                {
                    gapFrom = lastSeq;
                    return false;
                }

                lastSeq = evt.Seq;
                var message = ConnectionOutbox.Invocation(ClientMethods.SessionEvent, SessionId, evt);
                foreach (var subscriber in subscribers.Values)
                {
                    DeliverLocked(subscriber, evt, message);
                }
            }
        }

        return true;
    }

    private void DeliverLocked(SessionSubscriber subscriber, SessionEvent evt, SerializedHubMessage message)
    {
        if (subscriber.Pending is { } pending)
        {
            pending.Add((evt, message));
            return;
        }

        if (subscriber.NeedsResync || evt.Seq <= subscriber.LastSeq)
        {
            return;
        }

        var last = lastSeq;
        if (subscriber.Outbox.Enqueue(SessionId, message, () => ConnectionOutbox.Invocation(ClientMethods.Resync, SessionId, new ResyncMessage(ResyncMessage.SlowConsumer, last))))
        {
            subscriber.LastSeq = evt.Seq;
        }
        else
        {
            subscriber.NeedsResync = true;
        }
    }

    /// <summary>Sends a non-event message (presence, close) to every joined connection.</summary>
    public void Broadcast(SerializedHubMessage message)
    {
        lock (gate)
        {
            foreach (var subscriber in subscribers.Values)
            {
                if (subscriber.Pending is null && !subscriber.NeedsResync)
                {
                    subscriber.Outbox.Enqueue(null, message);
                }
            }
        }
    }
}
