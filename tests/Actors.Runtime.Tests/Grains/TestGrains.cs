using System.Collections.Immutable;

namespace Actors.Runtime.Tests.Grains;

public sealed class CounterGrain : Grain, ICounterGrain
{
    private int count;

    private Probe Probe => Probe.For(this.GetPrimaryKeyString());

    public async Task<int> IncrementAsync()
    {
        Probe.Enter();
        try
        {
            var before = count;
            await Task.Yield();
            await Task.Delay(1);
            count = before + 1;
            return count;
        }
        finally
        {
            Probe.Exit();
        }
    }

    public Task<int> GetAsync() => Task.FromResult(count);

    public Task FailAsync(string message) => throw new InvalidOperationException(message);

    public async Task BlockAsync()
    {
        Probe.Record("block-start");
        await Probe.Gate.Task;
        Probe.Record("block-end");
    }

    public Task<string> PingAsync()
    {
        Probe.Record("ping");
        return Task.FromResult("pong");
    }

    public async Task<int> WaitForCancellationAsync(CancellationToken cancellationToken)
    {
        Probe.Record("waiting");
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return -1;
    }

    public Task DeactivateAsync()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }
}

[Reentrant]
public sealed class ReentrantGrain : Grain, IReentrantGrain
{
    private int executingSynchronously;

    public async Task<int> EnterAndWaitAsync()
    {
        var probe = Probe.For(this.GetPrimaryKeyString());
        CheckSingleThreaded();
        var inside = probe.Enter();
        await probe.Gate.Task;
        CheckSingleThreaded();
        probe.Exit();
        return inside;
    }

    // Interleaving happens only at awaits: two synchronous segments never run at once.
    private void CheckSingleThreaded()
    {
        if (Interlocked.Increment(ref executingSynchronously) != 1)
        {
            Probe.For(this.GetPrimaryKeyString()).Record("parallel!");
        }

        Thread.SpinWait(1000);
        Interlocked.Decrement(ref executingSynchronously);
    }
}

public sealed class ReadOnlyMethodsGrain : Grain, IReadOnlyMethodsGrain
{
    public async Task<int> ReadAndWaitAsync()
    {
        var probe = Probe.For(this.GetPrimaryKeyString());
        var inside = probe.Enter();
        probe.Record("read");
        await probe.Gate.Task;
        probe.Exit();
        return inside;
    }

    public Task<int> WriteAsync()
    {
        var probe = Probe.For(this.GetPrimaryKeyString());
        probe.Record("write");
        return Task.FromResult(probe.Inside);
    }
}

public sealed class LifecycleState
{
    public string Value { get; set; } = "";

    public int Activations { get; set; }
}

[GrainType("lifecycle")]
public sealed class LifecycleGrain : Grain, ILifecycleGrain
{
    private readonly IPersistentState<LifecycleState> state;
    private IGrainTimer? timer;
    private int ticks;

    public LifecycleGrain([PersistentState("main")] IPersistentState<LifecycleState> state)
    {
        this.state = state;
        Probe.Record("ctor");
    }

    private Probe Probe => Probe.For(GrainId.Key);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // State is loaded before OnActivateAsync.
        Probe.Record($"activate:{state.State.Value}:{state.RecordExists}");
        state.State.Activations++;
        await state.WriteStateAsync(cancellationToken);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        Probe.Record($"deactivate:{reason.Code}");
        state.State.Value += "+saved";
        await state.WriteStateAsync(cancellationToken);
    }

    public Task<string> GetValueAsync()
    {
        Probe.Record("call");
        return Task.FromResult(state.State.Value);
    }

    public async Task SetValueAsync(string value)
    {
        state.State.Value = value;
        await state.WriteStateAsync();
    }

    public Task DeactivateAsync()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public Task StartTimerAsync(TimeSpan period)
    {
        timer?.Dispose();
        timer = RegisterGrainTimer(async ct =>
        {
            var inside = Probe.Enter();
            Probe.Record($"tick-inside:{inside}");
            await Task.Yield();
            ticks++;
            Probe.Exit();
        }, period, period);
        return Task.CompletedTask;
    }

    public Task<int> GetTicksAsync() => Task.FromResult(ticks);
}

public sealed class CallerGrain : Grain, ICallerGrain
{
    private List<int> stored = [];

    public async Task<string> CallPeerAsync(string peerKey, int depth)
    {
        if (depth == 0)
        {
            return GrainId.Key;
        }

        var peer = GrainFactory.GetGrain<ICallerGrain>(peerKey);
        return GrainId.Key + ">" + await peer.CallPeerAsync(GrainId.Key, depth - 1);
    }

    public Task<string> EchoAsync(string value) => Task.FromResult(value);

    public Task<string?> ReadContextAsync(string key) => Task.FromResult(RequestContext.Get(key) as string);

    public async Task<string?> ReadContextThroughPeerAsync(string peerKey, string key)
    {
        var mine = RequestContext.Get(key) as string;
        RequestContext.Set("from-callee", "x");
        var peers = await GrainFactory.GetGrain<ICallerGrain>(peerKey).ReadContextAsync(key);
        return $"{mine}|{peers}";
    }

    public Task<List<int>> RoundTripListAsync(List<int> values)
    {
        stored = values;
        return Task.FromResult(stored);
    }

    public Task<int> SumAfterMutatingAsync(List<int> values)
    {
        var sum = values.Sum();
        values.Clear();
        return Task.FromResult(sum);
    }

    public Task<List<int>> GetStoredListAsync() => Task.FromResult(stored);

    public Task<ImmutableArray<string>> TagsAsync(ImmutableArray<string> tags) => Task.FromResult(tags.Add("seen"));
}

[StatelessWorker(4)]
public sealed class WorkerGrain : Grain, IWorkerGrain
{
    public async Task<int> WorkAsync(string probeKey)
    {
        var probe = Probe.For(probeKey);
        var inside = probe.Enter();
        await probe.Gate.Task;
        probe.Exit();
        return inside;
    }
}

public sealed class NotifierGrain : Grain, INotifierGrain
{
    private readonly List<INumberObserver> observers = [];

    public Task SubscribeAsync(INumberObserver observer)
    {
        observers.Add(observer);
        return Task.CompletedTask;
    }

    public async Task PublishAsync(int count)
    {
        for (var i = 1; i <= count; i++)
        {
            foreach (var observer in observers)
            {
                await observer.OnNumberAsync(i);
            }
        }
    }
}
