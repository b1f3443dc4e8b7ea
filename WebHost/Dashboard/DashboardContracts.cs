namespace Actors.WebHost.Dashboard;

/// <summary>One point of the overview charts (one per second while somebody watches); see docs/dashboard.md.</summary>
public sealed record DashboardPoint(
    DateTimeOffset At,
    int Silos,
    long Activations,
    double CallsPerSecond,
    double ErrorsPerSecond,
    double ErrorRate,
    double MeanMs,
    double P99Ms,
    int Connections,
    long OpenSessions);

/// <summary>What a dashboard receives every second.</summary>
public sealed record DashboardSnapshot(DashboardPoint Point, IReadOnlyList<SiloRow> Silos, IReadOnlyList<GrainTypeRow> GrainTypes, IReadOnlyList<MethodRow> Methods);

public sealed record SiloRow(
    string Address,
    string Name,
    string Status,
    int GatewayPort,
    DateTimeOffset StartedAt,
    double UptimeSeconds,
    double? CpuPercent,
    long? MemoryBytes,
    int? Activations,
    IReadOnlyDictionary<string, long> ActivationsByType,
    bool Answered);

public sealed record GrainTypeRow(string GrainType, long Activations, double CallsPerSecond, double ErrorsPerSecond, double MeanMs, double P99Ms, long TotalCalls, long TotalErrors);

public sealed record MethodRow(string GrainType, string Interface, string Method, double CallsPerSecond, double ErrorsPerSecond, double MeanMs, double P99Ms, long TotalCalls, long TotalErrors);
