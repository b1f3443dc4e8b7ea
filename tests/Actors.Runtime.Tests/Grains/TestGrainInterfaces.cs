using System.Collections.Immutable;

namespace Actors.Runtime.Tests.Grains;

/// <summary>A plain non-reentrant grain that counts calls and can be told to fail or block.</summary>
public interface ICounterGrain : IGrainWithStringKey
{
    Task<int> IncrementAsync();

    Task<int> GetAsync();

    Task FailAsync(string message);

    /// <summary>Waits on the probe's gate (never completes unless the test opens it).</summary>
    Task BlockAsync();

    [AlwaysInterleave]
    Task<string> PingAsync();

    Task<int> WaitForCancellationAsync(CancellationToken cancellationToken);

    Task DeactivateAsync();
}

/// <summary>Reentrant: requests interleave at awaits.</summary>
public interface IReentrantGrain : IGrainWithStringKey
{
    Task<int> EnterAndWaitAsync();
}

/// <summary>Read-only methods interleave with each other, not with writes.</summary>
public interface IReadOnlyMethodsGrain : IGrainWithStringKey
{
    [ReadOnly]
    Task<int> ReadAndWaitAsync();

    Task<int> WriteAsync();
}

/// <summary>Records its lifecycle and keeps a persisted value.</summary>
public interface ILifecycleGrain : IGrainWithGuidKey
{
    Task<string> GetValueAsync();

    Task SetValueAsync(string value);

    Task DeactivateAsync();

    Task StartTimerAsync(TimeSpan period);

    Task<int> GetTicksAsync();
}

/// <summary>Calls other grains, for chains, cycles and context flow.</summary>
public interface ICallerGrain : IGrainWithStringKey
{
    Task<string> CallPeerAsync(string peerKey, int depth);

    Task<string> EchoAsync(string value);

    Task<string?> ReadContextAsync(string key);

    Task<string?> ReadContextThroughPeerAsync(string peerKey, string key);

    Task<List<int>> RoundTripListAsync(List<int> values);

    Task<int> SumAfterMutatingAsync(List<int> values);

    Task<List<int>> GetStoredListAsync();

    Task<ImmutableArray<string>> TagsAsync(ImmutableArray<string> tags);
}

/// <summary>Stateless worker: parallel activations of one id.</summary>
public interface IWorkerGrain : IGrainWithIntegerKey
{
    Task<int> WorkAsync(string probeKey);
}

/// <summary>A grain that pushes to an observer.</summary>
public interface INotifierGrain : IGrainWithStringKey
{
    Task SubscribeAsync(INumberObserver observer);

    Task PublishAsync(int count);
}

public interface INumberObserver : IGrainObserver
{
    [OneWay]
    Task OnNumberAsync(int value);
}

/// <summary>An interface with no implementation anywhere.</summary>
public interface IOrphanGrain : IGrainWithStringKey
{
    Task DoAsync();
}
