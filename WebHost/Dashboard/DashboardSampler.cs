using System.Collections.Immutable;
using Actors.Runtime.Diagnostics;
using Actors.Runtime.Management;
using Actors.WebHost.Hosting;
using Actors.WebHost.Realtime;
using Microsoft.AspNetCore.SignalR;

namespace Actors.WebHost.Dashboard;

/// <summary>
/// Samples the cluster once a second for the dashboards connected to this node, keeps 5 minutes of
/// points and pushes each snapshot. With nobody watching it does nothing at all: the statistics
/// fan-out is the dashboard's only cost, and it is paid only while the dashboard is open.
/// </summary>
internal sealed partial class DashboardSampler(
    IGrainFactory grains,
    IHubContext<DashboardHub, IDashboardClient> hub,
    ConnectionRegistry connections,
    INodeInfo node,
    RecentLogBuffer localLogs,
    TimeProvider time,
    ILogger<DashboardSampler> logger) : BackgroundService
{
    public const int HistoryPoints = 300;
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);
    private const int TopMethods = 20;
    private const string SessionGrainType = "session";

    private readonly SemaphoreSlim wake = new(0);
    private readonly Lock gate = new();
    private readonly Queue<DashboardPoint> history = new(HistoryPoints);
    private ClusterStatistics? previous;
    private int watchers;

    /// <summary>Dashboards connected to this node.</summary>
    public int Watchers => Volatile.Read(ref watchers);

    /// <summary>Samples taken since start.</summary>
    public long SamplesTaken => Interlocked.Read(ref samplesTaken);

    /// <summary>False while the loop is parked waiting for a dashboard to connect.</summary>
    public bool IsSampling => Volatile.Read(ref sampling);

    private long samplesTaken;
    private bool sampling;

    public void AddWatcher()
    {
        if (Interlocked.Increment(ref watchers) == 1)
        {
            wake.Release();
        }
    }

    public void RemoveWatcher() => Interlocked.Decrement(ref watchers);

    /// <summary>Points of the last 5 minutes, oldest first.</summary>
    public IReadOnlyList<DashboardPoint> History()
    {
        var cutoff = time.GetUtcNow() - (Interval * HistoryPoints);
        lock (gate)
        {
            return [.. history.Where(p => p.At >= cutoff)];
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        PeriodicTimer? timer = null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (Watchers == 0)
                {
                    // No ticks pile up while parked: the next period starts when someone connects.
                    timer?.Dispose();
                    timer = null;
                    // Idle: forget the baseline (rates restart cleanly) and sleep until someone connects.
                    previous = null;
                    if (IsSampling)
                    {
                        Volatile.Write(ref sampling, false);
                        DashboardLog.SamplingStopped(logger);
                    }

                    while (Watchers == 0)
                    {
                        await wake.WaitAsync(stoppingToken);
                    }

                    Volatile.Write(ref sampling, true);
                    DashboardLog.SamplingStarted(logger, Watchers);
                }

                timer ??= new PeriodicTimer(Interval, time);

                try
                {
                    await SampleAsync(stoppingToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    DashboardLog.SampleFailed(logger, exception);
                }

                await timer.WaitForNextTickAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            timer?.Dispose();
        }
    }

    /// <summary>One sample: statistics from every silo, the interval's rates, new log records; pushed to every dashboard.</summary>
    internal async Task SampleAsync(CancellationToken cancellationToken)
    {
        var stats = await grains.GetGrain<IManagementGrain>(0).GetClusterStatisticsAsync().WaitAsync(CallTimeout, cancellationToken);
        Interlocked.Increment(ref samplesTaken);
        var newLogs = await CollectLogsAsync(stats, cancellationToken);
        var last = previous;
        previous = stats;
        if (newLogs.Count > 0)
        {
            await hub.Clients.All.Logs(newLogs);
        }

        if (last is null)
        {
            return; // The first sample is only the baseline for rates.
        }

        var interval = StatisticsWindow.Between(last, stats);
        var snapshot = BuildSnapshot(stats, interval, connections.Count);
        lock (gate)
        {
            if (history.Count == HistoryPoints)
            {
                history.Dequeue();
            }

            history.Enqueue(snapshot.Point);
        }

        await hub.Clients.All.Snapshot(snapshot);
    }

    internal static DashboardSnapshot BuildSnapshot(ClusterStatistics stats, IntervalStatistics interval, int connectionCount)
    {
        var total = interval.Total;
        var point = new DashboardPoint(
            stats.At,
            stats.Silos.Count(s => s.Status == "Active"),
            stats.ActivationsByType.Values.Sum(),
            total.CallsPerSecond,
            total.ErrorsPerSecond,
            total.ErrorRate,
            total.MeanMs,
            total.P99Ms,
            connectionCount,
            stats.ActivationsByType.GetValueOrDefault(SessionGrainType));

        var silos = stats.Silos.Select(s => new SiloRow(
            s.Address,
            s.Name,
            s.Status,
            s.GatewayPort,
            s.StartedAt,
            Math.Round(s.Statistics?.Uptime.TotalSeconds ?? (stats.At - s.StartedAt).TotalSeconds),
            s.Statistics?.CpuPercent,
            s.Statistics?.MemoryBytes,
            s.Statistics?.Activations,
            s.Statistics?.ActivationsByType ?? ImmutableDictionary<string, long>.Empty,
            s.Statistics is not null)).ToList();

        var typeNames = stats.ActivationsByType.Keys.Union(interval.ByGrainType.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var types = typeNames.Select(type =>
        {
            var rates = interval.ByGrainType.GetValueOrDefault(type) ?? IntervalRates.Zero;
            return new GrainTypeRow(type, stats.ActivationsByType.GetValueOrDefault(type), rates.CallsPerSecond, rates.ErrorsPerSecond, rates.MeanMs, rates.P99Ms, rates.TotalCalls, rates.TotalErrors);
        }).ToList();

        var methods = interval.Methods
            .OrderByDescending(m => m.Rates.CallsPerSecond).ThenByDescending(m => m.Rates.TotalCalls)
            .Take(TopMethods)
            .Select(m => new MethodRow(m.GrainType, m.Interface, m.Method, m.Rates.CallsPerSecond, m.Rates.ErrorsPerSecond, m.Rates.MeanMs, m.Rates.P99Ms, m.Rates.TotalCalls, m.Rates.TotalErrors))
            .ToList();
        return new DashboardSnapshot(point, silos, types, methods);
    }
}
