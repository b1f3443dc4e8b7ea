using System.Diagnostics;
using System.Text.Json;
using Actors.Runtime.Postgres;
using Npgsql;
using NpgsqlTypes;

namespace Actors.Benchmarks;

/// <summary>
/// Suite "storage": a persisted write through a grain call (state change + WriteStateAsync into
/// actors_grain_state) beside a raw Npgsql upsert of the same jsonb into a table of the same shape,
/// through a data source with the same settings, 1 writer and 16 writers on distinct keys. Each
/// repeat runs the two sides in separate windows (ops/s), then once more with every writer
/// alternating the two op by op (paired latency), which cancels the drift of fsync latency.
/// </summary>
public static class StorageSuite
{
    private const string RawTable = "bench_raw_grain_state";

    private const string CreateRawSql =
        "CREATE SEQUENCE IF NOT EXISTS bench_raw_grain_state_etag_seq AS bigint; " +
        "CREATE TABLE IF NOT EXISTS " + RawTable + " (" +
        "grain_type text NOT NULL, grain_key text NOT NULL, state_name text NOT NULL, etag bigint NOT NULL, " +
        "schema_version int NOT NULL, state jsonb NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(), " +
        "PRIMARY KEY (grain_type, grain_key, state_name))";

    private const string UpsertSql =
        "INSERT INTO " + RawTable + " (grain_type, grain_key, state_name, etag, schema_version, state) " +
        "VALUES ($1, $2, $3, nextval('bench_raw_grain_state_etag_seq'), $4, $5) " +
        "ON CONFLICT (grain_type, grain_key, state_name) DO UPDATE SET etag = EXCLUDED.etag, " +
        "schema_version = EXCLUDED.schema_version, state = EXCLUDED.state, updated_at = now() RETURNING etag";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<int> RunAsync(BenchOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Postgres))
        {
            Console.Error.WriteLine("storage: no PostgreSQL server. Run scripts/bench.sh storage, or set ACTORS_BENCH_POSTGRES / --postgres.");
            return 2;
        }

        Report.Heading($"Persisted write vs raw Npgsql upsert (median of {options.Repeats} repeats, {options.Duration.TotalSeconds:0.#} s windows after {options.Warmup.TotalSeconds:0.#} s warm-up)");
        Report.Machine();

        // The raw side uses the provider's own factory: same timeouts, pooling and application name.
        await using var dataSource = PostgresDataSourceFactory.Create(options.Postgres);
        Console.WriteLine("PostgreSQL: " + await DescribeServerAsync(dataSource));
        Console.WriteLine();
        await using (var create = dataSource.CreateCommand(CreateRawSql))
        {
            await create.ExecuteNonQueryAsync();
        }

        await using var silo = await BenchSilo.StartAsync(s => s.AddPostgresGrainStorage(options.Postgres));
        var runId = Guid.NewGuid().ToString("N")[..8];
        var shapes = new[] { 1, 16 };
        var bare = shapes.Select(_ => new List<double>()).ToArray();
        var grain = shapes.Select(_ => new List<double>()).ToArray();
        var ratios = shapes.Select(_ => new List<double>()).ToArray();
        var paired = shapes.Select(_ => new List<(double RawMs, double GrainMs)>()).ToArray();

        for (var s = 0; s < shapes.Length; s++)
        {
            var writers = shapes[s];
            var grains = Enumerable.Range(0, writers).Select(i => silo.GrainFactory.GetGrain<IStateGrain>($"{runId}-{writers}-{i}")).ToArray();
            var rawKeys = Enumerable.Range(0, writers).Select(i => $"{runId}-{writers}-{i}").ToArray();
            var rawStates = Enumerable.Range(0, writers).Select(_ => new BenchState()).ToArray();
            Task GrainWrite(int c, int n) => grains[c].WriteAsync(n);
            Task RawWrite(int c, int n) => RawUpsertAsync(dataSource, rawKeys[c], rawStates[c], n);

            for (var r = 0; r < options.Repeats; r++)
            {
                CallerHarness.Result rawRun, grainRun;
                if (r % 2 == 0)
                {
                    rawRun = await CallerHarness.RunAsync(writers, RawWrite, options.Warmup, options.Duration);
                    grainRun = await CallerHarness.RunAsync(writers, GrainWrite, options.Warmup, options.Duration);
                }
                else
                {
                    grainRun = await CallerHarness.RunAsync(writers, GrainWrite, options.Warmup, options.Duration);
                    rawRun = await CallerHarness.RunAsync(writers, RawWrite, options.Warmup, options.Duration);
                }

                double b = rawRun.PerSecond, g = grainRun.PerSecond;
                bare[s].Add(b);
                grain[s].Add(g);
                ratios[s].Add(b / g);
                Console.WriteLine(string.Create(Report.Inv,
                    $"  repeat {r + 1}, {writers} writer(s): raw {Report.N0(b)}/s, " +
                    $"grain {Report.N0(g)}/s, grain time / raw time {Report.F(b / g)}"));
                var pair = await PairedAsync(writers, RawWrite, GrainWrite, options.Duration);
                paired[s].Add(pair);
                Console.WriteLine(string.Create(Report.Inv,
                    $"  repeat {r + 1}, {writers} writer(s) alternating op by op: raw {Report.F(pair.RawMs, 3)} ms, grain {Report.F(pair.GrainMs, 3)} ms, grain / raw {Report.F(pair.GrainMs / pair.RawMs)}"));
            }
        }

        Console.WriteLine();
        var rows = new List<string[]>();
        for (var s = 0; s < shapes.Length; s++)
        {
            var rawOps = Report.Median(bare[s]);
            var grainOps = Report.Median(grain[s]);
            rows.Add([
                shapes[s] == 1 ? "1 writer (sequential)" : $"{shapes[s]} writers, distinct keys",
                Report.N0(rawOps),
                Report.F(1000 * shapes[s] / rawOps, 3),
                Report.N0(grainOps),
                Report.F(1000 * shapes[s] / grainOps, 3),
                Report.Ratio(Report.Median(ratios[s])),
                $"{Report.F(ratios[s].Min())}–{Report.F(ratios[s].Max())}",
            ]);
        }

        for (var s = 0; s < shapes.Length; s++)
        {
            var pairRatios = paired[s].Select(p => p.GrainMs / p.RawMs).ToArray();
            var rawMs = Report.Median(paired[s].Select(p => p.RawMs));
            var grainMs = Report.Median(paired[s].Select(p => p.GrainMs));
            rows.Add([
                $"{shapes[s]} writer(s), each alternating raw and grain op by op (paired)",
                "",
                Report.F(rawMs, 3),
                "",
                Report.F(grainMs, 3),
                Report.Ratio(Report.Median(pairRatios)),
                $"{Report.F(pairRatios.Min())}–{Report.F(pairRatios.Max())}",
            ]);
        }

        Report.Table(["shape", "raw upsert ops/s", "raw ms/op", "grain write ops/s", "grain ms/op", "grain time / raw time (median)", "range"], rows);
        return 0;
    }

    /// <summary>
    /// Writers that each alternate a raw upsert and a grain write (order flipped every pair), timing
    /// each: both sides see the same moment-to-moment fsync latency, which separate windows do not.
    /// Returns the mean latency of each side in milliseconds.
    /// </summary>
    private static async Task<(double RawMs, double GrainMs)> PairedAsync(
        int writers, Func<int, int, Task> raw, Func<int, int, Task> grain, TimeSpan duration)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var results = await Task.WhenAll(Enumerable.Range(0, writers).Select(c => Task.Run(async () =>
        {
            long rawTicks = 0, grainTicks = 0;
            var count = 0;
            for (var n = 0; n < 1_000_000 && Stopwatch.GetTimestamp() < deadline; n++)
            {
                if ((n & 1) == 0)
                {
                    rawTicks += await TimeAsync(() => raw(c, n));
                    grainTicks += await TimeAsync(() => grain(c, n));
                }
                else
                {
                    grainTicks += await TimeAsync(() => grain(c, n));
                    rawTicks += await TimeAsync(() => raw(c, n));
                }

                count++;
            }

            return (rawTicks, grainTicks, count);
        })));

        var msPerTick = 1000.0 / Stopwatch.Frequency;
        var total = Math.Max(1, results.Sum(x => x.count));
        return (results.Sum(x => x.rawTicks) * msPerTick / total, results.Sum(x => x.grainTicks) * msPerTick / total);
    }

    private static async Task<long> TimeAsync(Func<Task> operation)
    {
        var start = Stopwatch.GetTimestamp();
        await operation();
        return Stopwatch.GetTimestamp() - start;
    }

    private static async Task RawUpsertAsync(NpgsqlDataSource dataSource, string key, BenchState state, int value)
    {
        BenchState.Fill(state, key, value);
        var json = JsonSerializer.Serialize(state, Json);
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(UpsertSql, connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = "state" });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = "bench" });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = 1 });
        command.Parameters.Add(new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Jsonb, TypedValue = json });
        _ = (long?)await command.ExecuteScalarAsync();
    }

    private static async Task<string> DescribeServerAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT version(), current_setting('fsync'), current_setting('synchronous_commit'), current_setting('full_page_writes'), current_setting('wal_sync_method')");
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        var version = reader.GetString(0);
        var shortVersion = version.Split(' ', 3) is { Length: >= 2 } parts ? parts[0] + " " + parts[1] : version;
        return $"{shortVersion}, fsync={reader.GetString(1)}, synchronous_commit={reader.GetString(2)}, full_page_writes={reader.GetString(3)}, wal_sync_method={reader.GetString(4)}";
    }
}
