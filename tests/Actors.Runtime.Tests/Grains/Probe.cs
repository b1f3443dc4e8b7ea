using System.Collections.Concurrent;

namespace Actors.Runtime.Tests.Grains;

/// <summary>
/// Test-side instrumentation shared between a test and the grains it drives, keyed by grain key so
/// tests running in parallel never see each other's numbers.
/// </summary>
public sealed class Probe
{
    private static readonly ConcurrentDictionary<string, Probe> All = new();

    private int inside;
    private int maxInside;

    public static Probe For(string key) => All.GetOrAdd(key, _ => new Probe());

    public ConcurrentQueue<string> Events { get; } = new();

    /// <summary>Calls wait on this gate until the test opens it.</summary>
    public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Inside => Volatile.Read(ref inside);

    public int MaxInside => Volatile.Read(ref maxInside);

    public int Enter()
    {
        var now = Interlocked.Increment(ref inside);
        int seen;
        while (now > (seen = Volatile.Read(ref maxInside)) && Interlocked.CompareExchange(ref maxInside, now, seen) != seen)
        {
        }

        return now;
    }

    public void Exit() => Interlocked.Decrement(ref inside);

    public void Record(string e) => Events.Enqueue(e);
}
