using System.Globalization;

namespace Actors.WebHost.Benchmarks;

/// <summary>Options of <c>WebHost.Benchmarks run</c> (all have defaults; see <see cref="Usage"/>).</summary>
internal sealed class BenchSettings
{
    public const string Usage = """
        usage: WebHost.Benchmarks run [options]        (scripts/bench-web.sh builds, starts PostgreSQL and calls this)
               WebHost.Benchmarks bare                 (a baseline server; started by run)

          --postgres CONN            PostgreSQL with default durability (default: $ACTORS_BENCH_POSTGRES)
          --webhost-dll PATH         default <repo>/WebHost/bin/Release/net10.0/WebHost.dll
          --suites LIST              rest,fanout,capacity,idle (default: all four); also idle-slim (an experiment:
                                     the bare hub + JWT keeping a claims-only principal instead of the token's identity)
                                     and dashboard (calls/s with the operator dashboard open vs closed, its own WebHost)
          --rest-repeats N           3        --rest-seconds S     10     --rest-warmup S  5
          --rest-connections N       64       --rest-threads N     2
          --fanout-connections N     1000     --fanout-users N     20     --publishers N   4
          --fanout-rate R            50 (events/s; × connections = deliveries/s)   --fanout-repeats N 5
          --fanout-warmup S          1        --fanout-seconds S   5
          --capacity-rates LIST      50,100,150,200,250,300,350,400,450 (events/s)
          --capacity-passes N        2        --capacity-seconds S 4
          --max-p99-ms MS            1000 (lag bound of the capacity search)
          --idle-connections N       10000    --idle-cycles N      2
          --dashboard-pairs N        5        --dashboard-seconds S 10    --dashboard-warmup S 5
          --dashboard-idle-pairs N   3        --dashboard-idle-seconds S 10  (wrk: --rest-connections, --rest-threads)
        """;

    public required string RepoRoot { get; init; }

    public required string WebHostDll { get; init; }

    public required string Postgres { get; init; }

    public required string LogDirectory { get; init; }

    public required string PidsFile { get; init; }

    public HashSet<string> Suites { get; init; } = new(["rest", "fanout", "capacity", "idle"], StringComparer.Ordinal);

    public int RestRepeats { get; init; } = 3;

    public int RestSeconds { get; init; } = 10;

    public int RestWarmupSeconds { get; init; } = 5;

    public int RestConnections { get; init; } = 64;

    public int RestThreads { get; init; } = 2;

    public int FanoutConnections { get; init; } = 1000;

    public int FanoutUsers { get; init; } = 20;

    public int Publishers { get; init; } = 4;

    public double FanoutRate { get; init; } = 50;

    public int FanoutRepeats { get; init; } = 5;

    public double FanoutWarmupSeconds { get; init; } = 1;

    public double FanoutSeconds { get; init; } = 5;

    public double[] CapacityRates { get; init; } = [50, 100, 150, 200, 250, 300, 350, 400, 450];

    public int CapacityPasses { get; init; } = 2;

    public double CapacitySeconds { get; init; } = 4;

    public double MaxP99Ms { get; init; } = 1000;

    public int IdleConnections { get; init; } = 10_000;

    public int IdleCycles { get; init; } = 2;

    public int DashboardPairs { get; init; } = 5;

    public int DashboardSeconds { get; init; } = 10;

    public int DashboardWarmupSeconds { get; init; } = 5;

    public int DashboardIdlePairs { get; init; } = 3;

    public int DashboardIdleSeconds { get; init; } = 10;

    public TimeSpan IdleForgetDelay { get; init; } = TimeSpan.FromSeconds(7);

    public int MaxInFlightPerRun => 4000;

    public static BenchSettings Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"unexpected argument '{args[i]}'\n{Usage}");
            }

            values[args[i][2..]] = args[++i];
        }

        var root = values.GetValueOrDefault("repo") ?? FindRepoRoot();
        var artifacts = Environment.GetEnvironmentVariable("ACTORS_BENCH_ARTIFACTS") ?? Path.Combine(root, ".data", "bench");
        var settings = new BenchSettings
        {
            RepoRoot = root,
            WebHostDll = values.GetValueOrDefault("webhost-dll") ?? Path.Combine(root, "WebHost", "bin", "Release", "net10.0", "WebHost.dll"),
            Postgres = values.GetValueOrDefault("postgres") ?? Environment.GetEnvironmentVariable("ACTORS_BENCH_POSTGRES")
                ?? throw new ArgumentException("a PostgreSQL is required: --postgres CONN or ACTORS_BENCH_POSTGRES (scripts/bench-web.sh starts one)"),
            LogDirectory = Path.Combine(artifacts, "web-logs"),
            PidsFile = values.GetValueOrDefault("pids-file") ?? Path.Combine(artifacts, "web-bench.pids"),
            Suites = values.TryGetValue("suites", out var suites) ? new(suites.Split(','), StringComparer.Ordinal) : new(["rest", "fanout", "capacity", "idle"], StringComparer.Ordinal),
            RestRepeats = Int(values, "rest-repeats", 3),
            RestSeconds = Int(values, "rest-seconds", 10),
            RestWarmupSeconds = Int(values, "rest-warmup", 5),
            RestConnections = Int(values, "rest-connections", 64),
            RestThreads = Int(values, "rest-threads", 2),
            FanoutConnections = Int(values, "fanout-connections", 1000),
            FanoutUsers = Int(values, "fanout-users", 20),
            Publishers = Int(values, "publishers", 4),
            FanoutRate = Double(values, "fanout-rate", 50),
            FanoutRepeats = Int(values, "fanout-repeats", 5),
            FanoutWarmupSeconds = Double(values, "fanout-warmup", 1),
            FanoutSeconds = Double(values, "fanout-seconds", 5),
            CapacityRates = values.TryGetValue("capacity-rates", out var rates)
                ? [.. rates.Split(',').Select(r => double.Parse(r, CultureInfo.InvariantCulture))]
                : [50, 100, 150, 200, 250, 300, 350, 400, 450],
            CapacityPasses = Int(values, "capacity-passes", 2),
            CapacitySeconds = Double(values, "capacity-seconds", 4),
            MaxP99Ms = Double(values, "max-p99-ms", 1000),
            IdleConnections = Int(values, "idle-connections", 10_000),
            IdleCycles = Int(values, "idle-cycles", 2),
            DashboardPairs = Int(values, "dashboard-pairs", 5),
            DashboardSeconds = Int(values, "dashboard-seconds", 10),
            DashboardWarmupSeconds = Int(values, "dashboard-warmup", 5),
            DashboardIdlePairs = Int(values, "dashboard-idle-pairs", 3),
            DashboardIdleSeconds = Int(values, "dashboard-idle-seconds", 10),
        };
        var unknown = settings.Suites.Except(["rest", "fanout", "capacity", "idle", "idle-slim", "dashboard"]).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"unknown suite(s): {string.Join(", ", unknown)}\n{Usage}");
        }

        return settings;
    }

    private static int Int(Dictionary<string, string> values, string key, int fallback) =>
        values.TryGetValue(key, out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    private static double Double(Dictionary<string, string> values, string key, double fallback) =>
        values.TryGetValue(key, out var value) ? double.Parse(value, CultureInfo.InvariantCulture) : fallback;

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Actors.sln")))
            {
                return dir.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
