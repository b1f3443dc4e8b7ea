namespace Actors.Benchmarks;

/// <summary>
/// Suite "throughput": 100 concurrent callers looping "await call" for a fixed window, (a) on 100
/// distinct grains and (b) all on one non-reentrant grain, each beside the bare hop with the same
/// shape (a: a channel and consumer per caller; b: one shared channel and consumer).
/// </summary>
public static class ThroughputSuite
{
    public const int Callers = 100;

    public static async Task<int> RunAsync(BenchOptions options)
    {
        Report.Heading($"Local grain call throughput, {Callers} concurrent callers (median of {options.Repeats} repeats, {options.Duration.TotalSeconds:0.#} s windows after {options.Warmup.TotalSeconds:0.#} s warm-up)");
        Report.Machine();

        await using var silo = await BenchSilo.StartAsync();
        var distinct = Enumerable.Range(0, Callers).Select(i => silo.GrainFactory.GetGrain<IPingGrain>(10_000 + i)).ToArray();
        var single = silo.GrainFactory.GetGrain<IPingGrain>(20_000);
        await Task.WhenAll(distinct.Select(g => g.PingAsync(0)));
        await single.PingAsync(0);

        var hops = Enumerable.Range(0, Callers).Select(_ => new BareHop()).ToArray();
        var sharedHop = new BareHop();
        try
        {
            var shapes = new (string Name, Func<int, int, Task> Bare, Func<int, int, Task> Grain)[]
            {
                ("(a) 100 callers → 100 grains", (c, n) => hops[c].PingAsync(n), (c, n) => distinct[c].PingAsync(n)),
                ("(b) 100 callers → 1 grain (non-reentrant)", (c, n) => sharedHop.PingAsync(n), (c, n) => single.PingAsync(n)),
            };

            var bareRates = shapes.Select(_ => new List<double>()).ToArray();
            var grainRates = shapes.Select(_ => new List<double>()).ToArray();
            var ratios = shapes.Select(_ => new List<double>()).ToArray();
            var bareCpu = shapes.Select(_ => new List<double>()).ToArray();
            var grainCpu = shapes.Select(_ => new List<double>()).ToArray();
            for (var r = 0; r < options.Repeats; r++)
            {
                for (var s = 0; s < shapes.Length; s++)
                {
                    // Alternate which runs first, so drift on this shared machine hits both sides.
                    CallerHarness.Result bareRun, grainRun;
                    if (r % 2 == 0)
                    {
                        bareRun = await CallerHarness.RunAsync(Callers, shapes[s].Bare, options.Warmup, options.Duration);
                        grainRun = await CallerHarness.RunAsync(Callers, shapes[s].Grain, options.Warmup, options.Duration);
                    }
                    else
                    {
                        grainRun = await CallerHarness.RunAsync(Callers, shapes[s].Grain, options.Warmup, options.Duration);
                        bareRun = await CallerHarness.RunAsync(Callers, shapes[s].Bare, options.Warmup, options.Duration);
                    }

                    double bare = bareRun.PerSecond, grain = grainRun.PerSecond;
                    bareRates[s].Add(bare);
                    grainRates[s].Add(grain);
                    ratios[s].Add(grain / bare);
                    bareCpu[s].Add(bareRun.CpuMicrosecondsPerOperation * 1000);
                    grainCpu[s].Add(grainRun.CpuMicrosecondsPerOperation * 1000);
                    Console.WriteLine(string.Create(Report.Inv,
                        $"  repeat {r + 1}, {shapes[s].Name}: bare {Report.N0(bare)}/s ({bareRun.Threads} pool threads, {bareRun.Gen0} gen0 GCs), " +
                        $"grain {Report.N0(grain)}/s ({grainRun.Threads} pool threads, {grainRun.Gen0} gen0 GCs), ratio {Report.F(grain / bare)}"));
                }
            }

            Console.WriteLine();
            var rows = new List<string[]>();
            for (var s = 0; s < shapes.Length; s++)
            {
                rows.Add([
                    shapes[s].Name,
                    Report.N0(Report.Median(bareRates[s])),
                    Report.N0(Report.Median(bareCpu[s])),
                    Report.N0(Report.Median(grainRates[s])),
                    Report.N0(Report.Median(grainCpu[s])),
                    Report.Percent(Report.Median(ratios[s])),
                    $"{Report.Percent(ratios[s].Min())} – {Report.Percent(ratios[s].Max())}",
                ]);
            }

            Report.Table(["shape", "bare hop calls/s", "bare CPU ns/call", "grain calls/s", "grain CPU ns/call", "grain / bare (median of per-repeat ratios)", "ratio range"], rows);
            return 0;
        }
        finally
        {
            foreach (var hop in hops)
            {
                await hop.DisposeAsync();
            }

            await sharedHop.DisposeAsync();
        }
    }
}
