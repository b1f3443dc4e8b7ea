using System.Collections.Immutable;
using Actors.Runtime.Management;

namespace Actors.Runtime.Tests.Management;

public sealed class StatisticsWindowTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Rates_are_the_growth_of_every_silo_over_the_interval()
    {
        var before = Sample(T0, Silo("a", T0, Method("get", calls: 100, errors: 1, meanMs: 2, fast: 100)), Silo("b", T0, Method("get", calls: 50, errors: 0, meanMs: 2, fast: 50)));
        var after = Sample(T0.AddSeconds(2), Silo("a", T0, Method("get", calls: 300, errors: 5, meanMs: 2, fast: 300)), Silo("b", T0, Method("get", calls: 250, errors: 0, meanMs: 2, fast: 250)));

        var window = StatisticsWindow.Between(before, after);

        Assert.Equal(2, window.Seconds);
        Assert.Equal(200, window.Total.CallsPerSecond); // (200 + 200) / 2 s
        Assert.Equal(2, window.Total.ErrorsPerSecond);
        Assert.Equal(0.01, window.Total.ErrorRate);
        Assert.Equal(550, window.Total.TotalCalls);
        Assert.Equal(200, window.ByGrainType["g"].CallsPerSecond);
        Assert.Equal(200, Assert.Single(window.Methods).Rates.CallsPerSecond);
    }

    [Fact]
    public void A_silo_seen_for_the_first_time_is_a_baseline_not_a_burst()
    {
        var before = Sample(T0, Silo("a", T0, Method("get", calls: 10, errors: 0, meanMs: 1, fast: 10)));
        var after = Sample(T0.AddSeconds(1), Silo("a", T0, Method("get", calls: 20, errors: 0, meanMs: 1, fast: 20)), Silo("new", T0, Method("get", calls: 1_000_000, errors: 0, meanMs: 1, fast: 1_000_000)));

        Assert.Equal(10, StatisticsWindow.Between(before, after).Total.CallsPerSecond);
    }

    [Fact]
    public void A_restarted_silo_never_gives_negative_rates()
    {
        var before = Sample(T0, Silo("a", T0, Method("get", calls: 5000, errors: 10, meanMs: 1, fast: 5000)));
        var after = Sample(T0.AddSeconds(1), Silo("a", T0.AddSeconds(1), Method("get", calls: 3, errors: 0, meanMs: 1, fast: 3)));

        var window = StatisticsWindow.Between(before, after);

        Assert.Equal(0, window.Total.CallsPerSecond);
        Assert.Equal(0, window.Total.ErrorsPerSecond);
    }

    [Fact]
    public void The_interval_p99_and_mean_come_from_the_interval_calls_only()
    {
        // 1,000 fast calls before; then 100 calls of which 5 are slow: the interval p99 is slow even
        // though the cumulative p99 is still fast.
        var before = Sample(T0, Silo("a", T0, Method("get", calls: 1000, errors: 0, meanMs: 0.01, fast: 1000)));
        var after = Sample(T0.AddSeconds(1), Silo("a", T0, Method("get", calls: 1100, errors: 0, meanMs: (1000 * 0.01 + 95 * 0.01 + 5 * 50) / 1100, fast: 1095, slow: 5)));

        var window = StatisticsWindow.Between(before, after);

        Assert.True(window.Total.P99Ms >= 40, $"p99 {window.Total.P99Ms} ms");
        Assert.InRange(window.Total.MeanMs, 2.4, 2.7); // (95 × 0.01 + 5 × 50) / 100
    }

    private static ClusterStatistics Sample(DateTimeOffset at, params SiloSummary[] silos) =>
        new(at, [.. silos], ImmutableDictionary<string, long>.Empty, []);

    private static SiloSummary Silo(string address, DateTimeOffset startedAt, params MethodStatistics[] methods) =>
        new(address, address, "Active", 0, startedAt, startedAt, new SiloStatistics(address, address, startedAt, TimeSpan.Zero, 0, 0, 0, 0, ImmutableDictionary<string, long>.Empty, [.. methods]));

    /// <summary>A method whose histogram holds <paramref name="fast"/> calls of ~0.01 ms and <paramref name="slow"/> of ~50 ms.</summary>
    private static MethodStatistics Method(string name, long calls, long errors, double meanMs, long fast, long slow = 0)
    {
        var buckets = new long[CallStatistics.BucketCount];
        buckets[14] = fast;  // 0.001 × 1.19^14 ≈ 0.011 ms
        buckets[62] = slow;  // 0.001 × 1.19^62 ≈ 48 ms
        return new MethodStatistics("g", "IG", name, calls, errors, 0, 0, 0, meanMs, [.. buckets]);
    }
}
