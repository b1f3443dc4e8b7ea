using Actors.Runtime.Catalog;
using Actors.Runtime.Diagnostics;
using Actors.Runtime.Messaging;
using Actors.Runtime.State;

namespace Actors.Runtime.Activation;

/// <summary>Activation (state load, OnActivateAsync), deactivation and idle collection.</summary>
internal sealed partial class ActivationData
{
    private ActivationStatus status;
    private long lastActivity;
    private long keepAliveUntil;
    private DeactivationReason? requestedDeactivation;
    private bool drainBeforeDeactivation;
    private TaskCompletionSource? deactivated;

    public ActivationStatus Status => status;

    /// <summary>Completes when the activation is gone (after OnDeactivateAsync).</summary>
    public Task Deactivated
    {
        get
        {
            lock (gate)
            {
                return (deactivated ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }
        }
    }

    /// <summary>Starts an activation whose instance the runtime constructs (loading state first).</summary>
    public void Activate() => EnqueueWork(static s => ((ActivationData)s!).RunActivationAsync().Forget(), this);

    /// <summary>Starts an observer activation around an existing object.</summary>
    public void ActivateWith(object instance)
    {
        lock (gate)
        {
            Instance = instance;
            status = ActivationStatus.Valid;
        }
    }

    private async Task RunActivationAsync()
    {
        try
        {
            var loaders = new List<IPersistentStateLoader>(ClassInfo.StateParameters.Count);
            var args = new ActivationContextArgs(this, parameter =>
            {
                var storage = runtime.GetStorage(parameter.StorageName, ClassInfo);
                var key = new Storage.GrainStateKey(ClassInfo.TypeName, GrainId.Key, parameter.StateName);
                var state = parameter.Factory(key, storage, runtime.Services, this);
                loaders.Add(state);
                return state;
            });
            Instance = ClassInfo.CreateInstance(runtime.Services, args);
            foreach (var loader in loaders)
            {
                await loader.ReadStateAsync(CancellationToken.None);
            }

            if (Instance is Grain grain)
            {
                using var timeout = new CancellationTokenSource(runtime.Options.CallTimeout, runtime.TimeProvider);
                await grain.OnActivateAsync(timeout.Token);
            }
        }
        catch (Exception exception)
        {
            RuntimeLog.ActivationFailed(runtime.Logger, exception, GrainId);
            FailActivation(exception);
            return;
        }

        bool startDeactivation;
        lock (gate)
        {
            status = ActivationStatus.Valid;
            lastActivity = runtime.TimeProvider.GetTimestamp();
            startDeactivation = ShouldStartDeactivationLocked();
            if (!startDeactivation)
            {
                AdmitWaitingLocked();
            }
        }

        runtime.Metrics.ActivationCreated(ClassInfo.TypeName);
        if (startDeactivation)
        {
            BeginDeactivation();
        }
    }

    private void FailActivation(Exception exception)
    {
        Message[] pending;
        lock (gate)
        {
            status = ActivationStatus.Invalid;
            pending = waiting?.ToArray() ?? [];
            waiting?.Clear();
        }

        runtime.Catalog.Remove(this);
        foreach (var message in pending)
        {
            CompleteMessage(message, exception);
        }

        SignalDeactivated();
    }

    /// <summary>Asks the activation to go away once running work completes (DeactivateOnIdle and friends).</summary>
    public void RequestDeactivation(DeactivationReason reason)
    {
        bool start;
        lock (gate)
        {
            if (status is ActivationStatus.Invalid || requestedDeactivation is not null)
            {
                return;
            }

            requestedDeactivation = reason;
            drainBeforeDeactivation = reason.Code == DeactivationReasonCode.ShuttingDown;
            if (status == ActivationStatus.Valid)
            {
                status = ActivationStatus.Deactivating;
            }

            start = ShouldStartDeactivationLocked();
        }

        if (start)
        {
            BeginDeactivation();
        }
    }

    private bool ShouldStartDeactivationLocked()
    {
        if (requestedDeactivation is null || status == ActivationStatus.Invalid || running != 0 || deactivationStarted)
        {
            return false;
        }

        if (status == ActivationStatus.Activating)
        {
            return false;
        }

        status = ActivationStatus.Deactivating;
        if (drainBeforeDeactivation && waiting is { Count: > 0 })
        {
            return false;
        }

        deactivationStarted = true;
        return true;
    }

    private bool deactivationStarted;

    private void BeginDeactivation() => EnqueueWork(static s => ((ActivationData)s!).RunDeactivationAsync().Forget(), this);

    private async Task RunDeactivationAsync()
    {
        var reason = requestedDeactivation ?? new DeactivationReason(DeactivationReasonCode.ApplicationRequested, "Deactivation requested.");
        DisposeTimers();
        if (Instance is Grain grain)
        {
            try
            {
                using var timeout = new CancellationTokenSource(runtime.Options.DeactivationTimeout, runtime.TimeProvider);
                await grain.OnDeactivateAsync(reason, timeout.Token);
            }
            catch (Exception exception)
            {
                RuntimeLog.DeactivationFailed(runtime.Logger, exception, GrainId, reason);
            }
        }

        Message[] pending;
        lock (gate)
        {
            status = ActivationStatus.Invalid;
            pending = waiting?.ToArray() ?? [];
            waiting?.Clear();
        }

        runtime.Catalog.Remove(this);
        runtime.Metrics.ActivationRemoved(ClassInfo.TypeName);
        RuntimeLog.Deactivated(runtime.Logger, GrainId, reason);

        // Calls that arrived while we were going away go to a fresh activation.
        foreach (var message in pending)
        {
            runtime.Redeliver(message);
        }

        SignalDeactivated();
    }

    private void SignalDeactivated()
    {
        TaskCompletionSource? tcs;
        lock (gate)
        {
            tcs = deactivated ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        tcs.TrySetResult();
    }

    /// <summary>Deactivates when idle for the configured time (called by the maintenance sweep).</summary>
    public void CollectIfIdle(long now, long idleTicks)
    {
        lock (gate)
        {
            if (status != ActivationStatus.Valid || ClassInfo.IsObserver || now - lastActivity < idleTicks || now < keepAliveUntil
                || !OnlyBackgroundTicks(runningMessages) || !OnlyBackgroundTicks(waiting))
            {
                return;
            }
        }

        RequestDeactivation(new DeactivationReason(DeactivationReasonCode.ActivationIdle, "Idle for longer than the idle timeout."));
    }

    // Timer ticks that do not keep the grain alive never hold off collection; it waits for them to end.
    private static bool OnlyBackgroundTicks(List<Message>? messages)
    {
        if (messages is null)
        {
            return true;
        }

        foreach (var m in messages)
        {
            if (!m.IsTimerTick || m.Timer!.Options.KeepAlive)
            {
                return false;
            }
        }

        return true;
    }

    private static bool OnlyBackgroundTicks(Queue<Message>? messages)
    {
        if (messages is null)
        {
            return true;
        }

        foreach (var m in messages)
        {
            if (!m.IsTimerTick || m.Timer!.Options.KeepAlive)
            {
                return false;
            }
        }

        return true;
    }

    public void DeactivateOnIdle() =>
        RequestDeactivation(new DeactivationReason(DeactivationReasonCode.ApplicationRequested, "DeactivateOnIdle was called."));

    public void DelayDeactivation(TimeSpan timeSpan)
    {
        var until = runtime.TimeProvider.GetTimestamp() + (long)(timeSpan.TotalSeconds * runtime.TimeProvider.TimestampFrequency);
        lock (gate)
        {
            keepAliveUntil = Math.Max(keepAliveUntil, until);
        }
    }
}

internal static class TaskExtensions
{
    /// <summary>Observes a task whose failures are handled inside it.</summary>
    public static void Forget(this Task task) => _ = task;
}
