using System.Diagnostics.Metrics;
using Actors.Runtime.Storage;
using Actors.Runtime.Testing;
using Actors.Runtime.Tests.Grains;
using Microsoft.Extensions.DependencyInjection;

namespace Actors.Runtime.Tests;

/// <summary>Tests that own their cluster because they stop it or inspect its storage.</summary>
public sealed class ShutdownAndStateTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Graceful_shutdown_deactivates_every_activation_and_their_state_is_persisted()
    {
        var cluster = await new TestClusterBuilder().BuildAndStartAsync();
        var storage = (MemoryGrainStorage)cluster.Services.GetRequiredKeyedService<IGrainStorage>("Default");
        var keys = Enumerable.Range(0, 20).Select(_ => Guid.NewGuid()).ToArray();
        foreach (var key in keys)
        {
            await cluster.GrainFactory.GetGrain<ILifecycleGrain>(key).SetValueAsync("v");
        }

        await cluster.StopAsync();

        foreach (var key in keys)
        {
            Assert.Contains("deactivate:ShuttingDown", Probe.For(GrainId.FormatKey(key)).Events);
            var stored = await storage.ReadAsync(new GrainStateKey("lifecycle", GrainId.FormatKey(key), "main"), default);
            Assert.NotNull(stored);
            using var json = System.Text.Json.JsonDocument.Parse(stored.Json);
            Assert.Equal("v+saved", json.RootElement.GetProperty("value").GetString());
        }
    }

    [Fact]
    public async Task Calls_in_flight_at_shutdown_complete_before_the_silo_stops()
    {
        var cluster = await new TestClusterBuilder().BuildAndStartAsync();
        var key = Keys.New();
        var grain = cluster.GrainFactory.GetGrain<ICounterGrain>(key);
        var blocked = grain.BlockAsync();
        var queued = grain.IncrementAsync();
        await TestWait.UntilAsync(() => Probe.For(key).Events.Contains("block-start"), Bound);

        var stopping = cluster.StopAsync();
        Assert.False(stopping.IsCompleted);
        Probe.For(key).Gate.SetResult();
        await stopping.WaitAsync(Bound);

        await blocked;
        Assert.Equal(1, await queued);
        await Assert.ThrowsAsync<GrainRoutingException>(() => grain.IncrementAsync().WaitAsync(Bound));
    }

    [Fact]
    public async Task Stale_write_throws_InconsistentStateException_and_the_next_call_reloads()
    {
        await using var cluster = await new TestClusterBuilder().BuildAndStartAsync();
        var storage = (MemoryGrainStorage)cluster.Services.GetRequiredKeyedService<IGrainStorage>("Default");
        var key = Guid.NewGuid();
        var grain = cluster.GrainFactory.GetGrain<ILifecycleGrain>(key);
        await grain.SetValueAsync("mine");

        // Someone else writes behind the activation's back.
        var stateKey = new GrainStateKey("lifecycle", GrainId.FormatKey(key), "main");
        var current = await storage.ReadAsync(stateKey, default);
        await storage.WriteAsync(stateKey, """{"value":"theirs","activations":1}""", 1, current!.ETag, default);

        await Assert.ThrowsAsync<InconsistentStateException>(() => grain.SetValueAsync("lost?"));

        // The activation deactivated itself; the next call sees the other writer's value.
        await TestWait.UntilAsync(async () => await grain.GetValueAsync() != "mine", Bound);
        Assert.StartsWith("theirs", await grain.GetValueAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Grain_with_state_but_no_storage_registered_fails_with_a_clear_error()
    {
        await using var cluster = await new TestClusterBuilder().UseStorage(_ => { }).BuildAndStartAsync();

        var error = await Assert.ThrowsAsync<GrainStorageException>(() => cluster.GrainFactory.GetGrain<ILifecycleGrain>(Guid.NewGuid()).GetValueAsync());

        Assert.Contains("'Default'", error.Message, StringComparison.Ordinal);
        Assert.Contains("AddMemoryGrainStorage", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Runtime_meter_reports_calls_and_activations()
    {
        await using var cluster = await new TestClusterBuilder().BuildAndStartAsync();
        var key = Keys.New();
        long calls = 0;
        long activations = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Actors.Runtime")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var type = tags.ToArray().FirstOrDefault(t => t.Key == "grain.type").Value as string;
            if (type != "counter")
            {
                return;
            }

            if (instrument.Name == "actors.grain.calls")
            {
                Interlocked.Add(ref calls, value);
            }
            else if (instrument.Name == "actors.activations")
            {
                Interlocked.Exchange(ref activations, value);
            }
        });
        listener.Start();

        var grain = cluster.GrainFactory.GetGrain<ICounterGrain>(key);
        for (var i = 0; i < 5; i++)
        {
            await grain.GetAsync();
        }

        listener.RecordObservableInstruments();
        Assert.True(Interlocked.Read(ref calls) >= 5);
        Assert.True(Interlocked.Read(ref activations) >= 1);
    }
}
