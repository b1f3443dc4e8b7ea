using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using Actors.Runtime.Diagnostics.Prometheus;
using static Actors.Runtime.Tests.Prometheus.MetricsScope;

namespace Actors.Runtime.Tests.Prometheus;

public sealed class PrometheusMetricsCollectorTests
{
    private static KeyValuePair<string, object?> Tag(string name, object? value) => new(name, value);

    [Fact]
    public void Counter_without_tags_renders_help_type_and_its_sum_under_a_total_suffixed_name()
    {
        using var scope = new MetricsScope();
        var calls = scope.Meter.CreateCounter<long>("actors.grain.calls", "{call}", "Grain calls completed.");

        calls.Add(2);
        calls.Add(3);

        Assert.Equal(
            Lines(
                "# HELP actors_grain_calls_total Grain calls completed.",
                "# TYPE actors_grain_calls_total counter",
                "actors_grain_calls_total 5"),
            scope.Render());
    }

    [Fact]
    public void Counter_with_tags_renders_one_series_per_tag_set_with_sorted_labels_whatever_the_tag_order()
    {
        using var scope = new MetricsScope();
        var calls = scope.Meter.CreateCounter<long>("actors.grain.calls", "{call}", "Grain calls completed.");

        calls.Add(1, Tag("grain.type", "counter"), Tag("grain.method", "Get"));
        calls.Add(2, Tag("grain.method", "Get"), Tag("grain.type", "counter"));
        calls.Add(4, Tag("grain.type", "alpha"), Tag("grain.method", "Set"));

        Assert.Equal(
            Lines(
                "# HELP actors_grain_calls_total Grain calls completed.",
                "# TYPE actors_grain_calls_total counter",
                "actors_grain_calls_total{grain_method=\"Get\",grain_type=\"counter\"} 3",
                "actors_grain_calls_total{grain_method=\"Set\",grain_type=\"alpha\"} 4"),
            scope.Render());
    }

    [Fact]
    public void Up_down_counter_is_a_gauge_that_can_go_negative()
    {
        using var scope = new MetricsScope();
        var items = scope.Meter.CreateUpDownCounter<int>("actors.queue.items", "{item}", "Items queued.");

        items.Add(3);
        items.Add(-5);

        Assert.Equal(
            Lines("# HELP actors_queue_items Items queued.", "# TYPE actors_queue_items gauge", "actors_queue_items -2"),
            scope.Render());
    }

    [Fact]
    public void Gauge_reports_the_last_value_recorded()
    {
        using var scope = new MetricsScope();
        var temperature = scope.Meter.CreateGauge<double>("room.temperature", "Cel");

        temperature.Record(21.5);
        temperature.Record(19.25);

        Assert.Equal(Lines("# TYPE room_temperature_celsius gauge", "room_temperature_celsius 19.25"), scope.Render());
    }

    [Fact]
    public void Observable_gauge_reports_what_its_callback_returns_at_render_time()
    {
        using var scope = new MetricsScope();
        var depth = 3;
        scope.Meter.CreateObservableGauge("actors.mailbox.depth", () => depth, "{message}", "Messages waiting in activation mailboxes.");

        var first = scope.Render();
        depth = 7;
        var second = scope.Render();

        Assert.Equal(
            Lines(
                "# HELP actors_mailbox_depth Messages waiting in activation mailboxes.",
                "# TYPE actors_mailbox_depth gauge",
                "actors_mailbox_depth 3"),
            first);
        Assert.EndsWith("\nactors_mailbox_depth 7\n", second, StringComparison.Ordinal);
    }

    [Fact]
    public void Observable_instruments_render_only_the_label_sets_their_callback_reports_now()
    {
        using var scope = new MetricsScope();
        var live = new Dictionary<string, long> { ["alpha"] = 2, ["beta"] = 5 };
        scope.Meter.CreateObservableUpDownCounter(
            "actors.activations",
            () => live.Select(p => new Measurement<long>(p.Value, Tag("grain.type", p.Key))).ToList(),
            "{activation}");
        long served = 10;
        scope.Meter.CreateObservableCounter("actors.served", () => served);

        var before = scope.Render();
        live.Remove("alpha");
        served = 12;
        var after = scope.Render();

        Assert.Equal(
            Lines(
                "# TYPE actors_activations gauge",
                "actors_activations{grain_type=\"alpha\"} 2",
                "actors_activations{grain_type=\"beta\"} 5",
                "# TYPE actors_served_total counter",
                "actors_served_total 10"),
            before);
        Assert.Equal(
            Lines(
                "# TYPE actors_activations gauge",
                "actors_activations{grain_type=\"beta\"} 5",
                "# TYPE actors_served_total counter",
                "actors_served_total 12"),
            after);
    }

    [Fact]
    public void Failing_observable_callback_leaves_out_only_its_own_series()
    {
        using var scope = new MetricsScope();
        Func<int> broken = () => throw new InvalidOperationException("callback failed");
        scope.Meter.CreateObservableGauge("broken", broken);
        scope.Meter.CreateObservableGauge("working", () => 1);

        Assert.Equal(Lines("# TYPE working gauge", "working 1"), scope.Render());
        Assert.Throws<AggregateException>(scope.Collector.RecordObservableInstruments);
    }

    [Fact]
    public void Histogram_buckets_are_cumulative_and_a_value_on_a_boundary_falls_in_that_boundarys_bucket()
    {
        using var scope = new MetricsScope();
        var duration = scope.Meter.CreateHistogram<double>("actors.grain.call.duration", "ms", "Grain call latency.");

        foreach (var value in new[] { 0.25, 1, 1, 7, 20000 })
        {
            duration.Record(value);
        }

        Assert.Equal(
            Lines(
                "# HELP actors_grain_call_duration_milliseconds Grain call latency.",
                "# TYPE actors_grain_call_duration_milliseconds histogram",
                "actors_grain_call_duration_milliseconds_bucket{le=\"0.1\"} 0",
                "actors_grain_call_duration_milliseconds_bucket{le=\"0.25\"} 1",
                "actors_grain_call_duration_milliseconds_bucket{le=\"0.5\"} 1",
                "actors_grain_call_duration_milliseconds_bucket{le=\"1\"} 3",
                "actors_grain_call_duration_milliseconds_bucket{le=\"2.5\"} 3",
                "actors_grain_call_duration_milliseconds_bucket{le=\"5\"} 3",
                "actors_grain_call_duration_milliseconds_bucket{le=\"10\"} 4",
                "actors_grain_call_duration_milliseconds_bucket{le=\"25\"} 4",
                "actors_grain_call_duration_milliseconds_bucket{le=\"50\"} 4",
                "actors_grain_call_duration_milliseconds_bucket{le=\"100\"} 4",
                "actors_grain_call_duration_milliseconds_bucket{le=\"250\"} 4",
                "actors_grain_call_duration_milliseconds_bucket{le=\"500\"} 4",
                "actors_grain_call_duration_milliseconds_bucket{le=\"1000\"} 4",
                "actors_grain_call_duration_milliseconds_bucket{le=\"2500\"} 4",
                "actors_grain_call_duration_milliseconds_bucket{le=\"5000\"} 4",
                "actors_grain_call_duration_milliseconds_bucket{le=\"10000\"} 4",
                "actors_grain_call_duration_milliseconds_bucket{le=\"+Inf\"} 5",
                "actors_grain_call_duration_milliseconds_sum 20009.25",
                "actors_grain_call_duration_milliseconds_count 5"),
            scope.Render());
    }

    [Fact]
    public void Histogram_in_seconds_uses_second_boundaries_and_the_seconds_suffix_with_labels_before_le()
    {
        using var scope = new MetricsScope();
        var duration = scope.Meter.CreateHistogram<double>("http.server.request.duration", "s");

        duration.Record(0.0001, Tag("http.route", "/a"));
        duration.Record(0.5, Tag("http.route", "/a"));

        var sum = (0.0001 + 0.5).ToString("R", CultureInfo.InvariantCulture);
        Assert.Equal(
            Lines(
                "# TYPE http_server_request_duration_seconds histogram",
                "http_server_request_duration_seconds_bucket{http_route=\"/a\",le=\"0.0001\"} 1",
                "http_server_request_duration_seconds_bucket{http_route=\"/a\",le=\"0.00025\"} 1",
                "http_server_request_duration_seconds_bucket{http_route=\"/a\",le=\"0.0005\"} 1",
                "http_server_request_duration_seconds_bucket{http_route=\"/a\",le=\"0.001\"} 1",
                "http_server_request_duration_seconds_bucket{http_route=\"/a\",le=\"0.0025\"} 1",
                "http_server_request_duration_seconds_bucket{http_route=\"/a\",le=\"0.005\"} 1",
                "http_server_request_duration_seconds_bucket{http_route=\"/a\",le=\"0.01\"} 1",
                "http_server_request_duration_seconds_bucket{http_route=\"/a\",le=\"0.025\"} 1",
                "http_server_request_duration_seconds_bucket{http_route=\"/a\",le=\"0.05\"} 1",
                "http_server_request_duration_seconds_bucket{http_route=\"/a\",le=\"0.1\"} 1",
                "http_server_request_duration_seconds_bucket{http_route=\"/a\",le=\"0.25\"} 1",
                "http_server_request_duration_seconds_bucket{http_route=\"/a\",le=\"0.5\"} 2",
                "http_server_request_duration_seconds_bucket{http_route=\"/a\",le=\"1\"} 2",
                "http_server_request_duration_seconds_bucket{http_route=\"/a\",le=\"2.5\"} 2",
                "http_server_request_duration_seconds_bucket{http_route=\"/a\",le=\"5\"} 2",
                "http_server_request_duration_seconds_bucket{http_route=\"/a\",le=\"10\"} 2",
                "http_server_request_duration_seconds_bucket{http_route=\"/a\",le=\"+Inf\"} 2",
                $"http_server_request_duration_seconds_sum{{http_route=\"/a\"}} {sum}",
                "http_server_request_duration_seconds_count{http_route=\"/a\"} 2"),
            scope.Render());
    }

    [Fact]
    public void Histogram_uses_the_boundaries_its_instrument_advises()
    {
        using var scope = new MetricsScope();
        var size = scope.Meter.CreateHistogram(
            "payload.size", "By", null, null, new InstrumentAdvice<int> { HistogramBucketBoundaries = [100, 1000] });

        size.Record(100);
        size.Record(5000);

        Assert.Equal(
            Lines(
                "# TYPE payload_size_bytes histogram",
                "payload_size_bytes_bucket{le=\"100\"} 1",
                "payload_size_bytes_bucket{le=\"1000\"} 1",
                "payload_size_bytes_bucket{le=\"+Inf\"} 2",
                "payload_size_bytes_sum 5100",
                "payload_size_bytes_count 2"),
            scope.Render());
    }

    [Fact]
    public void Metric_and_label_names_are_sanitised_and_label_values_escaped()
    {
        using var scope = new MetricsScope();
        var open = scope.Meter.CreateUpDownCounter<long>("http.client.open-connections", "{connection}");
        var responses = scope.Meter.CreateCounter<long>("2xx..responses");

        open.Add(1, Tag("server.address", "a\\b\"c\nd"), Tag("-odd name", "é"));
        responses.Add(1, Tag("http.response.status_code", 204));

        Assert.Equal(
            Lines(
                "# TYPE _2xx_responses_total counter",
                "_2xx_responses_total{http_response_status_code=\"204\"} 1",
                "# TYPE http_client_open_connections gauge",
                "http_client_open_connections{_odd_name=\"é\",server_address=\"a\\\\b\\\"c\\nd\"} 1"),
            scope.Render());
    }

    [Fact]
    public void Help_text_escapes_backslash_and_newline()
    {
        using var scope = new MetricsScope();
        scope.Meter.CreateCounter<int>("escaped", null, "First line\nsecond \\ line \"quoted\"").Add(1);

        Assert.Equal(
            Lines("# HELP escaped_total First line\\nsecond \\\\ line \"quoted\"", "# TYPE escaped_total counter", "escaped_total 1"),
            scope.Render());
    }

    [Theory]
    [InlineData("dotnet.gc.heap.total_allocated", "By", "dotnet_gc_heap_total_allocated_bytes_total")]
    [InlineData("kestrel.bytes.read", "By/s", "kestrel_bytes_read_bytes_per_second_total")]
    [InlineData("requests.rate", "{request}/s", "requests_rate_per_second_total")]
    [InlineData("cpu.utilization", "1", "cpu_utilization_total")]
    [InlineData("process.cpu.time.seconds", "s", "process_cpu_time_seconds_total")]
    [InlineData("jobs.total", "{job}", "jobs_total")]
    [InlineData("uptime", "min", "uptime_minutes_total")]
    [InlineData("widgets", "furlong", "widgets_furlong_total")]
    public void Counter_names_get_the_unit_suffix_once_and_end_in_total_once(string instrument, string unit, string expected)
    {
        using var scope = new MetricsScope();
        scope.Meter.CreateCounter<long>(instrument, unit).Add(1);

        Assert.Equal(Lines($"# TYPE {expected} counter", $"{expected} 1"), scope.Render());
    }

    [Fact]
    public void Doubles_are_written_in_invariant_culture_with_prometheus_spellings_of_infinity_and_NaN()
    {
        using var scope = new MetricsScope();
        var values = scope.Meter.CreateGauge<double>("values");
        var cases = new (string Case, double Value)[]
        {
            ("a", 0.1), ("b", -0.5), ("c", 1e21), ("d", 123456789.125), ("e", 1.0),
            ("f", double.PositiveInfinity), ("g", double.NegativeInfinity), ("h", double.NaN),
        };

        foreach (var (name, value) in cases)
        {
            values.Record(value, Tag("case", name));
        }

        Assert.Equal(
            Lines(
                "# TYPE values gauge",
                "values{case=\"a\"} 0.1",
                "values{case=\"b\"} -0.5",
                "values{case=\"c\"} 1E+21",
                "values{case=\"d\"} 123456789.125",
                "values{case=\"e\"} 1",
                "values{case=\"f\"} +Inf",
                "values{case=\"g\"} -Inf",
                "values{case=\"h\"} NaN"),
            scope.Render());
    }

    [Fact]
    public void Every_numeric_instrument_type_is_aggregated_integers_exactly()
    {
        using var scope = new MetricsScope();
        var meter = scope.Meter;

        meter.CreateCounter<byte>("n.byte").Add(200);
        meter.CreateCounter<byte>("n.byte").Add(100);
        meter.CreateCounter<short>("n.short").Add(30000);
        meter.CreateCounter<int>("n.int").Add(int.MaxValue);
        var longs = meter.CreateCounter<long>("n.long");
        longs.Add(long.MaxValue - 1);
        longs.Add(1);
        var floats = meter.CreateCounter<float>("n.float");
        floats.Add(0.5f);
        floats.Add(0.25f);
        meter.CreateCounter<double>("n.double").Add(0.75);
        var decimals = meter.CreateCounter<decimal>("n.decimal");
        decimals.Add(1.25m);
        decimals.Add(0.5m);
        meter.CreateHistogram<decimal>("n.histogram.decimal", null, null, null, new InstrumentAdvice<decimal> { HistogramBucketBoundaries = [1.5m] }).Record(1.5m);
        meter.CreateGauge<short>("n.gauge.short").Record(-7);

        Assert.Equal(
            Lines(
                "# TYPE n_byte_total counter",
                "n_byte_total 300",
                "# TYPE n_decimal_total counter",
                "n_decimal_total 1.75",
                "# TYPE n_double_total counter",
                "n_double_total 0.75",
                "# TYPE n_float_total counter",
                "n_float_total 0.75",
                "# TYPE n_gauge_short gauge",
                "n_gauge_short -7",
                "# TYPE n_histogram_decimal histogram",
                "n_histogram_decimal_bucket{le=\"1.5\"} 1",
                "n_histogram_decimal_bucket{le=\"+Inf\"} 1",
                "n_histogram_decimal_sum 1.5",
                "n_histogram_decimal_count 1",
                "# TYPE n_int_total counter",
                $"n_int_total {int.MaxValue}",
                "# TYPE n_long_total counter",
                $"n_long_total {long.MaxValue}",
                "# TYPE n_short_total counter",
                "n_short_total 30000"),
            scope.Render());
    }

    [Fact]
    public void Tag_values_of_other_types_are_written_in_invariant_form()
    {
        using var scope = new MetricsScope();
        scope.Meter.CreateCounter<int>("typed").Add(1, Tag("a", 42), Tag("b", true), Tag("c", null), Tag("d", 0.5), Tag("e", DayOfWeek.Monday));

        Assert.Equal(Lines("# TYPE typed_total counter", "typed_total{a=\"42\",b=\"true\",c=\"\",d=\"0.5\",e=\"Monday\"} 1"), scope.Render());
    }

    [Fact]
    public void Negative_counter_increments_are_ignored()
    {
        using var scope = new MetricsScope();
        var counter = scope.Meter.CreateCounter<double>("monotonic");

        counter.Add(2);
        counter.Add(-1);
        counter.Add(double.NaN);

        Assert.Equal(Lines("# TYPE monotonic_total counter", "monotonic_total 2"), scope.Render());
    }

    [Fact]
    public void Meter_and_instrument_tags_become_labels()
    {
        var prefix = "Actors.Tests.Prometheus." + Guid.NewGuid().ToString("N");
        using var collector = new PrometheusMetricsCollector(prefix);
        using var meter = new Meter(new MeterOptions(prefix) { Tags = [Tag("silo", "s1")] });
        var calls = meter.CreateCounter<long>("tagged.calls", null, null, [Tag("component", "catalog")]);

        calls.Add(1, Tag("grain.type", "x"));
        calls.Add(1);

        Assert.Equal(
            Lines(
                "# TYPE tagged_calls_total counter",
                "tagged_calls_total{component=\"catalog\",grain_type=\"x\",silo=\"s1\"} 1",
                "tagged_calls_total{component=\"catalog\",silo=\"s1\"} 1"),
            collector.Render());
    }

    [Fact]
    public void Instruments_of_two_meters_of_the_same_name_are_added_together()
    {
        using var scope = new MetricsScope();
        using var second = new Meter(scope.Prefix);

        scope.Meter.CreateCounter<long>("silo.calls", null, "Calls.").Add(2, Tag("k", "v"));
        second.CreateCounter<long>("silo.calls", null, "Calls.").Add(3, Tag("k", "v"));
        second.CreateCounter<double>("silo.calls").Add(0.5, Tag("k", "v"));

        Assert.Equal(Lines("# HELP silo_calls_total Calls.", "# TYPE silo_calls_total counter", "silo_calls_total{k=\"v\"} 5.5"), scope.Render());
    }

    [Fact]
    public void Label_sets_beyond_the_limit_are_added_to_one_overflow_series()
    {
        using var scope = new MetricsScope(maxSeriesPerInstrument: 2);
        var counter = scope.Meter.CreateCounter<long>("bounded");

        foreach (var key in new[] { "a", "b", "c", "d", "a" })
        {
            counter.Add(1, Tag("k", key));
        }

        Assert.Equal(
            Lines(
                "# TYPE bounded_total counter",
                "bounded_total{k=\"a\"} 2",
                "bounded_total{k=\"b\"} 1",
                "bounded_total{otel_metric_overflow=\"true\"} 2"),
            scope.Render());
    }

    [Fact]
    public void Eight_threads_adding_a_hundred_thousand_times_each_produce_the_exact_totals()
    {
        using var scope = new MetricsScope();
        var longs = scope.Meter.CreateCounter<long>("hot.calls");
        var doubles = scope.Meter.CreateCounter<double>("hot.work");
        var durations = scope.Meter.CreateHistogram<long>("hot.duration", "ms");
        const int Threads = 8;
        const int Adds = 100_000;
        using var start = new Barrier(Threads);

        var threads = Enumerable.Range(0, Threads).Select(i => new Thread(() =>
        {
            var tags = new[] { Tag("grain.type", "hot"), Tag("shard", i % 2) };
            start.SignalAndWait();
            for (var n = 0; n < Adds; n++)
            {
                longs.Add(1, tags[0]);
                doubles.Add(1, tags);
                durations.Record(1);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        var lines = scope.RenderLines();
        Assert.Contains("hot_calls_total{grain_type=\"hot\"} 800000", lines);
        Assert.Contains("hot_work_total{grain_type=\"hot\",shard=\"0\"} 400000", lines);
        Assert.Contains("hot_work_total{grain_type=\"hot\",shard=\"1\"} 400000", lines);
        Assert.Contains("hot_duration_milliseconds_bucket{le=\"1\"} 800000", lines);
        Assert.Contains("hot_duration_milliseconds_count 800000", lines);
        Assert.Contains("hot_duration_milliseconds_sum 800000", lines);
    }

    [Fact]
    public void Meter_created_after_the_collector_started_is_exported()
    {
        var prefix = "Actors.Tests.Prometheus." + Guid.NewGuid().ToString("N");
        using var collector = new PrometheusMetricsCollector(prefix);
        Assert.Equal("", collector.Render());

        using var meter = new Meter(prefix + ".Late");
        meter.CreateCounter<int>("late.calls").Add(4);

        Assert.Equal(Lines("# TYPE late_calls_total counter", "late_calls_total 4"), collector.Render());
    }

    [Fact]
    public void Only_meters_named_as_a_prefix_or_below_it_are_exported()
    {
        var prefix = "Actors.Tests.Prometheus." + Guid.NewGuid().ToString("N");
        using var collector = new PrometheusMetricsCollector(prefix);
        using var exact = new Meter(prefix);
        using var below = new Meter(prefix + ".Storage");
        using var lookalike = new Meter(prefix + "Extra");
        using var unrelated = new Meter("Actors.Tests.Unrelated." + Guid.NewGuid().ToString("N"));

        exact.CreateCounter<int>("exact").Add(1);
        below.CreateCounter<int>("below").Add(1);
        lookalike.CreateCounter<int>("lookalike").Add(1);
        unrelated.CreateCounter<int>("unrelated").Add(1);

        Assert.Equal(Lines("# TYPE below_total counter", "below_total 1", "# TYPE exact_total counter", "exact_total 1"), collector.Render());
    }

    [Fact]
    public void Disposing_the_collector_stops_collection()
    {
        using var scope = new MetricsScope();
        var counter = scope.Meter.CreateCounter<int>("stopped");
        counter.Add(1);
        Assert.True(counter.Enabled);

        scope.Collector.Dispose();

        Assert.False(counter.Enabled);
        Assert.Throws<ObjectDisposedException>(() => scope.Collector.Render());
        using var late = new Meter(scope.Prefix);
        Assert.False(late.CreateCounter<int>("late").Enabled);
    }

    [Fact]
    public void Instruments_of_a_disposed_meter_are_no_longer_exported()
    {
        using var scope = new MetricsScope();
        using var other = new Meter(scope.Prefix);
        scope.Meter.CreateCounter<int>("kept").Add(1);
        other.CreateCounter<int>("gone").Add(1);

        other.Dispose();

        Assert.Equal(Lines("# TYPE kept_total counter", "kept_total 1"), scope.Render());
    }

    [Fact]
    public async Task WriteAsync_writes_the_rendered_text_as_utf8_without_a_byte_order_mark()
    {
        using var scope = new MetricsScope();
        scope.Meter.CreateCounter<int>("written").Add(1, Tag("city", "Zürich"));
        var expected = Lines("# TYPE written_total counter", "written_total{city=\"Zürich\"} 1");

        using var stream = new MemoryStream();
        await scope.Collector.WriteAsync(stream);
        using var writer = new StringWriter();
        await scope.Collector.WriteAsync(writer);

        Assert.Equal(new UTF8Encoding(false).GetBytes(expected), stream.ToArray());
        Assert.Equal(expected, writer.ToString());
    }

    [Fact]
    public void Content_type_is_the_text_exposition_format_0_0_4()
    {
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", PrometheusMetricsCollector.ContentType);
    }
}
