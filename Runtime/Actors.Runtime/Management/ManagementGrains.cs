using System.Collections.Immutable;
using System.Diagnostics;
using Actors.Runtime.Hosting;
using Actors.Runtime.Membership;
using Microsoft.Extensions.DependencyInjection;

namespace Actors.Runtime.Management;

/// <summary>Answers for the silo it runs on (the router places it by its key, the silo address).</summary>
[GrainType(TypeName)]
internal sealed class SiloControlGrain(RuntimeServices runtime) : Grain, ISiloControlGrain
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
}

/// <summary>Fans out to every live silo's control grain and merges the answers.</summary>
[GrainType(TypeName)]
[StatelessWorker(1)]
internal sealed class ManagementGrain(RuntimeServices runtime, IServiceProvider services) : Grain, IManagementGrain
{
    public const string TypeName = "sys.management";

    private static readonly TimeSpan PerSiloTimeout = TimeSpan.FromSeconds(5);

    public async Task<ClusterStatistics> GetClusterStatisticsAsync()
    {
        var cluster = services.GetService<SiloHostedService>()?.Cluster;
        IReadOnlyList<MembershipEntry> members = cluster?.Membership.View.Entries.Where(e => e.Status != SiloStatus.Dead).ToList()
            ??
            [
                new MembershipEntry
                {
                    Address = new SiloAddress("local", 0, 0),
                    SiloName = runtime.Options.SiloName,
                    Status = SiloStatus.Active,
                    StartedAt = runtime.StartedAt,
                    IAmAliveAt = runtime.TimeProvider.GetUtcNow(),
                },
            ];

        var answers = await Task.WhenAll(members.Select(async member =>
        {
            var key = cluster is null ? runtime.GrainRuntime.NodeIdentity : member.Address.ToString();
            SiloStatistics? statistics = null;
            try
            {
                statistics = await GrainFactory.GetGrain<ISiloControlGrain>(key).GetStatisticsAsync().WaitAsync(PerSiloTimeout);
            }
            catch (Exception exception) when (exception is TimeoutException or SiloUnavailableException or GrainRoutingException)
            {
                // A silo that does not answer is listed without statistics.
            }

            return new SiloSummary(
                cluster is null ? key : member.Address.ToString(),
                member.SiloName,
                member.Status.ToString(),
                member.GatewayPort,
                member.StartedAt,
                member.IAmAliveAt,
                statistics);
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
