namespace Actors;

/// <summary>Why an activation is going away.</summary>
public enum DeactivationReasonCode
{
    None,
    ActivationIdle,
    ApplicationRequested,
    ShuttingDown,
    InconsistentState,
    ActivationFailed,
    Migrating,
}

public readonly record struct DeactivationReason(DeactivationReasonCode Code, string Description)
{
    public override string ToString() => $"{Code}: {Description}";
}

/// <summary>
/// Base class of grain implementations. One activation handles one request at a time (unless the
/// class or method allows interleaving); set up in <see cref="OnActivateAsync"/>.
/// </summary>
public abstract class Grain
{
    private readonly IGrainContext context;

    protected Grain()
    {
        context = GrainConstruction.Current
            ?? throw new InvalidOperationException("Grains are created by the runtime; use IGrainFactory.GetGrain to obtain a reference.");
    }

    public IGrainContext GrainContext => context;

    public GrainId GrainId => context.GrainId;

    protected IGrainFactory GrainFactory => context.GrainFactory;

    protected IServiceProvider ServiceProvider => context.ActivationServices;

    protected TimeProvider TimeProvider => context.TimeProvider;

    public string GetPrimaryKeyString() => context.GrainId.Key;

    public Guid GetPrimaryKey() => context.GrainId.GetGuidKey();

    public long GetPrimaryKeyLong() => context.GrainId.GetIntegerKey();

    /// <summary>Called after state is loaded and before the first request is handled.</summary>
    public virtual Task OnActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Called when the activation is collected, asked to deactivate, or the silo shuts down.</summary>
    public virtual Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Registers a timer whose ticks run as turns of this activation and die with it.</summary>
    protected IGrainTimer RegisterGrainTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period) =>
        context.RegisterTimer(callback, new GrainTimerOptions(dueTime, period));

    protected IGrainTimer RegisterGrainTimer(Func<CancellationToken, Task> callback, GrainTimerOptions options) =>
        context.RegisterTimer(callback, options);

    protected IGrainTimer RegisterGrainTimer<TState>(Func<TState, CancellationToken, Task> callback, TState state, TimeSpan dueTime, TimeSpan period) =>
        context.RegisterTimer(ct => callback(state, ct), new GrainTimerOptions(dueTime, period));

    /// <summary>Registers (or moves) a durable reminder; the grain must implement <see cref="IRemindable"/>.</summary>
    protected Task<GrainReminder> RegisterOrUpdateReminder(string reminderName, TimeSpan dueTime, TimeSpan period)
    {
        if (this is not IRemindable)
        {
            throw new InvalidOperationException($"{GetType().FullName} must implement IRemindable to register reminders.");
        }

        return Reminders.RegisterOrUpdateReminderAsync(GrainId, reminderName, dueTime, period);
    }

    protected Task UnregisterReminder(string reminderName) => Reminders.UnregisterReminderAsync(GrainId, reminderName);

    protected Task<GrainReminder?> GetReminder(string reminderName) => Reminders.GetReminderAsync(GrainId, reminderName);

    private IReminderRegistry Reminders =>
        context.ActivationServices.GetService(typeof(IReminderRegistry)) as IReminderRegistry
        ?? throw new InvalidOperationException("Reminders are not configured on this silo; add a reminder table (e.g. UsePostgresReminders).");

    /// <summary>Deactivate this activation once the current turn completes.</summary>
    protected void DeactivateOnIdle() => context.DeactivateOnIdle();

    protected void DelayDeactivation(TimeSpan timeSpan) => context.DelayDeactivation(timeSpan);
}
