using System.Collections.Immutable;
using System.Diagnostics;
using Actors.Runtime.Hosting;
using Actors.Runtime.Membership;
using Microsoft.Extensions.DependencyInjection;

namespace Actors.Runtime.Management;

/// <summary>Answers for the silo it runs on (the router places it by its key, the silo address).</summary>
/// <remarks>Reentrant: a ping load running on this grain must not block pings (or statistics) to it.</remarks>
[GrainType(TypeName)]
[Reentrant]
internal sealed partial class SiloControlGrain(RuntimeServices runtime) : Grain, ISiloControlGrain
{
    public const string TypeName = "sys.silo";

    public Task<SiloStatistics> GetStatisticsAsync()
    {
        var process = Process.GetCurrentProcess();
        var byType = runtime.Metrics.ActivationsByType().Where(p => p.Value > 0 && !p.Key.StartsWith("sys.", StringComparison.Ordinal))
            .ToImmutableDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var started = runtime.StartedAt;
        return Task.FromResult(new SiloStatistics(
            runtime.GrainRuntime.NodeIdentity,
            runtime.Options.SiloName,
            started,
            runtime.TimeProvider.GetUtcNow() - started,
            runtime.Cpu.Sample(),
            process.WorkingSet64,
            GC.GetTotalMemory(forceFullCollection: false),
            (int)byType.Values.Sum(),
            byType,
            [.. runtime.CallStatistics.Snapshot().Where(m => !m.GrainType.StartsWith("sys.", StringComparison.Ordinal))]));
    }

    public Task<string> PingAsync(string payload) => Task.FromResult(payload);

    public async Task<PingLoadResult> PingLoadAsync(string targetSilo, int concurrency, TimeSpan duration, int payloadBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(concurrency, 10_000);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(duration, TimeSpan.FromMinutes(5));
        var target = GrainFactory.GetGrain<ISiloControlGrain>(targetSilo);
        var payload = new string('x', Math.Clamp(payloadBytes, 0, 1 << 20));
        var factory = GrainFactory;

        // Run outside this activation's turn: the callers are plain tasks, like requests arriving at the silo.
        return await Task.Run(async () =>
        {
            // Not part of this grain's call chain: the load callers are independent requests.
            Messaging.RuntimeContext.Current = null;
            var latencies = new List<double>[concurrency];
            long errors = 0;
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async i =>
            {
                var mine = latencies[i] = new List<double>(4096);
                while (clock.Elapsed < duration)
                {
                    var start = Stopwatch.GetTimestamp();
                    try
                    {
                        await target.PingAsync(payload).ConfigureAwait(false);
                        mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    }
                    catch (Exception exception) when (exception is TimeoutException or SiloUnavailableException or GrainRoutingException)
                    {
                        Interlocked.Increment(ref errors);
                    }
                }
            })).ConfigureAwait(false);
            var seconds = clock.Elapsed.TotalSeconds;
            var all = latencies.SelectMany(l => l).Order().ToArray();
            double At(double q) => all.Length == 0 ? 0 : Math.Round(all[Math.Min(all.Length - 1, (int)(q * all.Length))], 3);
            return new PingLoadResult(all.Length, errors, Math.Round(seconds, 3), Math.Round(all.Length / seconds), At(0.50), At(0.99), all.Length == 0 ? 0 : Math.Round(all[^1], 3));
        }).ConfigureAwait(true);
    }
}

/// <summary>Fans out to every live silo's control grain and merges the answers.</summary>
[GrainType(TypeName)]
[StatelessWorker(1)]
internal sealed partial class ManagementGrain(RuntimeServices runtime, IServiceProvider services) : Grain, IManagementGrain
{
    public const string TypeName = "sys.management";

    private static readonly TimeSpan PerSiloTimeout = TimeSpan.FromSeconds(5);

    public async Task<ClusterStatistics> GetClusterStatisticsAsync()
    {
        var members = LiveMembers();
        var answers = await Task.WhenAll(members.Select(async member =>
        {
            var key = member.Key;
            SiloStatistics? statistics = null;
            try
            {
                statistics = await GrainFactory.GetGrain<ISiloControlGrain>(key).GetStatisticsAsync().WaitAsync(PerSiloTimeout);
            }
            catch (Exception exception) when (exception is TimeoutException or SiloUnavailableException or GrainRoutingException)
            {
                // A silo that does not answer is listed without statistics.
            }

            var entry = member.Entry;
            return new SiloSummary(key, entry.SiloName, entry.Status.ToString(), entry.GatewayPort, entry.StartedAt, entry.IAmAliveAt, statistics);
        }));

        var byType = answers.Where(a => a.Statistics is not null)
            .SelectMany(a => a.Statistics!.ActivationsByType)
            .GroupBy(p => p.Key, StringComparer.Ordinal)
            .ToImmutableDictionary(g => g.Key, g => g.Sum(p => p.Value), StringComparer.Ordinal);
        var methods = CallStatistics.Merge(answers.Where(a => a.Statistics is not null).SelectMany(a => a.Statistics!.Methods));
        return new ClusterStatistics(runtime.TimeProvider.GetUtcNow(), [.. answers], byType, methods);
    }
}

/// <summary>Process CPU use between two samples, as a percentage of all cores.</summary>
internal sealed class CpuSampler
{
    private readonly Lock gate = new();
    private TimeSpan lastCpu = Process.GetCurrentProcess().TotalProcessorTime;
    private long lastWall = Stopwatch.GetTimestamp();
    private double lastValue;

    public double Sample()
    {
        lock (gate)
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var wall = Stopwatch.GetElapsedTime(lastWall);
            if (wall < TimeSpan.FromMilliseconds(200))
            {
                return lastValue;
            }

            lastValue = Math.Round(100.0 * (cpu - lastCpu).TotalMilliseconds / wall.TotalMilliseconds / Environment.ProcessorCount, 1);
            lastCpu = cpu;
            lastWall = Stopwatch.GetTimestamp();
            return lastValue;
        }
    }
}
