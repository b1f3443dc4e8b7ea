using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Numerics;
using System.Text;

namespace Actors.Runtime.Diagnostics.Prometheus;

/// <summary>
/// Listens to the meters whose names match the configured prefixes (including meters created later), aggregates
/// their measurements in memory and renders them in the Prometheus text exposition format 0.0.4.
/// </summary>
/// <remarks>
/// <para>Counter and UpDownCounter: cumulative sum per label set. Gauge: last value. Histogram: cumulative buckets
/// (the instrument's advised boundaries, else <see cref="DefaultSecondBoundaries"/> for unit "s" and
/// <see cref="DefaultMillisecondBoundaries"/> otherwise), sum and count. Observable instruments: the values their
/// callbacks report when <see cref="RecordObservableInstruments"/> runs, which <see cref="Render"/> does first; a
/// label set the callback no longer reports is no longer rendered.</para>
/// <para>Integer instruments aggregate exactly in 64 bits; float, double and decimal ones in double. Negative and
/// NaN increments of a Counter are ignored (a Prometheus counter only goes up), as are NaN histogram values.</para>
/// <para>Instruments exported under the same name and labels (for example two instances of one meter in a process)
/// are added together; an instrument whose type (or histogram boundaries) differ from the first one exported under
/// that name is left out. Meter and instrument tags become labels. A disposed meter's instruments disappear.</para>
/// </remarks>
public sealed class PrometheusMetricsCollector : IDisposable
{
    /// <summary>The content type of <see cref="Render"/>'s output.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private readonly MeterListener listener;
    private readonly ConcurrentDictionary<Instrument, MetricStream> streams = new();
    private readonly string[] prefixes;
    private readonly int maxSeries;
    private readonly Lock scrapeGate = new();
    private readonly Func<long> currentGeneration;
    private long generation;
    private volatile bool disposed;

    /// <summary>Starts collecting from the meters matching <paramref name="meterPrefixes"/> (none: <see cref="DefaultMeterPrefixes"/>).</summary>
    public PrometheusMetricsCollector(params string[] meterPrefixes)
        : this(Options(meterPrefixes))
    {
    }

    /// <summary>Starts collecting as <paramref name="options"/> say.</summary>
    public PrometheusMetricsCollector(PrometheusMetricsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxSeriesPerInstrument, 1, nameof(options));
        foreach (var prefix in options.MeterPrefixes)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(prefix, nameof(options));
        }

        prefixes = options.MeterPrefixes.Count == 0 ? [.. DefaultMeterPrefixes] : [.. options.MeterPrefixes.Distinct(StringComparer.Ordinal)];
        maxSeries = options.MaxSeriesPerInstrument;
        currentGeneration = () => Volatile.Read(ref generation);

        listener = new MeterListener
        {
            InstrumentPublished = OnInstrumentPublished,
            MeasurementsCompleted = (instrument, state) => streams.TryRemove(instrument, out _),
        };
        listener.SetMeasurementEventCallback<byte>(static (_, value, tags, state) => ((MetricStream)state!).Record(value, tags));
        listener.SetMeasurementEventCallback<short>(static (_, value, tags, state) => ((MetricStream)state!).Record(value, tags));
        listener.SetMeasurementEventCallback<int>(static (_, value, tags, state) => ((MetricStream)state!).Record(value, tags));
        listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => ((MetricStream)state!).Record(value, tags));
        listener.SetMeasurementEventCallback<float>(static (_, value, tags, state) => ((MetricStream)state!).Record((double)value, tags));
        listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => ((MetricStream)state!).Record(value, tags));
        listener.SetMeasurementEventCallback<decimal>(static (_, value, tags, state) => ((MetricStream)state!).Record((double)value, tags));
        listener.Start();
    }

    /// <summary>The meters exported when none are configured: this runtime's, ASP.NET Core hosting and Kestrel, HttpClient and the .NET runtime.</summary>
    public static IReadOnlyList<string> DefaultMeterPrefixes { get; } =
        ["Actors.Runtime", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Net.Http", "System.Runtime"];

    /// <summary>Histogram boundaries for durations in milliseconds (and any unit other than "s").</summary>
    public static IReadOnlyList<double> DefaultMillisecondBoundaries { get; } =
        [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

    /// <summary>Histogram boundaries for durations in seconds (unit "s").</summary>
    public static IReadOnlyList<double> DefaultSecondBoundaries { get; } =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>The meter name prefixes this collector listens to.</summary>
    public IReadOnlyList<string> MeterPrefixes => prefixes;

    /// <summary>Runs the callbacks of the observable instruments, recording what they report now.</summary>
    /// <exception cref="AggregateException">A callback threw; the other callbacks still ran.</exception>
    public void RecordObservableInstruments()
    {
        lock (scrapeGate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            Interlocked.Increment(ref generation);
            listener.RecordObservableInstruments();
        }
    }

    /// <summary>
    /// Collects the observable instruments and renders every series in the text exposition format 0.0.4, ordered by
    /// metric name, then by label text. A failing observable callback leaves out that instrument's series only.
    /// </summary>
    public string Render()
    {
        var builder = new StringBuilder();
        lock (scrapeGate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            Interlocked.Increment(ref generation);
            try
            {
                listener.RecordObservableInstruments();
            }
            catch (AggregateException)
            {
                // A broken callback must not take the whole scrape down: its series are simply absent.
            }

            Write(builder, Collect(Volatile.Read(ref generation)));
        }

        return builder.ToString();
    }

    /// <summary>Writes <see cref="Render"/>'s output to <paramref name="destination"/> as UTF-8 without a byte order mark.</summary>
    public async Task WriteAsync(Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        await destination.WriteAsync(Utf8.GetBytes(Render()), cancellationToken);
    }

    /// <summary>Writes <see cref="Render"/>'s output to <paramref name="destination"/>.</summary>
    public async Task WriteAsync(TextWriter destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        await destination.WriteAsync(Render().AsMemory(), cancellationToken);
    }

    /// <summary>Stops listening; <see cref="Render"/> throws <see cref="ObjectDisposedException"/> afterwards.</summary>
    public void Dispose()
    {
        lock (scrapeGate)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            listener.Dispose();
            streams.Clear();
        }
    }

    private static PrometheusMetricsOptions Options(string[] meterPrefixes)
    {
        ArgumentNullException.ThrowIfNull(meterPrefixes);
        var options = new PrometheusMetricsOptions();
        foreach (var prefix in meterPrefixes)
        {
            options.MeterPrefixes.Add(prefix);
        }

        return options;
    }

    private void OnInstrumentPublished(Instrument instrument, MeterListener meterListener)
    {
        if (disposed || !Matches(instrument.Meter.Name))
        {
            return;
        }

        // Synchronous instruments derive from Instrument<T>, observable ones from ObservableInstrument<T>.
        var stream = instrument switch
        {
            Instrument<byte> or ObservableInstrument<byte> => CreateStream<byte>(instrument, integral: true),
            Instrument<short> or ObservableInstrument<short> => CreateStream<short>(instrument, integral: true),
            Instrument<int> or ObservableInstrument<int> => CreateStream<int>(instrument, integral: true),
            Instrument<long> or ObservableInstrument<long> => CreateStream<long>(instrument, integral: true),
            Instrument<float> or ObservableInstrument<float> => CreateStream<float>(instrument, integral: false),
            Instrument<double> or ObservableInstrument<double> => CreateStream<double>(instrument, integral: false),
            Instrument<decimal> or ObservableInstrument<decimal> => CreateStream<decimal>(instrument, integral: false),
            _ => null,
        };
        if (stream is not null && streams.TryAdd(instrument, stream))
        {
            meterListener.EnableMeasurementEvents(instrument, stream);
        }
    }

    private bool Matches(string meterName)
    {
        foreach (var prefix in prefixes)
        {
            if (meterName.StartsWith(prefix, StringComparison.Ordinal)
                && (meterName.Length == prefix.Length || prefix[^1] == '.' || meterName[prefix.Length] == '.'))
            {
                return true;
            }
        }

        return false;
    }

    private MetricStream? CreateStream<T>(Instrument instrument, bool integral)
        where T : struct, INumberBase<T>
    {
        MetricKind? kind = instrument switch
        {
            Counter<T> => MetricKind.Counter,
            UpDownCounter<T> => MetricKind.UpDownCounter,
            Gauge<T> => MetricKind.Gauge,
            Histogram<T> => MetricKind.Histogram,
            ObservableCounter<T> => MetricKind.ObservableCounter,
            ObservableUpDownCounter<T> => MetricKind.ObservableUpDownCounter,
            ObservableGauge<T> => MetricKind.ObservableGauge,
            _ => null,
        };
        if (kind is not { } known)
        {
            return null;
        }

        var boundaries = instrument is Histogram<T> histogram ? Boundaries(histogram) : null;
        return new MetricStream(instrument, known, integral, boundaries, maxSeries, currentGeneration);
    }

    private static double[] Boundaries<T>(Instrument<T> instrument)
        where T : struct, INumberBase<T>
    {
        if (instrument.Advice?.HistogramBucketBoundaries is { Count: > 0 } advised)
        {
            var boundaries = advised.Select(double.CreateSaturating).Where(double.IsFinite).Distinct().Order().ToArray();
            if (boundaries.Length > 0)
            {
                return boundaries;
            }
        }

        return [.. string.Equals(instrument.Unit, "s", StringComparison.Ordinal) ? DefaultSecondBoundaries : DefaultMillisecondBoundaries];
    }

    private SortedDictionary<string, MetricFamily> Collect(long currentGeneration)
    {
        var families = new SortedDictionary<string, MetricFamily>(StringComparer.Ordinal);
        // Instruments in a stable order, so that which one wins a name conflict does not vary between scrapes.
        var ordered = streams.Values
            .OrderBy(s => s.Name, StringComparer.Ordinal)
            .ThenBy(s => s.Instrument.Meter.Name, StringComparer.Ordinal)
            .ThenBy(s => s.Instrument.Name, StringComparer.Ordinal);
        foreach (var stream in ordered)
        {
            if (!families.TryGetValue(stream.Name, out var family))
            {
                family = new MetricFamily(stream.Name, stream.TypeName, stream.Boundaries);
                families.Add(stream.Name, family);
            }
            else if (family.TypeName != stream.TypeName
                || (family.Boundaries is not null && !family.Boundaries.AsSpan().SequenceEqual(stream.Boundaries)))
            {
                continue;
            }

            if (string.IsNullOrEmpty(family.Help) && !string.IsNullOrEmpty(stream.Instrument.Description))
            {
                family.Help = stream.Instrument.Description;
            }

            stream.CollectInto(family.Series, currentGeneration);
        }

        return families;
    }

    private static void Write(StringBuilder builder, SortedDictionary<string, MetricFamily> families)
    {
        foreach (var family in families.Values)
        {
            if (family.Series.Count == 0)
            {
                continue;
            }

            if (!string.IsNullOrEmpty(family.Help))
            {
                builder.Append("# HELP ").Append(family.Name).Append(' ');
                PrometheusText.AppendHelp(builder, family.Help);
                builder.Append('\n');
            }

            builder.Append("# TYPE ").Append(family.Name).Append(' ').Append(family.TypeName).Append('\n');
            foreach (var (labels, series) in family.Series)
            {
                if (family.Boundaries is { } boundaries)
                {
                    WriteHistogram(builder, family.Name, labels, boundaries, series);
                }
                else
                {
                    WriteSample(builder, family.Name, labels, null, series.Value.Format());
                }
            }
        }
    }

    private static void WriteHistogram(StringBuilder builder, string name, string labels, double[] boundaries, SeriesSnapshot series)
    {
        var bucket = name + "_bucket";
        var counts = series.BucketCounts ?? new long[boundaries.Length + 1];
        long cumulative = 0;
        for (var i = 0; i < boundaries.Length; i++)
        {
            cumulative += counts[i];
            WriteSample(builder, bucket, labels, PrometheusText.FormatDouble(boundaries[i]), PrometheusText.FormatLong(cumulative));
        }

        cumulative += counts[boundaries.Length];
        WriteSample(builder, bucket, labels, "+Inf", PrometheusText.FormatLong(cumulative));
        WriteSample(builder, name + "_sum", labels, null, PrometheusText.FormatDouble(series.Sum));
        WriteSample(builder, name + "_count", labels, null, PrometheusText.FormatLong(series.Count));
    }

    private static void WriteSample(StringBuilder builder, string name, string labels, string? le, string value)
    {
        builder.Append(name);
        if (labels.Length > 0 || le is not null)
        {
            builder.Append('{').Append(labels);
            if (le is not null)
            {
                builder.Append(labels.Length > 0 ? ",le=\"" : "le=\"").Append(le).Append('"');
            }

            builder.Append('}');
        }

        builder.Append(' ').Append(value).Append('\n');
    }

    private sealed class MetricFamily(string name, string typeName, double[]? boundaries)
    {
        public string Name { get; } = name;

        public string TypeName { get; } = typeName;

        public double[]? Boundaries { get; } = boundaries;

        public string? Help { get; set; }

        public SortedDictionary<string, SeriesSnapshot> Series { get; } = new(StringComparer.Ordinal);
    }
}
