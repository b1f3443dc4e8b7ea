using System.Collections.Immutable;
using Actors.Runtime.Testing;
using Actors.Runtime.Tests.Grains;

namespace Actors.Runtime.Tests;

[Collection(ClusterCollection.Name)]
public sealed class CallTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Grain_exception_reaches_the_caller_with_its_type_and_message_and_the_activation_survives()
    {
        var grain = fixture.Grains.GetGrain<ICounterGrain>(Keys.New());
        await grain.IncrementAsync();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => grain.FailAsync("the widget is broken"));

        Assert.Equal("the widget is broken", error.Message);
        // Same activation: the in-memory count survived the failure.
        Assert.Equal(2, await grain.IncrementAsync());
    }

    [Fact]
    public async Task Call_cycle_between_non_reentrant_grains_fails_fast_with_a_clear_exception()
    {
        var a = Keys.New("a");
        var b = Keys.New("b");

        // a → b → a: a is busy waiting on b, so the call back into a would wait forever.
        var error = await Assert.ThrowsAsync<GrainCallCycleException>(
            () => fixture.Grains.GetGrain<ICallerGrain>(a).CallPeerAsync(b, 2).WaitAsync(Bound));

        Assert.Contains($"caller/{a}", error.Message, StringComparison.Ordinal);
        Assert.Contains("→", error.Message, StringComparison.Ordinal);
        Assert.Contains("Reentrant", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Call_chain_without_a_cycle_completes()
    {
        var a = Keys.New("a");
        var b = Keys.New("b");

        var path = await fixture.Grains.GetGrain<ICallerGrain>(a).CallPeerAsync(b, 1).WaitAsync(Bound);

        Assert.Equal($"{a}>{b}", path);
    }

    [Fact]
    public async Task RequestContext_flows_into_the_callee_and_its_callees_but_not_back()
    {
        var first = fixture.Grains.GetGrain<ICallerGrain>(Keys.New());
        var peer = Keys.New();
        RequestContext.Set("tenant", "acme");
        try
        {
            var seen = await first.ReadContextThroughPeerAsync(peer, "tenant");

            Assert.Equal("acme|acme", seen);
            Assert.Null(RequestContext.Get("from-callee"));
        }
        finally
        {
            RequestContext.Clear();
        }
    }

    [Fact]
    public async Task Incoming_and_outgoing_filters_see_the_call_and_may_change_the_result()
    {
        var key = Keys.New("filtered");
        var grain = fixture.Grains.GetGrain<ICallerGrain>(key);

        var echoed = await grain.EchoAsync("hello");
        var stamped = await grain.ReadContextAsync("stamped-by-outgoing-filter");

        Assert.Equal("hello!filtered", echoed);
        Assert.Equal("yes!filtered", stamped);
        var seen = fixture.Filters.Seen.Where(s => s.Contains(key, StringComparison.Ordinal)).ToList();
        Assert.Equal(
            [$"out:{key}:EchoAsync", $"in:{key}:EchoAsync:CallerGrain", $"out:{key}:ReadContextAsync", $"in:{key}:ReadContextAsync:CallerGrain"],
            seen);
        Assert.Null(RequestContext.Get("stamped-by-outgoing-filter"));
    }

    [Fact]
    public async Task Mutable_arguments_and_results_are_copied_across_a_call()
    {
        var grain = fixture.Grains.GetGrain<ICallerGrain>(Keys.New());
        var mine = new List<int> { 1, 2, 3 };

        Assert.Equal(6, await grain.SumAfterMutatingAsync(mine));
        Assert.Equal([1, 2, 3], mine);

        var returned = await grain.RoundTripListAsync(mine);
        mine.Add(4);
        returned.Add(99);
        Assert.Equal([1, 2, 3], await grain.GetStoredListAsync());
    }

    [Fact]
    public async Task Immutable_collections_pass_through_unchanged()
    {
        var grain = fixture.Grains.GetGrain<ICallerGrain>(Keys.New());

        var tags = await grain.TagsAsync(["a", "b"]);

        Assert.Equal(["a", "b", "seen"], tags.ToArray());
    }

    [Fact]
    public async Task CancellationToken_flows_to_the_grain_and_cancels_the_call()
    {
        var key = Keys.New();
        var grain = fixture.Grains.GetGrain<ICounterGrain>(key);
        using var cts = new CancellationTokenSource();

        var call = grain.WaitForCancellationAsync(cts.Token);
        await TestWait.UntilAsync(() => Probe.For(key).Events.Contains("waiting"), Bound);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Bound));
        Assert.Equal(1, await grain.IncrementAsync());
    }

    [Fact]
    public async Task Interface_without_an_implementation_gives_a_routing_error()
    {
        var error = Assert.Throws<GrainRoutingException>(() => fixture.Grains.GetGrain<IOrphanGrain>("x"));

        Assert.Contains(nameof(IOrphanGrain), error.Message, StringComparison.Ordinal);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Observer_receives_one_way_notifications_in_order()
    {
        var observer = new CollectingObserver(100);
        var reference = fixture.Grains.CreateObjectReference<INumberObserver>(observer);
        var notifier = fixture.Grains.GetGrain<INotifierGrain>(Keys.New());

        await notifier.SubscribeAsync(reference);
        await notifier.PublishAsync(100);
        await observer.Done.Task.WaitAsync(Bound);

        Assert.Equal(Enumerable.Range(1, 100), observer.Values);
        fixture.Grains.DeleteObjectReference<INumberObserver>(observer);
    }

    private sealed class CollectingObserver(int expected) : INumberObserver
    {
        public List<int> Values { get; } = [];

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task OnNumberAsync(int value)
        {
            Values.Add(value);
            if (Values.Count == expected)
            {
                Done.TrySetResult();
            }

            return Task.CompletedTask;
        }
    }
}
