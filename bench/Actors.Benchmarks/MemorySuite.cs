using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Actors.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace Actors.Benchmarks;

/// <summary>
/// Suite "memory": retained heap per idle activation. Activates N small grains (no state, one call
/// each, bounded concurrency), settles the heap, and divides the growth by N; then measures the
/// grain object's own size by allocating N uninitialised instances, and a floor for any directory:
/// a ConcurrentDictionary from GrainId (with its key string) to an object.
/// </summary>
public static class MemorySuite
{
    private const int Concurrency = 64;

    public static async Task<int> RunAsync(BenchOptions options)
    {
        var n = options.Activations;
        Report.Heading($"Runtime memory per idle activation ({Report.N0(n)} grains)");
        Report.Machine();

        var silo = await BenchSilo.StartAsync();
        var factory = silo.GrainFactory;

        // Warm-up outside the measured range: JIT, pools, the first resizes.
        await ActivateAsync(factory, 0, 10_000);

        var before = Report.SettledHeap();
        var watch = Stopwatch.StartNew();
        await ActivateAsync(factory, 1_000_000_000, n);
        var activationTime = watch.Elapsed;
        var after = Report.SettledHeap();
        var live = silo.Services.GetRequiredService<RuntimeServices>().Catalog.Count;
        var perActivation = (after - before) / (double)n;

        // What N idle activations cost while nothing happens (the maintenance sweep, timers).
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        watch.Restart();
        await Task.Delay(TimeSpan.FromSeconds(5));
        process.Refresh();
        var idleCpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds / watch.Elapsed.TotalSeconds;

        var grainSize = InstanceSize(n);
        var floor = DirectoryFloor(n, grainSize);

        watch.Restart();
        await silo.DisposeAsync();
        var stopTime = watch.Elapsed;

        Report.Table(
            ["measure", "value"],
            [
                ["activations measured (live after the settle)", $"{Report.N0(n)} ({Report.N0(live)} live incl. 10,000 warm-up)"],
                ["time to activate them (64 calls in flight)", $"{Report.F(activationTime.TotalSeconds)} s ({Report.N0(n / activationTime.TotalSeconds)} activations/s)"],
                ["retained heap per activation (total)", $"{Report.N0(perActivation)} B"],
                ["grain instance (PingGrain) size", $"{Report.N0(grainSize)} B"],
                ["**runtime overhead per activation (total − grain instance)**", $"**{Report.N0(perActivation - grainSize)} B**"],
                ["CPU while idle (5 s, no calls)", $"{Report.Percent(idleCpu)} of one core"],
                ["floor: ConcurrentDictionary<GrainId, object> entry + key string (no runtime)", $"{Report.N0(floor)} B"],
                ["graceful silo stop (deactivates all)", $"{Report.F(stopTime.TotalSeconds)} s"],
            ]);
        return 0;
    }

    private static async Task ActivateAsync(IGrainFactory factory, long firstKey, int count)
    {
        var next = -1;
        var workers = new Task[Concurrency];
        for (var w = 0; w < workers.Length; w++)
        {
            workers[w] = Task.Run(async () =>
            {
                for (var i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next))
                {
                    await factory.GetGrain<IPingGrain>(firstKey + i).PingAsync(i);
                }
            });
        }

        await Task.WhenAll(workers);
    }

    /// <summary>Bytes per PingGrain object (constructors do not run; the layout is the same).</summary>
    private static double InstanceSize(int n)
    {
        var instances = new object[n];
        var before = Report.SettledHeap();
        for (var i = 0; i < n; i++)
        {
            instances[i] = RuntimeHelpers.GetUninitializedObject(typeof(PingGrain));
        }

        var after = Report.SettledHeap();
        GC.KeepAlive(instances);
        return (after - before) / (double)n;
    }

    /// <summary>Bytes per entry of the smallest directory one could keep: id (with its key string) → object, minus the object.</summary>
    private static double DirectoryFloor(int n, double objectSize)
    {
        var before = Report.SettledHeap();
        var directory = new ConcurrentDictionary<GrainId, object>();
        for (long i = 0; i < n; i++)
        {
            directory[new GrainId("ping", GrainId.FormatKey(1_000_000_000 + i))] = RuntimeHelpers.GetUninitializedObject(typeof(PingGrain));
        }

        var after = Report.SettledHeap();
        GC.KeepAlive(directory);
        return (after - before) / (double)n - objectSize;
    }
}
