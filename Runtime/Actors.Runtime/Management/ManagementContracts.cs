using System.Collections.Immutable;
using Actors.Runtime.Diagnostics;

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

    /// <summary>Warnings and errors this silo logged after <paramref name="afterId"/> (its recent-log buffer), with this silo's address as their source.</summary>
    Task<ImmutableArray<LogRecord>> GetRecentLogsAsync(long afterId);

    /// <summary>Deactivates the grain's activation on this silo, if it has one; false otherwise.</summary>
    Task<bool> DeactivateAsync(string grainType, string key);

    /// <summary>Starts a graceful stop of this silo (hand off grains, leave the membership, end the process); false when already stopping.</summary>
    Task<bool> DrainAsync();
}

public sealed record PingLoadResult(long Calls, long Errors, double Seconds, double CallsPerSecond, double P50Ms, double P99Ms, double MaxMs);

/// <summary>Cluster-wide view for operators (the dashboard): silos, activations and call statistics.</summary>
[GrainType(ManagementGrain.TypeName)]
public interface IManagementGrain : IGrainWithIntegerKey
{
    Task<ClusterStatistics> GetClusterStatisticsAsync();

    /// <summary>Recent warnings and errors of every live silo, oldest first (at most 200 per silo).</summary>
    Task<ImmutableArray<LogRecord>> GetRecentLogsAsync();

    /// <summary>Durable reminders from the reminder table, ordered by grain (at most <paramref name="limit"/>).</summary>
    Task<ReminderListing> GetRemindersAsync(int limit);

    /// <summary>The grain's persisted state, read from storage; null for an unknown grain type.</summary>
    Task<GrainStateReport?> ReadGrainStateAsync(string grainType, string key);

    /// <summary>Deactivates the grain wherever it is active (its state is persisted by the grain as usual).</summary>
    Task<DeactivationResult> DeactivateGrainAsync(string grainType, string key);

    /// <summary>Drains one silo (see <see cref="ISiloControlGrain.DrainAsync"/>); never the last active one.</summary>
    Task<DrainOutcome> DrainSiloAsync(string address);
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

/// <summary>A grain's persisted state as stored, one entry per [PersistentState] of its class.</summary>
public sealed record GrainStateReport(string GrainType, string Key, ImmutableArray<GrainStateRecord> States);

/// <summary>One persisted state: <see cref="Json"/> is the stored document (null when no record exists).</summary>
public sealed record GrainStateRecord(string Name, string Storage, bool Exists, string? ETag, int? SchemaVersion, string? Json);

/// <summary>The outcome of an operator's deactivate request: which silo (if any) had an activation.</summary>
public sealed record DeactivationResult(string GrainType, string Key, bool Deactivated, string? Silo);

/// <summary>A durable reminder as the reminder table holds it.</summary>
public sealed record ReminderSummary(string GrainType, string GrainKey, string Name, DateTimeOffset StartAt, double PeriodSeconds);

public sealed record ReminderListing(ImmutableArray<ReminderSummary> Items, bool Truncated);

/// <summary>What became of a drain request.</summary>
public enum DrainOutcome
{
    Draining,
    UnknownSilo,
    LastActiveSilo,
}
