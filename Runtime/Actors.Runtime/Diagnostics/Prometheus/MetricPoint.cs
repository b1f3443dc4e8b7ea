namespace Actors.Runtime.Diagnostics.Prometheus;

/// <summary>A number that stays an exact integer while every part of it is one.</summary>
internal readonly record struct MetricValue(bool IsDouble, long Long, double Double)
{
    public static MetricValue Of(long value) => new(false, value, 0);

    public static MetricValue Of(double value) => new(true, 0, value);

    public double AsDouble => IsDouble ? Double : Long;

    public MetricValue Plus(MetricValue other) =>
        IsDouble || other.IsDouble ? Of(AsDouble + other.AsDouble) : Of(unchecked(Long + other.Long));

    public string Format() => IsDouble ? PrometheusText.FormatDouble(Double) : PrometheusText.FormatLong(Long);
}

/// <summary>One series at render time; series of instruments exported under the same name and labels are added.</summary>
internal sealed class SeriesSnapshot
{
    public MetricValue Value { get; set; }

    public long[]? BucketCounts { get; set; }

    public double Sum { get; set; }

    public long Count { get; set; }
}

/// <summary>The aggregate of one instrument for one label set.</summary>
internal abstract class MetricPoint(string labels)
{
    /// <summary>The label text, without braces, e.g. <c>grain_type="counter",method="Get"</c>.</summary>
    public string Labels { get; } = labels;

    /// <summary>For observable instruments: the collection in which the callback last reported this series.</summary>
    public long Generation;

    public abstract void Record(long value);

    public abstract void Record(double value);

    public abstract void AddTo(SeriesSnapshot snapshot);
}

internal sealed class LongSumPoint(string labels) : MetricPoint(labels)
{
    private long sum;

    public override void Record(long value) => Interlocked.Add(ref sum, value);

    public override void Record(double value) => Record((long)value);

    public override void AddTo(SeriesSnapshot snapshot) => snapshot.Value = snapshot.Value.Plus(MetricValue.Of(Interlocked.Read(ref sum)));
}

internal sealed class DoubleSumPoint(string labels) : MetricPoint(labels)
{
    private double sum;

    public override void Record(long value) => Record((double)value);

    public override void Record(double value)
    {
        var current = Volatile.Read(ref sum);
        while (true)
        {
            var observed = Interlocked.CompareExchange(ref sum, current + value, current);
            if (BitConverter.DoubleToInt64Bits(observed) == BitConverter.DoubleToInt64Bits(current))
            {
                return;
            }

            current = observed;
        }
    }

    public override void AddTo(SeriesSnapshot snapshot) => snapshot.Value = snapshot.Value.Plus(MetricValue.Of(Volatile.Read(ref sum)));
}

internal sealed class LongLastValuePoint(string labels) : MetricPoint(labels)
{
    private long last;

    public override void Record(long value) => Interlocked.Exchange(ref last, value);

    public override void Record(double value) => Record((long)value);

    public override void AddTo(SeriesSnapshot snapshot) => snapshot.Value = snapshot.Value.Plus(MetricValue.Of(Interlocked.Read(ref last)));
}

internal sealed class DoubleLastValuePoint(string labels) : MetricPoint(labels)
{
    private double last;

    public override void Record(long value) => Record((double)value);

    public override void Record(double value) => Interlocked.Exchange(ref last, value);

    public override void AddTo(SeriesSnapshot snapshot) => snapshot.Value = snapshot.Value.Plus(MetricValue.Of(Volatile.Read(ref last)));
}

/// <summary>Per-bucket counts (not cumulative; the renderer accumulates), sum and count under a small lock.</summary>
internal sealed class HistogramPoint(string labels, double[] boundaries) : MetricPoint(labels)
{
    private readonly Lock gate = new();
    private readonly long[] counts = new long[boundaries.Length + 1];
    private double sum;
    private long count;

    public override void Record(long value) => Record((double)value);

    public override void Record(double value)
    {
        if (double.IsNaN(value))
        {
            return;
        }

        // Buckets are "less than or equal": a value on a boundary belongs to that boundary's bucket.
        var index = Array.BinarySearch(boundaries, value);
        if (index < 0)
        {
            index = ~index;
        }

        lock (gate)
        {
            counts[index]++;
            sum += value;
            count++;
        }
    }

    public override void AddTo(SeriesSnapshot snapshot)
    {
        var buckets = snapshot.BucketCounts ??= new long[counts.Length];
        lock (gate)
        {
            for (var i = 0; i < counts.Length; i++)
            {
                buckets[i] += counts[i];
            }

            snapshot.Sum += sum;
            snapshot.Count += count;
        }
    }
}
