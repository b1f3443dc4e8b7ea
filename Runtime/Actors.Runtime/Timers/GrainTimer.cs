using Actors.Runtime.Activation;

namespace Actors.Runtime.Timers;

/// <summary>
/// A timer owned by one activation. A tick is skipped while the previous one is still queued or
/// running, so ticks never pile up behind a slow callback.
/// </summary>
internal sealed class GrainTimer(ActivationData owner, Func<CancellationToken, Task> callback, GrainTimerOptions options, TimeProvider timeProvider) : IGrainTimer
{
    private readonly CancellationTokenSource disposed = new();
    private ITimer? timer;
    private int pending;

    public GrainTimerOptions Options { get; } = options;

    public void Start() => timer = timeProvider.CreateTimer(static s => ((GrainTimer)s!).OnFired(), this, Options.DueTime, Options.Period);

    private void OnFired()
    {
        if (disposed.IsCancellationRequested || Interlocked.CompareExchange(ref pending, 1, 0) != 0)
        {
            return;
        }

        if (!owner.EnqueueTimerTick(this))
        {
            Volatile.Write(ref pending, 0);
        }
    }

    public async Task RunTickAsync()
    {
        try
        {
            if (!disposed.IsCancellationRequested)
            {
                await callback(disposed.Token);
            }
        }
        finally
        {
            Volatile.Write(ref pending, 0);
        }
    }

    public void Change(TimeSpan dueTime, TimeSpan period)
    {
        ObjectDisposedException.ThrowIf(disposed.IsCancellationRequested, this);
        timer?.Change(dueTime, period);
    }

    public void Dispose()
    {
        if (disposed.IsCancellationRequested)
        {
            return;
        }

        disposed.Cancel();
        timer?.Dispose();
        owner.RemoveTimer(this);
    }
}
