using System.Diagnostics.Metrics;
using Actors.Runtime.Diagnostics.Prometheus;

namespace Actors.Runtime.Tests.Prometheus;

/// <summary>A meter under a name no other test uses, and a collector listening to that name only.</summary>
internal sealed class MetricsScope : IDisposable
{
    public MetricsScope(int maxSeriesPerInstrument = 2000)
    {
        Prefix = "Actors.Tests.Prometheus." + Guid.NewGuid().ToString("N");
        Meter = new Meter(Prefix);
        var options = new PrometheusMetricsOptions { MaxSeriesPerInstrument = maxSeriesPerInstrument };
        options.MeterPrefixes.Add(Prefix);
        Collector = new PrometheusMetricsCollector(options);
    }

    public string Prefix { get; }

    public Meter Meter { get; }

    public PrometheusMetricsCollector Collector { get; }

    public string Render() => Collector.Render();

    public string[] RenderLines() => Collector.Render().Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public static string Lines(params string[] lines) => string.Join("\n", lines) + "\n";

    public void Dispose()
    {
        Collector.Dispose();
        Meter.Dispose();
    }
}
