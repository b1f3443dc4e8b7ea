namespace Actors.Runtime.Diagnostics.Prometheus;

/// <summary>Settings of a <see cref="PrometheusMetricsCollector"/>.</summary>
public sealed class PrometheusMetricsOptions
{
    /// <summary>
    /// Meters to export, by name: a prefix matches the meter of exactly that name and the meters below it
    /// ("System.Net" matches "System.Net" and "System.Net.Http", not "System.Networking"); a prefix ending in
    /// '.' matches any name that starts with it. Empty means <see cref="PrometheusMetricsCollector.DefaultMeterPrefixes"/>.
    /// </summary>
    public IList<string> MeterPrefixes { get; } = new List<string>();

    /// <summary>
    /// The most label sets kept per instrument. Measurements with further label sets are added to one series
    /// labelled <c>otel_metric_overflow="true"</c>, so a tag with unbounded values cannot exhaust memory.
    /// </summary>
    public int MaxSeriesPerInstrument { get; set; } = 2000;
}
