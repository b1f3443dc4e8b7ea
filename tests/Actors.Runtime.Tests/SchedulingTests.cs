using Actors.Runtime.Testing;
using Actors.Runtime.Tests.Grains;

namespace Actors.Runtime.Tests;

[Collection(ClusterCollection.Name)]
public sealed class SchedulingTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Concurrent_calls_to_a_non_reentrant_grain_never_overlap()
    {
        var key = Keys.New();
        var grain = fixture.Grains.GetGrain<ICounterGrain>(key);

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => grain.IncrementAsync())).WaitAsync(Bound);

        Assert.Equal(1, Probe.For(key).MaxInside);
        Assert.Equal(50, await grain.GetAsync());
        Assert.Equal(Enumerable.Range(1, 50), results.Order());
    }

    [Fact]
    public async Task Reentrant_grain_interleaves_requests_but_runs_one_segment_at_a_time()
    {
        var key = Keys.New();
        var grain = fixture.Grains.GetGrain<IReentrantGrain>(key);
        var probe = Probe.For(key);

        var calls = Enumerable.Range(0, 5).Select(_ => grain.EnterAndWaitAsync()).ToArray();
        await TestWait.UntilAsync(() => probe.Inside == 5, Bound, "all five reentrant calls should be inside at once");
        probe.Gate.SetResult();
        await Task.WhenAll(calls).WaitAsync(Bound);

        Assert.Equal(5, probe.MaxInside);
        Assert.DoesNotContain("parallel!", probe.Events);
    }

    [Fact]
    public async Task AlwaysInterleave_method_runs_while_a_non_reentrant_call_is_blocked()
    {
        var key = Keys.New();
        var grain = fixture.Grains.GetGrain<ICounterGrain>(key);
        var probe = Probe.For(key);

        var blocked = grain.BlockAsync();
        await TestWait.UntilAsync(() => probe.Events.Contains("block-start"), Bound);

        Assert.Equal("pong", await grain.PingAsync().WaitAsync(Bound));
        Assert.False(blocked.IsCompleted);

        probe.Gate.SetResult();
        await blocked.WaitAsync(Bound);
        Assert.Equal(["block-start", "ping", "block-end"], probe.Events);
    }

    [Fact]
    public async Task Non_interleaving_call_waits_for_the_blocked_one()
    {
        var key = Keys.New();
        var grain = fixture.Grains.GetGrain<ICounterGrain>(key);
        var probe = Probe.For(key);

        var blocked = grain.BlockAsync();
        await TestWait.UntilAsync(() => probe.Events.Contains("block-start"), Bound);
        var queued = grain.GetAsync();

        // The queued call cannot complete before the gate opens; open it and both complete in order.
        Assert.False(queued.IsCompleted);
        probe.Gate.SetResult();
        await Task.WhenAll(blocked, queued).WaitAsync(Bound);
        Assert.Equal(0, await queued);
    }

    [Fact]
    public async Task ReadOnly_methods_interleave_with_each_other_but_not_with_writes()
    {
        var key = Keys.New();
        var grain = fixture.Grains.GetGrain<IReadOnlyMethodsGrain>(key);
        var probe = Probe.For(key);

        var reads = new[] { grain.ReadAndWaitAsync(), grain.ReadAndWaitAsync(), grain.ReadAndWaitAsync() };
        await TestWait.UntilAsync(() => probe.Inside == 3, Bound, "three read-only calls should interleave");
        var write = grain.WriteAsync();
        var readAfterWrite = grain.ReadAndWaitAsync();

        Assert.False(write.IsCompleted);
        probe.Gate.SetResult();

        // The write saw no reader inside: it ran after the reads and before the later read.
        Assert.Equal(0, await write.WaitAsync(Bound));
        await Task.WhenAll(reads).WaitAsync(Bound);
        await readAfterWrite.WaitAsync(Bound);
        Assert.Equal(["read", "read", "read", "write", "read"], probe.Events);
    }

    [Fact]
    public async Task Stateless_worker_runs_calls_in_parallel_activations_up_to_its_limit()
    {
        var probeKey = Keys.New("probe");
        var probe = Probe.For(probeKey);
        var worker = fixture.Grains.GetGrain<IWorkerGrain>(Random.Shared.NextInt64());

        var calls = Enumerable.Range(0, 6).Select(_ => worker.WorkAsync(probeKey)).ToArray();
        await TestWait.UntilAsync(() => probe.Inside == 4, Bound, "four workers should run at once");

        // The limit is 4: the other two calls queue behind busy workers.
        Assert.Equal(4, probe.Inside);
        probe.Gate.SetResult();
        await Task.WhenAll(calls).WaitAsync(Bound);
        Assert.Equal(4, probe.MaxInside);
    }
}
