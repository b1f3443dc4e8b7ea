using Actors.Runtime.Catalog;
using Actors.Runtime.Messaging;
using Actors.Runtime.State;

namespace Actors.Runtime.Activation;

/// <summary>
/// One activation of one grain: its instance, its mailbox and turn scheduler, its timers and its
/// lifecycle. Split by concern into partial files (Scheduling, Lifecycle, Timers).
/// </summary>
internal sealed partial class ActivationData : IGrainContext, IStateOwner
{
    private readonly RuntimeServices runtime;
    private readonly Lock gate = new();

    public ActivationData(GrainId grainId, GrainClassInfo classInfo, RuntimeServices runtime, StatelessWorkerGroup? workerGroup = null)
    {
        GrainId = grainId;
        ClassInfo = classInfo;
        this.runtime = runtime;
        WorkerGroup = workerGroup;
        lastActivity = runtime.TimeProvider.GetTimestamp();
    }

    public GrainId GrainId { get; }

    public GrainClassInfo ClassInfo { get; }

    /// <summary>The group this activation belongs to when the grain is a stateless worker.</summary>
    public StatelessWorkerGroup? WorkerGroup { get; }

    /// <summary>The grain (or observer) object; null until constructed.</summary>
    public object? Instance { get; private set; }

    public IGrainFactory GrainFactory => runtime.GrainRuntime;

    public IServiceProvider ActivationServices => runtime.Services;

    public TimeProvider TimeProvider => runtime.TimeProvider;

    public override string ToString() => $"[Activation {GrainId} {status}]";

    void IStateOwner.OnInconsistentState()
    {
        Diagnostics.RuntimeLog.InconsistentState(runtime.Logger, GrainId);
        RequestDeactivation(new DeactivationReason(DeactivationReasonCode.InconsistentState, "A state write found a newer ETag in storage."));
    }
}
