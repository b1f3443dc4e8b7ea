using Actors.Runtime.Testing;
using Actors.Runtime.Tests.Grains;

namespace Actors.Runtime.Tests;

[Collection(ManualClockCollection.Name)]
public sealed class LifecycleTests(ManualClockFixture fixture)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private static GrainId LifecycleId(Guid key) => GrainId.Create("lifecycle", key);

    [Fact]
    public async Task Lifecycle_runs_constructor_state_load_activate_calls_then_deactivate_in_order()
    {
        var key = Guid.NewGuid();
        var grain = fixture.Grains.GetGrain<ILifecycleGrain>(key);
        var probe = Probe.For(GrainId.FormatKey(key));

        await grain.SetValueAsync("v1");
        await grain.GetValueAsync();
        await grain.DeactivateAsync();
        await TestWait.UntilAsync(() => !fixture.Cluster.Primary.IsActive(LifecycleId(key)) && probe.Events.Contains("deactivate:ApplicationRequested"), Bound);

        // The next call makes a new activation that loads what the previous one saved on the way out.
        Assert.Equal("v1+saved", await grain.GetValueAsync());
        Assert.Equal(
            ["ctor", "activate::False", "call", "deactivate:ApplicationRequested", "ctor", "activate:v1+saved:True", "call"],
            probe.Events);
    }

    [Fact]
    public async Task Idle_activation_is_collected_after_the_idle_timeout_and_not_before()
    {
        var key = Guid.NewGuid();
        var grain = fixture.Grains.GetGrain<ILifecycleGrain>(key);
        var probe = Probe.For(GrainId.FormatKey(key));
        await grain.GetValueAsync();

        fixture.Time.Advance(TimeSpan.FromMinutes(14));
        Assert.True(fixture.Cluster.Primary.IsActive(LifecycleId(key)));
        Assert.DoesNotContain("deactivate:ActivationIdle", probe.Events);

        fixture.Time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(2));
        await TestWait.UntilAsync(() => probe.Events.Contains("deactivate:ActivationIdle"), Bound);
        await TestWait.UntilAsync(() => !fixture.Cluster.Primary.IsActive(LifecycleId(key)), Bound);
    }

    [Fact]
    public async Task Timer_ticks_run_as_turns_of_the_grain_and_die_with_the_activation()
    {
        var key = Guid.NewGuid();
        var grain = fixture.Grains.GetGrain<ILifecycleGrain>(key);
        var probe = Probe.For(GrainId.FormatKey(key));
        await grain.StartTimerAsync(TimeSpan.FromSeconds(10));

        fixture.Time.Advance(TimeSpan.FromSeconds(10));
        await TestWait.UntilAsync(async () => await grain.GetTicksAsync() == 1, Bound);
        fixture.Time.Advance(TimeSpan.FromSeconds(10));
        await TestWait.UntilAsync(async () => await grain.GetTicksAsync() == 2, Bound);
        fixture.Time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(2, await grain.GetTicksAsync());

        // A tick never overlapped a request or another tick.
        Assert.All(probe.Events.Where(e => e.StartsWith("tick-inside", StringComparison.Ordinal)), e => Assert.Equal("tick-inside:1", e));

        var timersBefore = fixture.Time.TimerCount;
        await grain.DeactivateAsync();
        await TestWait.UntilAsync(() => probe.Events.Contains("deactivate:ApplicationRequested"), Bound);
        await TestWait.UntilAsync(() => fixture.Time.TimerCount < timersBefore, Bound, "the grain timer should be disposed with its activation");
        fixture.Time.Advance(TimeSpan.FromSeconds(30));

        // A fresh activation has no timer: no tick happens.
        Assert.Equal(0, await grain.GetTicksAsync());
    }

    [Fact]
    public async Task Ticks_do_not_count_as_activity_for_idle_collection()
    {
        var key = Guid.NewGuid();
        var grain = fixture.Grains.GetGrain<ILifecycleGrain>(key);
        var probe = Probe.For(GrainId.FormatKey(key));
        await grain.StartTimerAsync(TimeSpan.FromMinutes(1));

        fixture.Time.Advance(TimeSpan.FromMinutes(16));

        await TestWait.UntilAsync(() => probe.Events.Contains("deactivate:ActivationIdle"), Bound);
        Assert.Contains(probe.Events, e => e.StartsWith("tick-inside", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Call_that_exceeds_the_timeout_fails_with_a_TimeoutException_naming_grain_and_method()
    {
        var key = Keys.New();
        var grain = fixture.Grains.GetGrain<ICounterGrain>(key);
        var probe = Probe.For(key);

        var call = grain.BlockAsync();
        await TestWait.UntilAsync(() => probe.Events.Contains("block-start"), Bound);
        fixture.Time.Advance(ManualClockFixture.CallTimeout + TimeSpan.FromSeconds(1));

        var error = await Assert.ThrowsAsync<TimeoutException>(() => call.WaitAsync(Bound));
        Assert.Contains($"counter/{key}", error.Message, StringComparison.Ordinal);
        Assert.Contains("BlockAsync", error.Message, StringComparison.Ordinal);

        // The grain is still usable once the blocked call ends.
        probe.Gate.SetResult();
        Assert.Equal(1, await grain.IncrementAsync().WaitAsync(Bound));
    }

    [Fact]
    public async Task Call_queued_behind_a_stuck_call_also_times_out()
    {
        var key = Keys.New();
        var grain = fixture.Grains.GetGrain<ICounterGrain>(key);
        var probe = Probe.For(key);
        var stuck = grain.BlockAsync();
        await TestWait.UntilAsync(() => probe.Events.Contains("block-start"), Bound);
        var queued = grain.GetAsync();

        fixture.Time.Advance(ManualClockFixture.CallTimeout + TimeSpan.FromSeconds(1));

        await Assert.ThrowsAsync<TimeoutException>(() => queued.WaitAsync(Bound));
        await Assert.ThrowsAsync<TimeoutException>(() => stuck.WaitAsync(Bound));
        probe.Gate.SetResult();
    }
}
