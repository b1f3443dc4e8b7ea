using Actors.Runtime.Messaging;
using Actors.Runtime.Timers;

namespace Actors.Runtime.Activation;

/// <summary>Grain timers: ticks are messages in the mailbox, so they run as turns and die with the activation.</summary>
internal sealed partial class ActivationData
{
    private List<GrainTimer>? timers;

    public IGrainTimer RegisterTimer(Func<CancellationToken, Task> callback, GrainTimerOptions options)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new GrainTimer(this, callback, options, runtime.TimeProvider);
        lock (gate)
        {
            if (status is ActivationStatus.Invalid)
            {
                throw new InvalidOperationException($"{GrainId} is deactivated; it cannot register timers.");
            }

            (timers ??= []).Add(timer);
        }

        timer.Start();
        return timer;
    }

    /// <summary>Queues a timer tick; false when the activation is gone or going.</summary>
    public bool EnqueueTimerTick(GrainTimer timer)
    {
        lock (gate)
        {
            if (status is ActivationStatus.Invalid or ActivationStatus.Deactivating)
            {
                return false;
            }
        }

        return Enqueue(Message.ForTimer(timer, GrainId));
    }

    public void RemoveTimer(GrainTimer timer)
    {
        lock (gate)
        {
            timers?.Remove(timer);
        }
    }

    private void DisposeTimers()
    {
        GrainTimer[] all;
        lock (gate)
        {
            all = timers?.ToArray() ?? [];
        }

        foreach (var timer in all)
        {
            timer.Dispose();
        }
    }
}
