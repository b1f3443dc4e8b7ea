namespace Actors.Runtime.Diagnostics.Prometheus;

internal enum MetricKind
{
    Counter,
    UpDownCounter,
    Gauge,
    Histogram,
    ObservableCounter,
    ObservableUpDownCounter,
    ObservableGauge,
}
