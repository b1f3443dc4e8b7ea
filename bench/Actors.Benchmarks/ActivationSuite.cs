using System.Diagnostics;

namespace Actors.Benchmarks;

/// <summary>
/// Suite "activation": the first call to fresh keys (each creates an activation) beside the same
/// calls once those grains are active, sequentially and with 100 calls in flight. Both sides obtain
/// the reference with GetGrain, so the difference is the activation itself.
/// </summary>
public static class ActivationSuite
{
    private const int Concurrency = 100;

    public static async Task<int> RunAsync(BenchOptions options)
    {
        var n = options.ActivationBatch;
        Report.Heading($"Activation cost: first call to {Report.N0(n)} fresh grains vs a call to an active grain (median of {options.Repeats} repeats)");
        Report.Machine();

        await using var silo = await BenchSilo.StartAsync();
        var factory = silo.GrainFactory;
        long nextKey = 1_000_000_000;

        // Warm-up: JIT and tiering of both paths.
        for (var w = 0; w < 3; w++)
        {
            var keys = nextKey;
            nextKey += 2_000;
            await SequentialAsync(factory, keys, 2_000);
            await SequentialAsync(factory, keys, 2_000);
            await ConcurrentAsync(factory, nextKey, 2_000);
            nextKey += 2_000;
        }

        var results = new Dictionary<string, List<(double Us, double Bytes)>>(StringComparer.Ordinal);
        void Add(string name, (double, double) value) => (results.TryGetValue(name, out var l) ? l : results[name] = []).Add(value);

        for (var r = 0; r < options.Repeats; r++)
        {
            var seqKeys = nextKey;
            nextKey += n;
            Add("seq-new", await SequentialAsync(factory, seqKeys, n));
            Add("seq-active", await SequentialAsync(factory, seqKeys, n));

            var conKeys = nextKey;
            nextKey += n;
            Add("con-new", await ConcurrentAsync(factory, conKeys, n));
            Add("con-active", await ConcurrentAsync(factory, conKeys, n));
            Console.WriteLine(string.Create(Report.Inv,
                $"  repeat {r + 1}: sequential new {Report.F(results["seq-new"][^1].Us)} µs / active {Report.F(results["seq-active"][^1].Us)} µs; " +
                $"{Concurrency} in flight new {Report.F(results["con-new"][^1].Us)} µs / active {Report.F(results["con-active"][^1].Us)} µs (per call, wall clock)"));
        }

        Console.WriteLine();
        double Us(string k) => Report.Median(results[k].Select(x => x.Us));
        double Bytes(string k) => Report.Median(results[k].Select(x => x.Bytes));
        var rows = new List<string[]>
        {
            Row("sequential", "first call (activates)", "seq-new", "seq-active"),
            Row("sequential", "call to active grain (baseline)", "seq-active", "seq-active"),
            Row($"{Concurrency} in flight", "first call (activates)", "con-new", "con-active"),
            Row($"{Concurrency} in flight", "call to active grain (baseline)", "con-active", "con-active"),
        };
        Report.Table(["mode", "call", "µs/call (wall)", "calls/s", "allocated B/call", "time vs active"], rows);
        Console.WriteLine(string.Create(Report.Inv,
            $"Activation adds ≈ {Report.F(Us("seq-new") - Us("seq-active"))} µs and ≈ {Report.N0(Bytes("seq-new") - Bytes("seq-active"))} allocated bytes per grain (sequential)."));
        return 0;

        string[] Row(string mode, string what, string key, string baseline) =>
            [mode, what, Report.F(Us(key)), Report.N0(1e6 / Us(key)), Report.N0(Bytes(key)), Report.Ratio(Us(key) / Us(baseline))];
    }

    private static async Task<(double Us, double Bytes)> SequentialAsync(IGrainFactory factory, long firstKey, int count)
    {
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            await factory.GetGrain<IPingGrain>(firstKey + i).PingAsync(i);
        }

        var elapsed = watch.Elapsed;
        var bytes = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        return (elapsed.TotalMicroseconds / count, (double)bytes / count);
    }

    private static async Task<(double Us, double Bytes)> ConcurrentAsync(IGrainFactory factory, long firstKey, int count)
    {
        var next = -1;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();
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
        var elapsed = watch.Elapsed;
        var bytes = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        return (elapsed.TotalMicroseconds / count, (double)bytes / count);
    }
}
