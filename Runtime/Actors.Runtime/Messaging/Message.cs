using System.Collections.Immutable;
using Actors.Invocation;
using Actors.Runtime.Timers;

namespace Actors.Runtime.Messaging;

/// <summary>
/// One unit of work for an activation: a grain call (with its routing and context) or a timer tick.
/// The request carries the arguments and the caller's promise; the message carries everything the
/// runtime needs to route, schedule, time out and complete it.
/// </summary>
internal sealed class Message
{
    private int completed;

    public Message(GrainRequest request, GrainId target)
    {
        Request = request;
        Target = target;
    }

    private Message(GrainTimer timer, GrainId target)
    {
        Timer = timer;
        Target = target;
        Request = null!;
    }

    public static Message ForTimer(GrainTimer timer, GrainId target) => new(timer, target);

    /// <summary>The call; null only for timer ticks.</summary>
    public GrainRequest Request { get; }

    public GrainTimer? Timer { get; }

    public bool IsTimerTick => Timer is not null;

    public GrainId Target { get; }

    public GrainId? Sender { get; init; }

    /// <summary>The grains waiting on this call (outermost first when rendered); null for external calls.</summary>
    public CallChain? Chain { get; init; }

    public ImmutableDictionary<string, object>? RequestContext { get; set; }

    /// <summary>TimeProvider timestamp after which the caller gets a TimeoutException.</summary>
    public long Deadline { get; init; }

    /// <summary>Timestamp when the call was admitted (execution-time statistics).</summary>
    public long AdmittedAt { get; set; }

    /// <summary>When set, completion goes here instead of straight to the caller (outgoing filters).</summary>
    public Action<Message, Exception?>? OnCompleted { get; set; }

    /// <summary>True when the call arrived over the network: its arguments are already private copies.</summary>
    public bool FromRemote { get; init; }

    /// <summary>Set once a local call's arguments were copied (a redelivery must not copy again).</summary>
    public bool ArgumentsIsolated { get; set; }

    /// <summary>How many silos forwarded this call so far.</summary>
    public byte Hops { get; set; }

    /// <summary>Timestamp when the call was sent, for latency metrics (0 when not measured).</summary>
    public long SentAt { get; init; }

    public bool IsCompleted => Volatile.Read(ref completed) != 0;

    public string MethodName => IsTimerTick ? "[timer]" : Request.Method.ToString();

    /// <summary>Completes the call exactly once; later completions (after a timeout, say) are ignored.</summary>
    public bool TryComplete(Exception? exception)
    {
        if (Interlocked.Exchange(ref completed, 1) != 0)
        {
            return false;
        }

        if (Timer is not null)
        {
            return true;
        }

        if (OnCompleted is { } callback)
        {
            callback(this, exception);
        }
        else
        {
            Request.CompleteCaller(exception);
        }

        return true;
    }
}
