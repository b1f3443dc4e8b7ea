using System.Diagnostics.Metrics;
using System.Net;
using Actors.Runtime.Diagnostics.Prometheus;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Actors.Runtime.Tests.Prometheus;

public sealed class PrometheusMetricsHostingTests
{
    private static string NewPrefix() => "Actors.Tests.Prometheus." + Guid.NewGuid().ToString("N");

    [Fact]
    public void AddPrometheusMetrics_registers_one_collector_listening_to_the_prefixes_of_every_call()
    {
        var services = new ServiceCollection();
        services.AddPrometheusMetrics("Actors.Runtime").AddPrometheusMetrics("System.Net.Http", "Actors.Runtime");

        using var provider = services.BuildServiceProvider();
        var collector = provider.GetRequiredService<PrometheusMetricsCollector>();

        Assert.Same(collector, provider.GetRequiredService<PrometheusMetricsCollector>());
        Assert.Equal(["Actors.Runtime", "System.Net.Http"], collector.MeterPrefixes);
        Assert.Single(provider.GetServices<IHostedService>());
    }

    [Fact]
    public void AddPrometheusMetrics_without_prefixes_listens_to_the_default_meters()
    {
        using var provider = new ServiceCollection().AddPrometheusMetrics().BuildServiceProvider();

        Assert.Equal(PrometheusMetricsCollector.DefaultMeterPrefixes, provider.GetRequiredService<PrometheusMetricsCollector>().MeterPrefixes);
    }

    [Fact]
    public async Task Collector_starts_with_the_host_and_stops_listening_when_the_provider_is_disposed()
    {
        var prefix = NewPrefix();
        using var meter = new Meter(prefix);
        var counter = meter.CreateCounter<int>("hosted.calls");
        var host = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        host.Services.AddPrometheusMetrics(prefix);
        using var app = host.Build();

        await app.StartAsync();
        // Recorded before anything resolved the collector: the hosted service started it.
        counter.Add(1);
        var collector = app.Services.GetRequiredService<PrometheusMetricsCollector>();
        Assert.EndsWith("\nhosted_calls_total 1\n", collector.Render(), StringComparison.Ordinal);
        await app.StopAsync();
        app.Dispose();

        Assert.False(counter.Enabled);
    }

    [Fact]
    public async Task Metrics_endpoint_of_a_minimal_app_serves_the_text_format_with_its_content_type()
    {
        var prefix = NewPrefix();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddPrometheusMetrics(prefix);
        await using var app = builder.Build();
        app.MapPrometheusMetrics();
        await app.StartAsync();
        try
        {
            using var meter = new Meter(prefix);
            meter.CreateCounter<long>("served.calls", "{call}", "Calls served.").Add(3, new KeyValuePair<string, object?>("grain.type", "echo"));
            using var client = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };

            using var response = await client.GetAsync(new Uri("/metrics", UriKind.Relative));

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var contentType = response.Content.Headers.ContentType!;
            Assert.Equal("text/plain", contentType.MediaType);
            Assert.Equal("utf-8", contentType.CharSet);
            Assert.Contains(contentType.Parameters, p => p.Name == "version" && p.Value == "0.0.4");
            Assert.Equal(
                "# HELP served_calls_total Calls served.\n# TYPE served_calls_total counter\nserved_calls_total{grain_type=\"echo\"} 3\n",
                await response.Content.ReadAsStringAsync());
        }
        finally
        {
            await app.StopAsync();
        }
    }
}
