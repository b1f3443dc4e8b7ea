using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;
using System.Text.Json;
using Actors;
using Actors.Grains;
using Actors.Grains.Benchmarks;
using Actors.Grains.Sessions;
using Actors.Runtime.Hosting;
using Actors.Runtime.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

// Durable session publishes (group commit) vs a raw Npgsql loop committing one row per transaction,
// in the same run, against PostgreSQL with default durability. See docs/BENCHMARKS.md.
//
//   dotnet run -c Release --project bench/Grains.Benchmarks -- [--repeats 5] [--seconds 5] [--warmup 2] [--publishers 100] [--postgres CONN]
//
// Without --postgres / ACTORS_BENCH_POSTGRES it starts (and afterwards stops) a PostgreSQL of its own
// in <repo>/.data/bench-postgres-sessions through scripts/postgres.sh, never with ACTORS_PG_FAST, and
// raises its max_connections to 300 (the raw loop alone holds 100 connections, the silo's pools more).
var options = BenchOptions.Parse(args);
if (options is null)
{
    return 2;
}

await using var server = await BenchPostgres.AcquireAsync(options.Postgres);
return await PublishSuite.RunAsync(options, server.ConnectionString);

namespace Actors.Grains.Benchmarks
{
    internal sealed record BenchOptions(int Repeats, TimeSpan Window, TimeSpan Warmup, int Publishers, string? Postgres)
    {
        public static BenchOptions? Parse(string[] args)
        {
            var repeats = 5;
            var seconds = 5.0;
            var warmup = 2.0;
            var publishers = 100;
            var postgres = Environment.GetEnvironmentVariable("ACTORS_BENCH_POSTGRES");
            for (var i = 0; i < args.Length; i++)
            {
                var value = i + 1 < args.Length ? args[i + 1] : null;
                switch (args[i])
                {
                    case "--repeats" when int.TryParse(value, CultureInfo.InvariantCulture, out var r) && r > 0:
                        repeats = r;
                        i++;
                        break;
                    case "--seconds" when double.TryParse(value, CultureInfo.InvariantCulture, out var s) && s > 0:
                        seconds = s;
                        i++;
                        break;
                    case "--warmup" when double.TryParse(value, CultureInfo.InvariantCulture, out var w) && w >= 0:
                        warmup = w;
                        i++;
                        break;
                    case "--publishers" when int.TryParse(value, CultureInfo.InvariantCulture, out var p) && p > 0:
                        publishers = p;
                        i++;
                        break;
                    case "--postgres" when !string.IsNullOrWhiteSpace(value):
                        postgres = value;
                        i++;
                        break;
                    default:
                        Console.Error.WriteLine("usage: Grains.Benchmarks [--repeats N] [--seconds S] [--warmup S] [--publishers N] [--postgres CONN]");
                        return null;
                }
            }

            return new BenchOptions(repeats, TimeSpan.FromSeconds(seconds), TimeSpan.FromSeconds(warmup), publishers, string.IsNullOrWhiteSpace(postgres) ? null : postgres);
        }
    }

    /// <summary>The PostgreSQL the run uses: the given one, or the bench instance started (and stopped) through scripts/postgres.sh.</summary>
    internal sealed class BenchPostgres : IAsyncDisposable
    {
        private readonly string? startedDirectory;

        private BenchPostgres(string connectionString, string? startedDirectory)
        {
            ConnectionString = connectionString;
            this.startedDirectory = startedDirectory;
        }

        public string ConnectionString { get; }

        public static async Task<BenchPostgres> AcquireAsync(string? given)
        {
            if (given is not null)
            {
                return new BenchPostgres(given, null);
            }

            var directory = Path.Combine(RepositoryRoot(), ".data", "bench-postgres-sessions");
            var running = await RunScriptAsync("status", directory, allowFailure: true) is not null;
            var url = (await RunScriptAsync("start", directory, allowFailure: false))!;
            Console.Error.WriteLine(running ? $"using the running bench PostgreSQL in {directory}" : $"started the bench PostgreSQL in {directory}");
            await using (var dataSource = NpgsqlDataSource.Create(url))
            {
                await using var show = dataSource.CreateCommand("SELECT current_setting('max_connections')::int");
                if ((int)(await show.ExecuteScalarAsync())! < MaxConnections)
                {
                    await using var alter = dataSource.CreateCommand($"ALTER SYSTEM SET max_connections = {MaxConnections}");
                    await alter.ExecuteNonQueryAsync();
                    NpgsqlConnection.ClearAllPools();
                    await RunScriptAsync("stop", directory, allowFailure: false);
                    url = (await RunScriptAsync("start", directory, allowFailure: false))!;
                    Console.Error.WriteLine($"restarted it with max_connections = {MaxConnections}");
                }
            }

            return new BenchPostgres(url, running ? null : directory);
        }

        private const int MaxConnections = 300;

        public async ValueTask DisposeAsync()
        {
            if (startedDirectory is not null)
            {
                await RunScriptAsync("stop", startedDirectory, allowFailure: true);
            }
        }

        private static string RepositoryRoot()
        {
            foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            {
                for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                {
                    if (File.Exists(Path.Combine(dir.FullName, "Actors.sln")))
                    {
                        return dir.FullName;
                    }
                }
            }

            throw new InvalidOperationException("Could not find the repository root (Actors.sln); pass --postgres.");
        }

        private static async Task<string?> RunScriptAsync(string command, string directory, bool allowFailure)
        {
            var start = new ProcessStartInfo("bash", [Path.Combine(RepositoryRoot(), "scripts", "postgres.sh"), command])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };

            // Default durability: never the tests' fast settings, never an external server by accident.
            start.Environment.Remove("ACTORS_PG_FAST");
            start.Environment.Remove("ACTORS_POSTGRES");
            start.Environment["ACTORS_PG_DIR"] = directory;
            using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not run scripts/postgres.sh");
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
            {
                return allowFailure ? null : throw new InvalidOperationException($"scripts/postgres.sh {command} failed: {await stderr}");
            }

            return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
        }
    }

    internal static class PublishSuite
    {
        private const string RawInsertSql =
            "INSERT INTO actors_session_events (session_id, seq, type, author_id, payload, client_msg_id, at) " +
            "VALUES ($1, $2, $3, $4, $5::jsonb, NULL, $6)";

        private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

        public static async Task<int> RunAsync(BenchOptions options, string connectionString)
        {
            await using var dataSource = PostgresDataSourceFactory.Create(connectionString);
            var settings = await ServerSettingsAsync(dataSource);
            if (settings["fsync"] != "on" || settings["synchronous_commit"] != "on")
            {
                Console.Error.WriteLine($"refusing to measure durable publishes: fsync={settings["fsync"]}, synchronous_commit={settings["synchronous_commit"]}");
                return 3;
            }

            await PostgresMigrationRunner.RunAsync(dataSource, [DomainSiloBuilderExtensions.MigrationSource]);
            var run = "bench-" + Guid.NewGuid().ToString("N")[..8];
            var host = await StartSiloAsync(connectionString);
            try
            {
                return await MeasureAsync(options, dataSource, host, run, settings);
            }
            finally
            {
                using var stopTimeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
                await host.StopAsync(stopTimeout.Token);
                host.Dispose();
                await using var cleanup = dataSource.CreateCommand("DELETE FROM actors_session_events WHERE session_id LIKE $1");
                cleanup.Parameters.Add(new NpgsqlParameter<string> { TypedValue = run + "%" });
                await cleanup.ExecuteNonQueryAsync();
            }
        }

        private static async Task<int> MeasureAsync(BenchOptions options, NpgsqlDataSource dataSource, IHost host, string run, Dictionary<string, string> settings)
        {
            var grains = host.Services.GetRequiredService<IGrainFactory>();
            var store = host.Services.GetRequiredService<ISessionEventStore>();
            var owner = "bench-owner";
            var publishers = options.Publishers;
            using var payloadDocument = JsonDocument.Parse("""{"text":"hello from a benchmark publisher","n":12345,"ok":true}""");
            var payload = payloadDocument.RootElement;
            var payloadText = payload.GetRawText();

            var hot = grains.GetGrain<ISessionGrain>($"{run}-hot");
            await hot.CreateAsync(owner, "hot session", Visibility.Private);
            var spread = Enumerable.Range(0, publishers).Select(i => grains.GetGrain<ISessionGrain>($"{run}-spread-{i}")).ToArray();
            await Task.WhenAll(spread.Select(s => s.CreateAsync(owner, "spread session", Visibility.Private)));
            var rawSeqs = new long[publishers];

            // The grain side alone: the same hot session on a silo whose event log is in memory.
            var memoryHost = await StartSiloAsync(connectionString: null);
            var memoryStore = memoryHost.Services.GetRequiredService<ISessionEventStore>();
            var memoryHot = memoryHost.Services.GetRequiredService<IGrainFactory>().GetGrain<ISessionGrain>($"{run}-memory");
            await memoryHot.CreateAsync(owner, "hot session in memory", Visibility.Private);

            var scenarios = new (string Name, string Description, Func<int, Task> Op, bool CountsCommits)[]
            {
                ("hot", $"1 session, {publishers} concurrent publishers", _ => hot.PublishAsync(owner, "bench.event", payload, null), true),
                ("spread", $"{publishers} sessions, 1 publisher each", w => spread[w].PublishAsync(owner, "bench.event", payload, null), true),
                ("raw", $"raw Npgsql: {publishers} tasks, one INSERT per transaction", w => RawInsertAsync(dataSource, $"{run}-raw-{w}", ++rawSeqs[w], payloadText), false),
                ("memory", $"(ceiling) 1 session, {publishers} publishers, event log in memory", _ => memoryHot.PublishAsync(owner, "bench.event", payload, null), true),
            };

            Console.WriteLine($"## Durable publishes (median of {options.Repeats} repeats, {options.Window.TotalSeconds:0.#} s windows after {options.Warmup.TotalSeconds:0.#} s warm-up)");
            Console.WriteLine();
            Console.WriteLine(string.Create(Inv,
                $"Machine: {Environment.ProcessorCount} logical CPUs ({CpuModel()}), {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}, " +
                $"{(GCSettings.IsServerGC ? "server" : "workstation")} GC."));
            Console.WriteLine($"PostgreSQL {settings["server_version"]}: fsync={settings["fsync"]}, synchronous_commit={settings["synchronous_commit"]}, " +
                $"wal_sync_method={settings["wal_sync_method"]}, full_page_writes={settings["full_page_writes"]}, commit_delay={settings["commit_delay"]}.");
            Console.WriteLine();

            var results = scenarios.ToDictionary(s => s.Name, _ => new List<Result>());
            for (var r = 0; r < options.Repeats; r++)
            {
                // Rotate the order so that drift (WAL growth, checkpoints) does not favour one side.
                for (var k = 0; k < scenarios.Length; k++)
                {
                    var scenario = scenarios[(r + k) % scenarios.Length];
                    var result = await Harness.RunAsync(publishers, scenario.Op, options.Warmup, options.Window, !scenario.CountsCommits ? null : scenario.Name == "memory" ? memoryStore : store);
                    results[scenario.Name].Add(result);
                    Console.Error.WriteLine(string.Create(Inv, $"repeat {r + 1} {scenario.Name}: {result.OpsPerSecond:N0}/s, p50 {result.P50Ms:0.00} ms, p99 {result.P99Ms:0.00} ms, {result.EventsPerCommit:0.0} events/commit"));
                }
            }

            var raw = Median(results["raw"].Select(x => x.OpsPerSecond));
            Console.WriteLine("| Scenario | Durable events/s (median) | Range over repeats | p50 latency | p99 latency | Events per commit | vs raw loop |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
            foreach (var (name, description, _, counts) in scenarios)
            {
                var list = results[name];
                var median = Median(list.Select(x => x.OpsPerSecond));
                Console.WriteLine(string.Create(Inv,
                    $"| {description} | {median:N0} | {list.Min(x => x.OpsPerSecond):N0}–{list.Max(x => x.OpsPerSecond):N0} | " +
                    $"{Median(list.Select(x => x.P50Ms)):0.00} ms | {Median(list.Select(x => x.P99Ms)):0.00} ms | " +
                    $"{(counts ? Median(list.Select(x => x.EventsPerCommit)).ToString("0.0", Inv) : "1")} | " +
                    $"{(name == "raw" ? "1.00×" : (median / raw).ToString("0.00", Inv) + "×")} |"));
            }

            Console.WriteLine();
            Console.WriteLine("Ratio per repeat (hot / raw of the same repeat): " + string.Join(", ",
                Enumerable.Range(0, options.Repeats).Select(i => (results["hot"][i].OpsPerSecond / results["raw"][i].OpsPerSecond).ToString("0.00", Inv) + "×")));
            Console.WriteLine("Ratio per repeat (spread / raw of the same repeat): " + string.Join(", ",
                Enumerable.Range(0, options.Repeats).Select(i => (results["spread"][i].OpsPerSecond / results["raw"][i].OpsPerSecond).ToString("0.00", Inv) + "×")));

            // Sanity: the hot session's log is gap-free and every acknowledged event is there.
            await using var check = dataSource.CreateCommand("SELECT count(*), min(seq), max(seq) FROM actors_session_events WHERE session_id = $1");
            check.Parameters.Add(new NpgsqlParameter<string> { TypedValue = $"{run}-hot" });
            await using var reader = await check.ExecuteReaderAsync();
            await reader.ReadAsync();
            var (count, min, max) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
            Console.WriteLine(string.Create(Inv, $"Hot session log after the run: {count:N0} events, seq {min}..{max} ({(count == max - min + 1 ? "no gaps" : "GAPS")})."));
            using var stopTimeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await memoryHost.StopAsync(stopTimeout.Token);
            memoryHost.Dispose();
            return count == max - min + 1 ? 0 : 1;
        }

        private static async Task RawInsertAsync(NpgsqlDataSource dataSource, string sessionId, long seq, string payload)
        {
            await using var command = dataSource.CreateCommand(RawInsertSql);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = sessionId });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = seq });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = "bench.event" });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = "bench-owner" });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = payload });
            command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = DateTime.UtcNow, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            await command.ExecuteNonQueryAsync();
        }

        private static async Task<IHost> StartSiloAsync(string? connectionString)
        {
            var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true);

            // No users exist here: the sessions' (logged, harmless) user-list updates are refused.
            builder.Logging.AddFilter("Actors.Grains.Sessions.SessionGrain", LogLevel.Error);
            builder.Logging.AddFilter("Actors.Grains.Sessions.SessionEventStoreStartupTask", LogLevel.Error);
            builder.Services.AddActorsSilo(silo =>
            {
                silo.Configure(o =>
                {
                    o.SiloName = "bench";
                    o.IdleTimeout = TimeSpan.FromDays(1);
                });
                if (connectionString is null)
                {
                    silo.AddMemoryGrainStorage();
                    silo.AddDomain();
                }
                else
                {
                    silo.AddPostgresGrainStorage(connectionString);
                    silo.AddDomain(o => o.ConnectionString = connectionString);
                }
            });
            var host = builder.Build();
            using var startTimeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await host.StartAsync(startTimeout.Token);
            return host;
        }

        private static async Task<Dictionary<string, string>> ServerSettingsAsync(NpgsqlDataSource dataSource)
        {
            var settings = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var name in new[] { "server_version", "fsync", "synchronous_commit", "wal_sync_method", "full_page_writes", "commit_delay" })
            {
                await using var command = dataSource.CreateCommand("SELECT current_setting($1)");
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
                settings[name] = (string)(await command.ExecuteScalarAsync())!;
            }

            return settings;
        }

        private static double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        }

        private static string CpuModel()
        {
            try
            {
                return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
                    ?? RuntimeInformation.ProcessArchitecture.ToString();
            }
            catch (IOException)
            {
                return RuntimeInformation.ProcessArchitecture.ToString();
            }
        }
    }

    internal sealed record Result(double OpsPerSecond, double P50Ms, double P99Ms, double EventsPerCommit);

    /// <summary>N workers loop an operation; counts what completes inside the timed window (after a warm-up).</summary>
    internal static class Harness
    {
        public static async Task<Result> RunAsync(int workers, Func<int, Task> op, TimeSpan warmup, TimeSpan window, ISessionEventStore? store)
        {
            var stop = 0;
            var measuring = 0;
            var latencies = new List<long>[workers];
            var workerTasks = new Task[workers];
            for (var w = 0; w < workers; w++)
            {
                var worker = w;
                latencies[w] = new List<long>(1 << 14);
                workerTasks[w] = Task.Run(async () =>
                {
                    while (Volatile.Read(ref stop) == 0)
                    {
                        var started = Stopwatch.GetTimestamp();
                        await op(worker);
                        if (Volatile.Read(ref measuring) == 1)
                        {
                            latencies[worker].Add(Stopwatch.GetTimestamp() - started);
                        }
                    }
                });
            }

            await Task.Delay(warmup);
            var commits = store?.Commits ?? 0;
            var events = store?.AppendedEvents ?? 0;
            var clock = Stopwatch.StartNew();
            Volatile.Write(ref measuring, 1);
            await Task.Delay(window);
            Volatile.Write(ref measuring, 0);
            var elapsed = clock.Elapsed;
            var commitCount = (store?.Commits ?? 0) - commits;
            var eventCount = (store?.AppendedEvents ?? 0) - events;
            Volatile.Write(ref stop, 1);
            await Task.WhenAll(workerTasks);

            var all = latencies.SelectMany(l => l).Order().ToArray();
            double Percentile(double p) => all.Length == 0 ? 0 : all[Math.Min(all.Length - 1, (int)(p * all.Length))] * 1000.0 / Stopwatch.Frequency;
            return new Result(all.Length / elapsed.TotalSeconds, Percentile(0.50), Percentile(0.99), commitCount == 0 ? 0 : (double)eventCount / commitCount);
        }
    }
}
