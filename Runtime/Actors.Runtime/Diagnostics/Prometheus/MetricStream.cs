using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Actors.Runtime.Diagnostics.Prometheus;

/// <summary>
/// The aggregation of one instrument: a point per label set. The measurement path finds the point by the tags as
/// they arrived (no copy, no lock); only a tag set seen for the first time in that order pays for sorting and
/// formatting its labels, and tag sets that differ only in order share one point.
/// </summary>
internal sealed class MetricStream
{
    private const string OverflowLabel = "otel_metric_overflow";

    private readonly ConcurrentDictionary<TagSetKey, MetricPoint> byTags = new(TagSetComparer.Instance);
    private readonly ConcurrentDictionary<TagSetKey, MetricPoint>.AlternateLookup<TagSpan> byTagSpan;
    private readonly ConcurrentDictionary<string, MetricPoint> byLabels = new(StringComparer.Ordinal);
    private readonly KeyValuePair<string, object?>[] constantTags;
    private readonly Func<long> generation;
    private readonly int maxSeries;
    private readonly bool integral;
    private MetricPoint? untagged;
    private MetricPoint? overflow;
    private int seriesCount;
    private int aliasCount;

    public MetricStream(Instrument instrument, MetricKind kind, bool integral, double[]? boundaries, int maxSeries, Func<long> generation)
    {
        Instrument = instrument;
        Kind = kind;
        Boundaries = boundaries;
        this.integral = integral;
        this.maxSeries = Math.Max(1, maxSeries);
        this.generation = generation;
        IsObservable = instrument.IsObservable;
        Monotonic = kind == MetricKind.Counter;
        Name = PrometheusNaming.MetricName(instrument.Name, instrument.Unit, kind);
        TypeName = kind switch
        {
            MetricKind.Counter or MetricKind.ObservableCounter => "counter",
            MetricKind.Histogram => "histogram",
            _ => "gauge",
        };
        constantTags = [.. instrument.Meter.Tags ?? [], .. instrument.Tags ?? []];
        byTagSpan = byTags.GetAlternateLookup<TagSpan>();
    }

    public Instrument Instrument { get; }

    public MetricKind Kind { get; }

    public string Name { get; }

    public string TypeName { get; }

    public double[]? Boundaries { get; }

    public bool IsObservable { get; }

    private bool Monotonic { get; }

    public void Record(long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (Monotonic && value < 0)
        {
            return;
        }

        var point = Find(tags);
        point.Record(value);
        if (IsObservable)
        {
            Volatile.Write(ref point.Generation, generation());
        }
    }

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (Monotonic && !(value >= 0))
        {
            return;
        }

        var point = Find(tags);
        point.Record(value);
        if (IsObservable)
        {
            Volatile.Write(ref point.Generation, generation());
        }
    }

    /// <summary>Adds this instrument's series to <paramref name="series"/>; observable series only if reported in <paramref name="currentGeneration"/>.</summary>
    public void CollectInto(SortedDictionary<string, SeriesSnapshot> series, long currentGeneration)
    {
        if (Volatile.Read(ref untagged) is { } single)
        {
            Collect(single);
        }

        foreach (var point in byLabels.Values)
        {
            Collect(point);
        }

        void Collect(MetricPoint point)
        {
            if (IsObservable && Volatile.Read(ref point.Generation) != currentGeneration)
            {
                return;
            }

            if (!series.TryGetValue(point.Labels, out var snapshot))
            {
                snapshot = new SeriesSnapshot();
                series.Add(point.Labels, snapshot);
            }

            point.AddTo(snapshot);
        }
    }

    private MetricPoint Find(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.IsEmpty)
        {
            return Volatile.Read(ref untagged) ?? CreateUntagged();
        }

        return byTagSpan.TryGetValue(new TagSpan(tags), out var point) ? point : Add(tags);
    }

    private MetricPoint CreateUntagged()
    {
        var point = CreatePoint(FormatLabels([], isOverflow: false));
        return Interlocked.CompareExchange(ref untagged, point, null) ?? point;
    }

    private MetricPoint Add(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = FormatLabels(tags, isOverflow: false);
        if (!byLabels.TryGetValue(labels, out var point))
        {
            if (Volatile.Read(ref seriesCount) >= maxSeries)
            {
                // Not remembered by tags: the overflow must not grow the lookup either.
                return Overflow();
            }

            point = CreatePoint(labels);
            if (byLabels.TryAdd(labels, point))
            {
                Interlocked.Increment(ref seriesCount);
            }
            else
            {
                point = byLabels[labels];
            }
        }

        // The same tag set in several orders: one alias each, bounded in case callers shuffle tags freely.
        if (Volatile.Read(ref aliasCount) < maxSeries * 4 && byTags.TryAdd(new TagSetKey(tags.ToArray()), point))
        {
            Interlocked.Increment(ref aliasCount);
        }

        return point;
    }

    private MetricPoint Overflow()
    {
        if (Volatile.Read(ref overflow) is { } existing)
        {
            return existing;
        }

        var point = byLabels.GetOrAdd(FormatLabels([], isOverflow: true), CreatePoint);
        return Interlocked.CompareExchange(ref overflow, point, null) ?? point;
    }

    private MetricPoint CreatePoint(string labels) => Kind switch
    {
        MetricKind.Histogram => new HistogramPoint(labels, Boundaries!),
        MetricKind.Counter or MetricKind.UpDownCounter => integral ? new LongSumPoint(labels) : new DoubleSumPoint(labels),
        _ => integral ? new LongLastValuePoint(labels) : new DoubleLastValuePoint(labels),
    };

    private string FormatLabels(ReadOnlySpan<KeyValuePair<string, object?>> tags, bool isOverflow)
    {
        var labels = new List<(string Name, string Key, string Value)>(constantTags.Length + tags.Length + 1);
        foreach (var tag in constantTags)
        {
            labels.Add((PrometheusNaming.LabelName(tag.Key), tag.Key, PrometheusText.LabelValue(tag.Value)));
        }

        foreach (var tag in tags)
        {
            labels.Add((PrometheusNaming.LabelName(tag.Key), tag.Key, PrometheusText.LabelValue(tag.Value)));
        }

        if (isOverflow)
        {
            labels.Add((OverflowLabel, OverflowLabel, "true"));
        }

        return PrometheusText.FormatLabels(labels);
    }
}
