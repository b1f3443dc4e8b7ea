namespace Actors;

/// <summary>A timer owned by one activation. Its callback runs as a turn of that activation.</summary>
public interface IGrainTimer : IDisposable
{
    /// <summary>Changes the due time and period. <see cref="Timeout.InfiniteTimeSpan"/> period means fire once.</summary>
    void Change(TimeSpan dueTime, TimeSpan period);
}

/// <summary>How a grain timer behaves.</summary>
public readonly record struct GrainTimerOptions(TimeSpan DueTime, TimeSpan Period)
{
    /// <summary>When true the tick may interleave with running requests; by default it waits its turn.</summary>
    public bool Interleave { get; init; }

    /// <summary>When false (the default) a tick does not count as activity for idle collection.</summary>
    public bool KeepAlive { get; init; }
}
