using System.Collections.Concurrent;
using System.Collections.Immutable;
using Actors.Invocation;

namespace Actors.Runtime.Management;

/// <summary>
/// Per grain type and method: call and error counts and a latency histogram with logarithmic
/// buckets (about 19% apart), cheap enough to update on every call and merged across silos for
/// cluster-wide percentiles.
/// </summary>
internal sealed class CallStatistics
{
    /// <summary>Bucket i covers latencies up to Bound(i) ms; the last bucket is open-ended.</summary>
    public const int BucketCount = 96;

    private const double FirstBoundMs = 0.001;
    private const double Growth = 1.19;

    private static readonly double[] Bounds = [.. Enumerable.Range(0, BucketCount).Select(i => FirstBoundMs * Math.Pow(Growth, i))];

    private readonly ConcurrentDictionary<(string GrainType, GrainMethodDescriptor Method), Entry> entries = new();

    /// <summary>Counts a call; <paramref name="elapsedMs"/> is null for calls whose time was not sampled.</summary>
    public void Record(string grainType, GrainMethodDescriptor method, double? elapsedMs, bool failed)
    {
        var entry = entries.GetOrAdd((grainType, method), static _ => new Entry());
        Interlocked.Increment(ref entry.Calls);
        if (failed)
        {
            Interlocked.Increment(ref entry.Errors);
        }

        if (elapsedMs is not { } ms)
        {
            return;
        }

        var index = Array.BinarySearch(Bounds, ms);
        index = index < 0 ? Math.Min(~index, BucketCount - 1) : index;
        Interlocked.Increment(ref entry.Buckets[index]);
        Interlocked.Increment(ref entry.Sampled);
        Interlocked.Add(ref entry.TotalMicros, (long)(ms * 1000));
    }

    public ImmutableArray<MethodStatistics> Snapshot() =>
        [.. entries.Select(p => ToStatistics(p.Key.GrainType, p.Key.Method.InterfaceName, p.Key.Method.Name, p.Value.Calls, p.Value.Errors, [.. p.Value.Buckets],
            p.Value.Sampled == 0 ? 0 : p.Value.TotalMicros * p.Value.Calls / p.Value.Sampled))];

    /// <summary>Merges per-silo statistics of the same method (bucketed counts add exactly).</summary>
    public static ImmutableArray<MethodStatistics> Merge(IEnumerable<MethodStatistics> parts) =>
        [.. parts.GroupBy(p => (p.GrainType, p.Interface, p.Method)).Select(g =>
        {
            var buckets = new long[BucketCount];
            foreach (var part in g)
            {
                for (var i = 0; i < Math.Min(BucketCount, part.LatencyBuckets.Length); i++)
                {
                    buckets[i] += part.LatencyBuckets[i];
                }
            }

            var calls = g.Sum(p => p.Calls);
            var totalMicros = (long)g.Sum(p => p.MeanMs * p.Calls * 1000);
            return ToStatistics(g.Key.GrainType, g.Key.Interface, g.Key.Method, calls, g.Sum(p => p.Errors), buckets, totalMicros);
        }).OrderBy(m => m.GrainType, StringComparer.Ordinal).ThenBy(m => m.Method, StringComparer.Ordinal)];

    private static MethodStatistics ToStatistics(string grainType, string itf, string method, long calls, long errors, long[] buckets, long totalMicros) =>
        new(grainType, itf, method, calls, errors, Percentile(buckets, 0.50), Percentile(buckets, 0.95), Percentile(buckets, 0.99),
            calls == 0 ? 0 : totalMicros / 1000.0 / calls, [.. buckets]);

    /// <summary>The upper bound of the bucket that holds the requested rank (a conservative estimate).</summary>
    public static double Percentile(long[] buckets, double quantile)
    {
        var total = buckets.Sum();
        if (total == 0)
        {
            return 0;
        }

        var rank = (long)Math.Ceiling(quantile * total);
        long seen = 0;
        for (var i = 0; i < buckets.Length; i++)
        {
            seen += buckets[i];
            if (seen >= rank)
            {
                return Math.Round(Bounds[i], 3);
            }
        }

        return Math.Round(Bounds[^1], 3);
    }

    private sealed class Entry
    {
        public long Calls;
        public long Errors;
        public long TotalMicros;
        public long Sampled;
        public readonly long[] Buckets = new long[BucketCount];
    }
}
