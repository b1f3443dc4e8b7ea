using System.Collections.Immutable;

namespace Actors.Runtime.Management;

/// <summary>Per-silo control and statistics; the key is the silo's address, and the call always runs on that silo.</summary>
[GrainType(SiloControlGrain.TypeName)]
public interface ISiloControlGrain : IGrainWithStringKey
{
    Task<SiloStatistics> GetStatisticsAsync();

    /// <summary>Echoes the payload from the silo (health checks and cross-silo benchmarks).</summary>
    Task<string> PingAsync(string payload);

    /// <summary>
    /// Measures calls from this silo to another silo's (or its own) control grain: concurrent
    /// callers ping for a while and the latencies are reported. An operator tool and the
    /// cross-silo benchmark's load generator.
    /// </summary>
    Task<PingLoadResult> PingLoadAsync(string targetSilo, int concurrency, TimeSpan duration, int payloadBytes);
}

public sealed record PingLoadResult(long Calls, long Errors, double Seconds, double CallsPerSecond, double P50Ms, double P99Ms, double MaxMs);

/// <summary>Cluster-wide view for operators (the dashboard): silos, activations and call statistics.</summary>
[GrainType(ManagementGrain.TypeName)]
public interface IManagementGrain : IGrainWithIntegerKey
{
    Task<ClusterStatistics> GetClusterStatisticsAsync();
}

public sealed record ClusterStatistics(
    DateTimeOffset At,
    ImmutableArray<SiloSummary> Silos,
    ImmutableDictionary<string, long> ActivationsByType,
    ImmutableArray<MethodStatistics> Methods);

/// <summary>A silo as the membership table and the silo itself describe it; statistics are null when it did not answer.</summary>
public sealed record SiloSummary(string Address, string Name, string Status, int GatewayPort, DateTimeOffset StartedAt, DateTimeOffset IAmAliveAt, SiloStatistics? Statistics);

public sealed record SiloStatistics(
    string Address,
    string Name,
    DateTimeOffset StartedAt,
    TimeSpan Uptime,
    double CpuPercent,
    long MemoryBytes,
    long ManagedHeapBytes,
    int Activations,
    ImmutableDictionary<string, long> ActivationsByType,
    ImmutableArray<MethodStatistics> Methods);

/// <summary>
/// Calls to one grain method (by grain type): counts since start and execution-time percentiles in
/// milliseconds (from admission to completion), with the raw histogram so silos can be merged.
/// </summary>
public sealed record MethodStatistics(
    string GrainType,
    string Interface,
    string Method,
    long Calls,
    long Errors,
    double P50Ms,
    double P95Ms,
    double P99Ms,
    double MeanMs,
    ImmutableArray<long> LatencyBuckets);
