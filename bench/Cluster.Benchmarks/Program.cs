using System.Diagnostics;
using System.Globalization;
using Actors;
using Actors.Grains;
using Actors.Runtime.Cluster;
using Actors.Runtime.Management;
using Actors.Runtime.Postgres;
using Actors.Benchmarks.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// Cross-silo benchmarks between two real Silo processes on loopback (see docs/BENCHMARKS.md).
//   dotnet run -c Release --project bench/Cluster.Benchmarks -- <silo.dll> <postgres connection string> [repeats] [seconds]
var siloDll = args.ElementAtOrDefault(0) ?? throw new ArgumentException("usage: <Silo.dll> <connection string> [repeats] [seconds]");
var connectionString = args.ElementAtOrDefault(1) ?? throw new ArgumentException("missing connection string");
var repeats = int.Parse(args.ElementAtOrDefault(2) ?? "3", CultureInfo.InvariantCulture);
var seconds = double.Parse(args.ElementAtOrDefault(3) ?? "4", CultureInfo.InvariantCulture);
var window = TimeSpan.FromSeconds(seconds);
var clusterId = "bench-" + Guid.NewGuid().ToString("N")[..8];

var silos = new List<SiloProcess>
{
    await SiloProcess.StartAsync(siloDll, connectionString, clusterId, "silo-a"),
    await SiloProcess.StartAsync(siloDll, connectionString, clusterId, "silo-b"),
};

var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
builder.Logging.SetMinimumLevel(LogLevel.Error);
builder.Services.AddActorsClient(c => c.UsePostgresClustering(o =>
{
    o.ConnectionString = connectionString;
    o.ClusterId = clusterId;
}));
using var host = builder.Build();
await host.StartAsync();
var client = host.Services.GetRequiredService<ClusterClient>();
var grains = client.GrainFactory;

try
{
    var stats = await WaitForSilosAsync(grains, 2);
    var addresses = stats.Silos.Select(s => s.Address).ToList();
    var a = grains.GetGrain<ISiloControlGrain>(addresses[0]);
    Console.WriteLine($"# Cross-silo benchmarks — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, repeats {repeats}, window {seconds} s");
    Console.WriteLine();
    Console.WriteLine("| callers | path | calls/s (median) | p50 ms | p99 ms | errors | vs local |");
    Console.WriteLine("|---:|---|---:|---:|---:|---:|---:|");
    foreach (var concurrency in Environment.GetEnvironmentVariable("BENCH_SKIP_LOAD") is null ? new[] { 100, 1000 } : [])
    {
        var local = new List<PingLoadResult>();
        var remote = new List<PingLoadResult>();
        for (var r = 0; r < repeats; r++)
        {
            // Interleave the two paths so both see the same machine noise.
            local.Add(await a.PingLoadAsync(addresses[0], concurrency, window, 32));
            remote.Add(await a.PingLoadAsync(addresses[1], concurrency, window, 32));
        }

        var l = Median(local);
        var x = Median(remote);
        Console.WriteLine($"| {concurrency} | same silo (local call) | {l.CallsPerSecond:N0} | {l.P50Ms} | {l.P99Ms} | {local.Sum(p => p.Errors)} | 1.00 |");
        Console.WriteLine($"| {concurrency} | silo A → silo B over TCP | {x.CallsPerSecond:N0} | {x.P50Ms} | {x.P99Ms} | {remote.Sum(p => p.Errors)} | {x.CallsPerSecond / l.CallsPerSecond:0.00} |");
    }

    Console.WriteLine();
    Console.WriteLine("| callers | client → gateway → grain | calls/s (median) | p50 ms | p99 ms |");
    Console.WriteLine("|---:|---|---:|---:|---:|");
    var gateway = client.CurrentGateway!;
    foreach (var target in addresses)
    {
        var runs = new List<PingLoadResult>();
        for (var r = 0; r < repeats; r++)
        {
            runs.Add(await ClientLoadAsync(grains.GetGrain<ISiloControlGrain>(target), 100, window));
        }

        var m = Median(runs);
        Console.WriteLine($"| 100 | {(target == gateway ? "grain on the gateway silo" : "grain on the other silo (one forward)")} | {m.CallsPerSecond:N0} | {m.P50Ms} | {m.P99Ms} |");
    }

    Console.WriteLine();
    Console.WriteLine("| run | failover: kill → every grain answers again |");
    Console.WriteLine("|---:|---:|");
    var failovers = new List<double>();
    for (var r = 0; r < 5; r++)
    {
        var current = await WaitForSilosAsync(grains, 2);
        var victimAddress = current.Silos.Select(s => s.Address).First(s => s != client.CurrentGateway);
        var victimName = current.Silos.First(s => s.Address == victimAddress).Name;
        var victim = silos.First(s => s.Name == victimName && !s.HasExited);
        var keys = Enumerable.Range(0, 200).Select(i => $"failover-{r}-{i}").ToList();
        await Task.WhenAll(keys.Select(k => Answer(grains, k)));
        var clock = Stopwatch.StartNew();
        victim.Kill();
        var pending = new HashSet<string>(keys);
        while (pending.Count > 0 && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            var answered = await Task.WhenAll(pending.Select(async k => (k, ok: await Answer(grains, k))));
            foreach (var (k, ok) in answered)
            {
                if (ok)
                {
                    pending.Remove(k);
                }
            }
        }

        var elapsed = clock.Elapsed.TotalSeconds;
        failovers.Add(elapsed);
        Console.WriteLine($"| {r + 1} | {elapsed:0.00} s{(pending.Count > 0 ? $" ({pending.Count} never answered)" : "")} |");
        silos.Add(await SiloProcess.StartAsync(siloDll, connectionString, clusterId, $"silo-{r + 3}"));
    }

    Console.WriteLine($"| median | **{failovers.Order().ElementAt(failovers.Count / 2):0.00} s** |");
}
finally
{
    await host.StopAsync();
    foreach (var silo in silos)
    {
        await silo.DisposeAsync();
    }
}

static PingLoadResult Median(List<PingLoadResult> runs) => runs.OrderBy(r => r.CallsPerSecond).ElementAt(runs.Count / 2);

static async Task<ClusterStatistics> WaitForSilosAsync(IGrainFactory grains, int count)
{
    var deadline = DateTime.UtcNow.AddSeconds(60);
    while (true)
    {
        try
        {
            var stats = await grains.GetGrain<IManagementGrain>(0).GetClusterStatisticsAsync();
            if (stats.Silos.Count(s => s.Status == "Active" && s.Statistics is not null) == count)
            {
                return stats;
            }
        }
        catch (Exception exception) when (exception is SiloUnavailableException or TimeoutException or GrainRoutingException)
        {
        }

        if (DateTime.UtcNow > deadline)
        {
            throw new TimeoutException($"the cluster did not reach {count} active silos");
        }

        await Task.Delay(200);
    }
}

// A grain answered when it replied at all: an unknown user's not_found is a reply from its activation.
static async Task<bool> Answer(IGrainFactory grains, string key)
{
    try
    {
        await grains.GetGrain<IUserGrain>(key).GetPresenceAsync().WaitAsync(TimeSpan.FromSeconds(2));
        return true;
    }
    catch (DomainException)
    {
        return true;
    }
    catch (Exception exception) when (exception is SiloUnavailableException or TimeoutException or GrainRoutingException or RemoteGrainException)
    {
        if (Environment.GetEnvironmentVariable("BENCH_DEBUG") is not null)
        {
            Console.Error.WriteLine($"{key}: {exception.GetType().Name}: {exception.Message}");
        }

        return false;
    }
}

static async Task<PingLoadResult> ClientLoadAsync(ISiloControlGrain target, int concurrency, TimeSpan duration)
{
    var latencies = new List<double>[concurrency];
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async i =>
    {
        var mine = latencies[i] = [];
        while (clock.Elapsed < duration)
        {
            var start = Stopwatch.GetTimestamp();
            await target.PingAsync("ping-payload-32-bytes-xxxxxxxxxx");
            mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
    }));
    var all = latencies.SelectMany(l => l).Order().ToArray();
    var s = clock.Elapsed.TotalSeconds;
    return new PingLoadResult(all.Length, 0, s, Math.Round(all.Length / s), Math.Round(all[all.Length / 2], 3), Math.Round(all[(int)(all.Length * 0.99)], 3), Math.Round(all[^1], 3));
}
