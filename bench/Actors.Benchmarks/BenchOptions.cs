using System.Globalization;

namespace Actors.Benchmarks;

/// <summary>Command-line settings shared by the custom suites.</summary>
public sealed class BenchOptions
{
    /// <summary>Repeats of each measurement; tables report the median.</summary>
    public int Repeats { get; private set; } = 5;

    /// <summary>Warm-up before each timed window.</summary>
    public TimeSpan Warmup { get; private set; } = TimeSpan.FromSeconds(1);

    /// <summary>Length of each timed window (throughput and storage).</summary>
    public TimeSpan Duration { get; private set; } = TimeSpan.FromSeconds(3);

    /// <summary>Grains activated by the memory suite.</summary>
    public int Activations { get; private set; } = 1_000_000;

    /// <summary>Fresh grains activated per repeat by the activation suite.</summary>
    public int ActivationBatch { get; private set; } = 20_000;

    /// <summary>The PostgreSQL server for the storage suite (ACTORS_BENCH_POSTGRES or --postgres).</summary>
    public string? Postgres { get; private set; } = Environment.GetEnvironmentVariable("ACTORS_BENCH_POSTGRES");

    /// <summary>Where BenchmarkDotNet writes its artifacts.</summary>
    public string ArtifactsPath { get; private set; } =
        Environment.GetEnvironmentVariable("ACTORS_BENCH_ARTIFACTS") ?? Path.Combine(Environment.CurrentDirectory, ".data", "bench");

    /// <summary>The options as arguments, to hand to a child process.</summary>
    public IReadOnlyList<string> Raw { get; private set; } = [];

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BenchOptions { Raw = args.ToArray() };
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{arg} needs a value.");
            switch (arg)
            {
                case "--repeats":
                    options.Repeats = Math.Clamp(int.Parse(Value(), CultureInfo.InvariantCulture), 1, 50);
                    break;
                case "--seconds":
                    options.Duration = TimeSpan.FromSeconds(Math.Clamp(double.Parse(Value(), CultureInfo.InvariantCulture), 0.1, 60));
                    break;
                case "--warmup":
                    options.Warmup = TimeSpan.FromSeconds(Math.Clamp(double.Parse(Value(), CultureInfo.InvariantCulture), 0, 60));
                    break;
                case "--activations":
                    options.Activations = Math.Clamp(int.Parse(Value(), CultureInfo.InvariantCulture), 1_000, 10_000_000);
                    break;
                case "--batch":
                    options.ActivationBatch = Math.Clamp(int.Parse(Value(), CultureInfo.InvariantCulture), 100, 1_000_000);
                    break;
                case "--postgres":
                    options.Postgres = Value();
                    break;
                case "--artifacts":
                    options.ArtifactsPath = Value();
                    break;
                default:
                    throw new ArgumentException($"Unknown option {arg}.");
            }
        }

        return options;
    }
}
