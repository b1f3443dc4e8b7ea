using System.Collections.Immutable;

namespace Actors.Runtime.Management;

/// <summary>Rates over one interval: calls and errors per second, mean and p99 execution time (ms), and totals since start.</summary>
public sealed record IntervalRates(double CallsPerSecond, double ErrorsPerSecond, double MeanMs, double P99Ms, long TotalCalls, long TotalErrors)
{
    public static readonly IntervalRates Zero = new(0, 0, 0, 0, 0, 0);

    /// <summary>errors / calls over the interval (0 without calls).</summary>
    public double ErrorRate => CallsPerSecond <= 0 ? 0 : Math.Round(ErrorsPerSecond / CallsPerSecond, 4);
}

/// <summary>Per-method rates over one interval.</summary>
public sealed record MethodRates(string GrainType, string Interface, string Method, IntervalRates Rates);

/// <summary>What happened between two <see cref="ClusterStatistics"/> samples: overall, per grain type and per method.</summary>
public sealed record IntervalStatistics(double Seconds, IntervalRates Total, ImmutableDictionary<string, IntervalRates> ByGrainType, ImmutableArray<MethodRates> Methods);

/// <summary>
/// Turns two cumulative samples into interval rates. Deltas are taken per silo incarnation (address
/// and start time), so a silo that joins, restarts or stops answering never shows up as a burst or a
/// negative rate; the histograms' bucket deltas give the interval's own percentiles.
/// </summary>
public static class StatisticsWindow
{
    public static IntervalStatistics Between(ClusterStatistics previous, ClusterStatistics current)
    {
        var seconds = Math.Max((current.At - previous.At).TotalSeconds, 0.001);
        var before = previous.Silos.Where(s => s.Statistics is not null)
            .ToDictionary(s => (s.Address, s.Statistics!.StartedAt), s => s.Statistics!.Methods.ToDictionary(m => (m.GrainType, m.Interface, m.Method)));

        var deltas = new Dictionary<(string GrainType, string Interface, string Method), Accumulator>();
        var totals = new Dictionary<(string GrainType, string Interface, string Method), (long Calls, long Errors)>();
        foreach (var silo in current.Silos.Where(s => s.Statistics is not null))
        {
            before.TryGetValue((silo.Address, silo.Statistics!.StartedAt), out var old);
            foreach (var method in silo.Statistics.Methods)
            {
                var id = (method.GrainType, method.Interface, method.Method);
                totals[id] = totals.TryGetValue(id, out var t) ? (t.Calls + method.Calls, t.Errors + method.Errors) : (method.Calls, method.Errors);
                if (old is null)
                {
                    continue; // A silo first seen now: its counts so far are the baseline, not this interval's.
                }

                old.TryGetValue(id, out var was);
                if (!deltas.TryGetValue(id, out var accumulator))
                {
                    deltas[id] = accumulator = new Accumulator();
                }

                accumulator.Add(method, was);
            }
        }

        var methods = totals.Keys
            .Select(id => new MethodRates(id.GrainType, id.Interface, id.Method,
                (deltas.GetValueOrDefault(id) ?? new Accumulator()).Rates(seconds, totals[id].Calls, totals[id].Errors)))
            .OrderBy(m => m.GrainType, StringComparer.Ordinal).ThenBy(m => m.Method, StringComparer.Ordinal)
            .ToImmutableArray();

        var byType = totals.Keys.GroupBy(id => id.GrainType, StringComparer.Ordinal).ToImmutableDictionary(
            g => g.Key,
            g => Combine(g.Select(id => deltas.GetValueOrDefault(id))).Rates(seconds, g.Sum(id => totals[id].Calls), g.Sum(id => totals[id].Errors)),
            StringComparer.Ordinal);
        var total = Combine(deltas.Values).Rates(seconds, totals.Values.Sum(t => t.Calls), totals.Values.Sum(t => t.Errors));
        return new IntervalStatistics(Math.Round(seconds, 3), total, byType, methods);
    }

    private static Accumulator Combine(IEnumerable<Accumulator?> parts)
    {
        var sum = new Accumulator();
        foreach (var part in parts)
        {
            if (part is not null)
            {
                sum.Add(part);
            }
        }

        return sum;
    }

    private sealed class Accumulator
    {
        private readonly long[] buckets = new long[CallStatistics.BucketCount];
        private long calls;
        private long errors;
        private double totalMs;

        public void Add(MethodStatistics now, MethodStatistics? was)
        {
            // Counters only grow within one silo incarnation; anything else is treated as a reset.
            var reset = was is null || now.Calls < was.Calls;
            var dCalls = reset ? now.Calls : now.Calls - was!.Calls;
            calls += dCalls;
            errors += reset ? now.Errors : Math.Max(0, now.Errors - was!.Errors);
            totalMs += reset ? now.MeanMs * now.Calls : Math.Max(0, (now.MeanMs * now.Calls) - (was!.MeanMs * was.Calls));
            for (var i = 0; i < Math.Min(buckets.Length, now.LatencyBuckets.Length); i++)
            {
                var before = reset || i >= was!.LatencyBuckets.Length ? 0 : was.LatencyBuckets[i];
                buckets[i] += Math.Max(0, now.LatencyBuckets[i] - before);
            }
        }

        public void Add(Accumulator other)
        {
            calls += other.calls;
            errors += other.errors;
            totalMs += other.totalMs;
            for (var i = 0; i < buckets.Length; i++)
            {
                buckets[i] += other.buckets[i];
            }
        }

        public IntervalRates Rates(double seconds, long totalCalls, long totalErrors) => new(
            Math.Round(calls / seconds, 1),
            Math.Round(errors / seconds, 2),
            calls == 0 ? 0 : Math.Round(totalMs / calls, 3),
            CallStatistics.Percentile(buckets, 0.99),
            totalCalls,
            totalErrors);
    }
}
