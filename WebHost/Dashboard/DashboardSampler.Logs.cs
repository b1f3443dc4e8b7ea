using Actors.Runtime.Diagnostics;
using Actors.Runtime.Management;
using Actors.WebHost.Hosting;

namespace Actors.WebHost.Dashboard;

/// <summary>The live log stream: each silo's recent warnings and errors, read with a cursor per source.</summary>
internal sealed partial class DashboardSampler
{
    private const int MaxLogs = RecentLogBuffer.Capacity;

    private readonly Dictionary<string, long> logCursors = new(StringComparer.Ordinal);
    private readonly Queue<LogRecord> logs = new(MaxLogs);

    /// <summary>Recent warnings and errors seen while sampling, oldest first.</summary>
    public IReadOnlyList<LogRecord> RecentLogs()
    {
        lock (gate)
        {
            return [.. logs];
        }
    }

    private string LocalSource => node.LogSource();

    private async Task<List<LogRecord>> CollectLogsAsync(ClusterStatistics stats, CancellationToken cancellationToken)
    {
        var fresh = new List<LogRecord>();
        foreach (var silo in stats.Silos.Where(s => s.Statistics is not null))
        {
            var after = logCursors.GetValueOrDefault(silo.Address);
            try
            {
                var records = await grains.GetGrain<ISiloControlGrain>(silo.Address).GetRecentLogsAsync(after).WaitAsync(CallTimeout, cancellationToken);
                if (records.Length > 0)
                {
                    logCursors[silo.Address] = records[^1].Id;
                    fresh.AddRange(records);
                }
            }
            catch (Exception exception) when (exception is TimeoutException or SiloUnavailableException or GrainRoutingException)
            {
                // That silo's records come with the next sample.
            }
        }

        // A WebHost in Client mode is no silo: its own warnings come from its own buffer.
        if (node.Mode == ClusterMode.Client)
        {
            var local = localLogs.Since(logCursors.GetValueOrDefault(LocalSource), LocalSource);
            if (local.Length > 0)
            {
                logCursors[LocalSource] = local[^1].Id;
                fresh.AddRange(local);
            }
        }

        if (fresh.Count > 0)
        {
            fresh.Sort((a, b) => a.At.CompareTo(b.At));
            lock (gate)
            {
                foreach (var record in fresh)
                {
                    if (logs.Count == MaxLogs)
                    {
                        logs.Dequeue();
                    }

                    logs.Enqueue(record);
                }
            }
        }

        return fresh;
    }
}
