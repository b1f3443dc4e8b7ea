using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Actors.Runtime.Diagnostics.Prometheus;

/// <summary>Registration of the <see cref="PrometheusMetricsCollector"/> and its scrape endpoint.</summary>
public static class PrometheusMetricsExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="PrometheusMetricsCollector"/> for the meters matching
    /// <paramref name="meterPrefixes"/> (added to those of earlier calls; none at all means
    /// <see cref="PrometheusMetricsCollector.DefaultMeterPrefixes"/>). It starts when first resolved, and a hosted
    /// service resolves it as the host starts so that measurements count from then on.
    /// </summary>
    public static IServiceCollection AddPrometheusMetrics(this IServiceCollection services, params string[] meterPrefixes)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(meterPrefixes);
        services.AddOptions<PrometheusMetricsOptions>().Configure(options =>
        {
            foreach (var prefix in meterPrefixes)
            {
                if (!options.MeterPrefixes.Contains(prefix))
                {
                    options.MeterPrefixes.Add(prefix);
                }
            }
        });
        services.TryAddSingleton(static provider => new PrometheusMetricsCollector(provider.GetRequiredService<IOptions<PrometheusMetricsOptions>>().Value));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PrometheusMetricsStartup>());
        return services;
    }

    /// <summary>
    /// Maps GET <paramref name="pattern"/> to the registered <see cref="PrometheusMetricsCollector"/>'s output with
    /// <see cref="PrometheusMetricsCollector.ContentType"/>. Returns the endpoint's builder, for authorization or host filters.
    /// </summary>
    public static IEndpointConventionBuilder MapPrometheusMetrics(this IEndpointRouteBuilder endpoints, string pattern = "/metrics")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        RequestDelegate scrape = static async context =>
        {
            var collector = context.RequestServices.GetRequiredService<PrometheusMetricsCollector>();
            context.Response.ContentType = PrometheusMetricsCollector.ContentType;
            context.Response.Headers.CacheControl = "no-store";
            await collector.WriteAsync(context.Response.Body, context.RequestAborted);
        };
        return endpoints.MapGet(pattern, scrape);
    }

    /// <summary>Resolves the collector when the host starts rather than at the first scrape.</summary>
    private sealed class PrometheusMetricsStartup : IHostedService
    {
        public PrometheusMetricsStartup(PrometheusMetricsCollector collector) => _ = collector;

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
