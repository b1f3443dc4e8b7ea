using System.Diagnostics;
using Actors.Benchmarks;

// dotnet run -c Release --project bench/Actors.Benchmarks -- <suite> [options]
string[] suites = ["calls", "throughput", "activation", "memory", "storage"];
if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine("""
        usage: Actors.Benchmarks <suite> [options]

        suites:
          calls        sequential grain call vs bare channel+promise hop (BenchmarkDotNet, allocations per call)
          throughput   100 concurrent callers: 100 grains / 1 grain vs the bare hop (calls/s, ratio)
          activation   first call to fresh grains vs a call to an active grain (time, bytes)
          memory       retained heap per idle activation (1,000,000 grains)
          storage      persisted grain write vs raw Npgsql upsert (needs ACTORS_BENCH_POSTGRES or --postgres)
          all          every suite above, each in its own process

        options:
          --repeats N        repeats per measurement, medians reported (default 5)
          --seconds S        timed window of throughput/storage runs (default 3)
          --warmup S         warm-up before each window (default 1)
          --activations N    grains for the memory suite (default 1000000)
          --batch N          fresh grains per repeat for the activation suite (default 20000)
          --postgres CONN    Npgsql connection string for the storage suite
          --artifacts DIR    BenchmarkDotNet artifacts (default ./.data/bench)
        """);
    return args.Length == 0 ? 2 : 0;
}

var suite = args[0];
BenchOptions options;
try
{
    options = BenchOptions.Parse(args[1..]);
}
catch (Exception exception) when (exception is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine(exception.Message);
    return 2;
}

switch (suite)
{
    case "calls":
        return CallSuite.Run(options);
    case "throughput":
        return await ThroughputSuite.RunAsync(options);
    case "activation":
        return await ActivationSuite.RunAsync(options);
    case "memory":
        return await MemorySuite.RunAsync(options);
    case "storage":
        return await StorageSuite.RunAsync(options);
    case "all":
        return await RunAllAsync(options);
    default:
        Console.Error.WriteLine($"Unknown suite '{suite}'. Suites: {string.Join(", ", suites)}, all.");
        return 2;
}

// Each suite in a fresh process: the memory suite must not see another suite's heap, and a
// BenchmarkDotNet run must not share its thread pool with leftovers.
async Task<int> RunAllAsync(BenchOptions all)
{
    var failures = 0;
    foreach (var name in suites)
    {
        if (name == "storage" && string.IsNullOrWhiteSpace(all.Postgres))
        {
            Console.WriteLine("storage: skipped (no ACTORS_BENCH_POSTGRES / --postgres; scripts/bench.sh starts one).");
            continue;
        }

        var start = new ProcessStartInfo { UseShellExecute = false };
        var self = Environment.ProcessPath ?? "dotnet";
        start.FileName = self;
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(BenchOptions).Assembly.Location);
        }

        start.ArgumentList.Add(name);
        foreach (var arg in all.Raw)
        {
            start.ArgumentList.Add(arg);
        }

        using var child = Process.Start(start) ?? throw new InvalidOperationException("Could not start " + self);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(20));
        try
        {
            await child.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            child.Kill(entireProcessTree: true);
            Console.Error.WriteLine($"{name}: timed out after 20 minutes");
        }

        if (!child.HasExited || child.ExitCode != 0)
        {
            failures++;
            Console.Error.WriteLine($"{name}: failed");
        }
    }

    return failures == 0 ? 0 : 1;
}
