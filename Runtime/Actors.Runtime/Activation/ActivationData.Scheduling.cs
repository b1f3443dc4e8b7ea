using Actors.Runtime.Messaging;

namespace Actors.Runtime.Activation;

/// <summary>Mailbox, admission (reentrancy rules) and the turn loop.</summary>
internal sealed partial class ActivationData : IThreadPoolWorkItem
{
    private ActivationSynchronizationContext? synchronizationContext;
    private Queue<Message>? waiting;
    private Queue<WorkItem>? ready;
    private List<Message>? runningMessages;
    private bool scheduled;
    private int running;
    private int runningWriters;
    private int admissions;

    /// <summary>
    /// The call running alone in this activation (no interleaving possible), so outgoing calls can
    /// find their caller without an async-local (which costs an ExecutionContext per turn).
    /// </summary>
    public Message? ExclusiveMessage { get; private set; }

    private readonly record struct WorkItem(SendOrPostCallback? Callback, object? State);

    /// <summary>Messages waiting for admission (for the mailbox-depth metric).</summary>
    public int WaitingCount
    {
        get
        {
            lock (gate)
            {
                return waiting?.Count ?? 0;
            }
        }
    }

    /// <summary>True when nothing runs and nothing waits (stateless worker selection).</summary>
    public bool IsIdle => running == 0 && (waiting is null || waiting.Count == 0) && status == ActivationStatus.Valid;

    public int Load => running + (waiting?.Count ?? 0);

    /// <summary>
    /// Accepts a message into the mailbox. Returns false when this activation is gone and the caller
    /// must route the message again.
    /// </summary>
    public bool Enqueue(Message message)
    {
        bool cycle;
        lock (gate)
        {
            if (status == ActivationStatus.Invalid)
            {
                return false;
            }

            var admitNow = (waiting is null || waiting.Count == 0 || IsInterleaving(message)) && CanAdmit(message);
            if (admitNow)
            {
                Admit(message);
                return true;
            }

            // A non-reentrant grain already busy, addressed by a chain that it is itself waiting on,
            // would wait forever: fail fast instead of at the call timeout.
            cycle = message.Chain is not null && WorkerGroup is null && running > 0 && message.Chain.Contains(GrainId);
            if (!cycle)
            {
                (waiting ??= new Queue<Message>(2)).Enqueue(message);
                return true;
            }
        }

        Diagnostics.RuntimeLog.CallCycle(runtime.Logger, message.MethodName, GrainId);
        CompleteMessage(message, new GrainCallCycleException(
            $"Call cycle detected: {message.Chain!.Describe(GrainId, message.MethodName)}. {GrainId} is not reentrant and is waiting on this chain; " +
            "mark the grain class [Reentrant] or the method [AlwaysInterleave], or avoid calling back into the caller."));
        return true;
    }

    private bool IsInterleaving(Message message) =>
        ClassInfo.IsReentrant || (message.IsTimerTick ? message.Timer!.Options.Interleave : message.Request.Method.IsAlwaysInterleave);

    private bool CanAdmit(Message message)
    {
        if (status == ActivationStatus.Activating || (status == ActivationStatus.Deactivating && !drainBeforeDeactivation))
        {
            return false;
        }

        if (running == 0)
        {
            return true;
        }

        if (IsInterleaving(message))
        {
            return true;
        }

        return !message.IsTimerTick && message.Request.Method.IsReadOnly && runningWriters == 0;
    }

    private void Admit(Message message)
    {
        running++;
        if (message.IsTimerTick || !message.Request.Method.IsReadOnly)
        {
            runningWriters++;
        }

        // Execution time is sampled (an activation's first 8 calls, then 1 in 8): counts stay exact,
        // the clock is read less often.
        var admission = ++admissions;
        message.AdmittedAt = admission <= 8 || (admission & 7) == 0 ? runtime.TimeProvider.GetTimestamp() : 0;
        (runningMessages ??= new List<Message>(1)).Add(message);
        EnqueueWorkLocked(null, message);
    }

    /// <summary>Admits waiting messages in order while the rules allow. Caller holds the lock.</summary>
    private void AdmitWaitingLocked()
    {
        if (waiting is null)
        {
            return;
        }

        while (waiting.Count > 0 && CanAdmit(waiting.Peek()))
        {
            Admit(waiting.Dequeue());
        }
    }

    /// <summary>Queues a continuation or work item to run as part of this activation's turn loop.</summary>
    public void EnqueueWork(SendOrPostCallback? callback, object? state)
    {
        lock (gate)
        {
            EnqueueWorkLocked(callback, state);
        }
    }

    private void EnqueueWorkLocked(SendOrPostCallback? callback, object? state)
    {
        (ready ??= new Queue<WorkItem>(2)).Enqueue(new WorkItem(callback, state));
        if (!scheduled)
        {
            scheduled = true;
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    /// <summary>The turn loop: runs queued items one at a time, then yields the thread.</summary>
    public void Execute()
    {
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(synchronizationContext ??= new ActivationSynchronizationContext(this));
        try
        {
            var budget = runtime.Options.TurnBatchSize;
            for (var i = 0; i < budget; i++)
            {
                WorkItem item;
                lock (gate)
                {
                    if (ready is null || ready.Count == 0)
                    {
                        scheduled = false;
                        return;
                    }

                    item = ready.Dequeue();
                }

                RunWorkItem(item);
            }

            // Out of budget with work left: requeue behind other activations for fairness.
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }
    }

    private void RunWorkItem(WorkItem item)
    {
        try
        {
            if (item.Callback is { } callback)
            {
                callback(item.State);
            }
            else if (item.State is Message message)
            {
                _ = RunMessageAsync(message);
            }
        }
        catch (Exception exception)
        {
            // Only an async-void body in grain code can throw here; never let it kill the loop.
            Diagnostics.RuntimeLog.TimerFailed(runtime.Logger, exception, GrainId);
        }
    }

    private async Task RunMessageAsync(Message message)
    {
        Exception? error = null;
        var exclusive = !IsInterleaving(message) && (message.IsTimerTick || !message.Request.Method.IsReadOnly);
        if (exclusive)
        {
            ExclusiveMessage = message;
        }
        else
        {
            RuntimeContext.Current = message;
        }

        RequestContext.Snapshot = message.RequestContext;
        try
        {
            if (message.IsTimerTick)
            {
                await message.Timer!.RunTickAsync();
            }
            else if (!message.IsCompleted)
            {
                // Skip work whose caller has already given up (timed out or cancelled while queued).
                if (message.Request.CancellationToken.IsCancellationRequested)
                {
                    error = new OperationCanceledException(message.Request.CancellationToken);
                }
                else
                {
                    await runtime.InvokeIncoming(this, message);
                }
            }
        }
        catch (Exception exception)
        {
            error = exception;
        }

        if (exclusive)
        {
            ExclusiveMessage = null;
        }

        OnMessageFinished(message, error);
    }

    private void OnMessageFinished(Message message, Exception? error)
    {
        var keepAlive = !message.IsTimerTick || message.Timer!.Options.KeepAlive;
        bool startDeactivation;
        lock (gate)
        {
            running--;
            if (message.IsTimerTick || !message.Request.Method.IsReadOnly)
            {
                runningWriters--;
            }

            runningMessages!.Remove(message);
            if (keepAlive)
            {
                lastActivity = runtime.CoarseNow;
            }

            startDeactivation = ShouldStartDeactivationLocked();
            if (!startDeactivation)
            {
                AdmitWaitingLocked();
            }
        }

        if (message.IsTimerTick)
        {
            if (error is not null)
            {
                Diagnostics.RuntimeLog.TimerFailed(runtime.Logger, error, GrainId);
            }
        }
        else
        {
            if (error is null && !message.FromRemote)
            {
                message.Request.CopyResult(runtime.Copier);
            }

            runtime.Metrics.CallCompleted(message, ClassInfo.TypeName, error is not null);
            runtime.CallStatistics.Record(
                ClassInfo.TypeName,
                message.Request.Method,
                message.AdmittedAt == 0 ? null : runtime.TimeProvider.GetElapsedTime(message.AdmittedAt).TotalMilliseconds,
                error is not null);
            CompleteMessage(message, error);
        }

        if (startDeactivation)
        {
            BeginDeactivation();
        }
    }

    /// <summary>
    /// Completes the caller's task outside this activation's synchronization context, so a caller
    /// continuation that runs inline never posts its own awaits into this activation.
    /// </summary>
    private static void CompleteMessage(Message message, Exception? error)
    {
        var context = SynchronizationContext.Current;
        if (context is null)
        {
            message.TryComplete(error);
            return;
        }

        SynchronizationContext.SetSynchronizationContext(null);
        try
        {
            message.TryComplete(error);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(context);
        }
    }

    /// <summary>Fails calls whose deadline passed, whether waiting or running.</summary>
    public void ExpireCalls(long now)
    {
        List<Message>? expired = null;
        lock (gate)
        {
            if (running == 0 && (waiting is null || waiting.Count == 0))
            {
                return;
            }

            if (runningMessages is not null)
            {
                foreach (var m in runningMessages)
                {
                    if (!m.IsTimerTick && m.Deadline <= now && !m.IsCompleted)
                    {
                        (expired ??= []).Add(m);
                    }
                }
            }

            if (waiting is not null)
            {
                foreach (var m in waiting)
                {
                    if (!m.IsTimerTick && m.Deadline <= now && !m.IsCompleted)
                    {
                        (expired ??= []).Add(m);
                    }
                }
            }
        }

        if (expired is null)
        {
            return;
        }

        foreach (var m in expired)
        {
            if (m.Request.Method.IsOneWay)
            {
                continue;
            }

            Diagnostics.RuntimeLog.CallTimedOut(runtime.Logger, m.MethodName, GrainId, runtime.Options.CallTimeout);
            runtime.Metrics.CallTimedOut(ClassInfo.TypeName, m.Request.Method.Name);
            m.TryComplete(new TimeoutException(
                $"Call to {m.MethodName} on grain {GrainId} timed out after {runtime.Options.CallTimeout.TotalSeconds:0.###} s."));
        }
    }
}
