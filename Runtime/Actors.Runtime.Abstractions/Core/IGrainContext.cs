namespace Actors;

/// <summary>What the runtime gives an activation: identity, services, timers and lifecycle control.</summary>
public interface IGrainContext
{
    GrainId GrainId { get; }

    IGrainFactory GrainFactory { get; }

    IServiceProvider ActivationServices { get; }

    TimeProvider TimeProvider { get; }

    IGrainTimer RegisterTimer(Func<CancellationToken, Task> callback, GrainTimerOptions options);

    /// <summary>Deactivate once the current turn completes.</summary>
    void DeactivateOnIdle();

    /// <summary>Keep the activation alive at least this long, even when idle.</summary>
    void DelayDeactivation(TimeSpan timeSpan);
}

/// <summary>
/// Hands the context of the activation being constructed to the <see cref="Grain"/> base class, so
/// grain constructors stay free of runtime parameters. Used by the runtime only.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class GrainConstruction
{
    [ThreadStatic]
    private static IGrainContext? current;

    public static IGrainContext? Current => current;

    public static IDisposable Enter(IGrainContext context)
    {
        var previous = current;
        current = context;
        return new Scope(previous);
    }

    private sealed class Scope(IGrainContext? previous) : IDisposable
    {
        public void Dispose() => current = previous;
    }
}
