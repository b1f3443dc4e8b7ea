using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Actors.Benchmarks;

/// <summary>
/// Suite "calls": sequential latency of one grain call beside the bare channel + promise hop.
/// "loop": one async caller awaits 1,000 calls in a row (the per-call cost inside an async flow);
/// "single": BenchmarkDotNet awaits one call per invocation, blocking its thread between calls, so
/// each call includes a cross-thread wake-up of the benchmark thread.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class CallBenchmarks
{
    public const int CallsPerLoop = 1_000;

    private BenchSilo? silo;
    private IPingGrain grain = null!;
    private BareHop hop = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        silo = await BenchSilo.StartAsync();
        grain = silo.GrainFactory.GetGrain<IPingGrain>(1);
        hop = new BareHop();
        for (var i = 0; i < 1_000; i++)
        {
            await grain.PingAsync(i);
            await hop.PingAsync(i);
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await hop.DisposeAsync();
        if (silo is not null)
        {
            await silo.DisposeAsync();
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = CallsPerLoop)]
    [BenchmarkCategory("loop")]
    public async Task<int> BareHopLoop()
    {
        var sum = 0;
        for (var i = 0; i < CallsPerLoop; i++)
        {
            sum += await hop.PingAsync(i);
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = CallsPerLoop)]
    [BenchmarkCategory("loop")]
    public async Task<int> GrainCallLoop()
    {
        var sum = 0;
        for (var i = 0; i < CallsPerLoop; i++)
        {
            sum += await grain.PingAsync(i);
        }

        return sum;
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("single")]
    public Task<int> BareHopSingle() => hop.PingAsync(42);

    [Benchmark]
    [BenchmarkCategory("single")]
    public Task<int> GrainCallSingle() => grain.PingAsync(42);
}

public static class CallSuite
{
    public static int Run(BenchOptions options)
    {
        var job = Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(15)
            .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(250))
            .WithId("short");
        var config = ManualConfig.CreateEmpty()
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddColumn(StatisticColumn.Median)
            .AddLogger(ConsoleLogger.Default)
            .AddExporter(MarkdownExporter.GitHub)
            .WithArtifactsPath(Path.Combine(options.ArtifactsPath, "BenchmarkDotNet.Artifacts"))
            .WithOrderer(new BenchmarkDotNet.Order.DefaultOrderer(BenchmarkDotNet.Order.SummaryOrderPolicy.Declared));

        var summary = BenchmarkRunner.Run<CallBenchmarks>(config);
        return Print(summary);
    }

    private static int Print(Summary summary)
    {
        Report.Heading("Sequential grain call vs bare hop (BenchmarkDotNet, median of 15 iterations)");
        Report.Machine();
        var byName = new Dictionary<string, (double MedianNs, long? Bytes, double Gen0Per1k)>(StringComparer.Ordinal);
        foreach (var report in summary.Reports)
        {
            var name = report.BenchmarkCase.Descriptor.WorkloadMethod.Name;
            if (report.ResultStatistics is not { } stats)
            {
                Console.WriteLine($"{name}: no result (failed)");
                continue;
            }

            var gc = report.GcStats;
            var gen0 = gc.TotalOperations == 0 ? 0 : gc.Gen0Collections * 1000.0 / gc.TotalOperations;
            byName[name] = (stats.Median, gc.GetBytesAllocatedPerOperation(report.BenchmarkCase), gen0);
        }

        var rows = new List<string[]>();
        foreach (var (category, bare, grain) in new[] { ("loop", "BareHopLoop", "GrainCallLoop"), ("single", "BareHopSingle", "GrainCallSingle") })
        {
            if (!byName.TryGetValue(bare, out var b) || !byName.TryGetValue(grain, out var g))
            {
                continue;
            }

            rows.Add([category, "bare hop (baseline)", Report.F(b.MedianNs / 1000, 3), Report.N0(1e9 / b.MedianNs), b.Bytes?.ToString(Report.Inv) ?? "?", "1.00×"]);
            rows.Add([category, "grain call", Report.F(g.MedianNs / 1000, 3), Report.N0(1e9 / g.MedianNs), g.Bytes?.ToString(Report.Inv) ?? "?", Report.Ratio(g.MedianNs / b.MedianNs)]);
        }

        Report.Table(["mode", "what", "median µs/call", "calls/s (1 caller)", "allocated B/call", "time vs bare"], rows);
        return rows.Count == 4 ? 0 : 1;
    }
}
