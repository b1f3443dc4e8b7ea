using Actors.Runtime.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Actors.Benchmarks;

/// <summary>A one-silo host built through the public API, as an application would build it.</summary>
public sealed class BenchSilo : IAsyncDisposable
{
    private readonly IHost host;

    private BenchSilo(IHost host)
    {
        this.host = host;
        GrainFactory = host.Services.GetRequiredService<IGrainFactory>();
    }

    public IGrainFactory GrainFactory { get; }

    public IServiceProvider Services => host.Services;

    /// <summary>
    /// Starts a silo with an idle timeout far beyond any run (nothing is collected while we measure)
    /// and otherwise default options.
    /// </summary>
    public static async Task<BenchSilo> StartAsync(Action<ISiloBuilder>? configure = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMinutes(3));
        builder.Services.AddActorsSilo(silo =>
        {
            silo.Configure(o =>
            {
                o.SiloName = "bench";
                o.IdleTimeout = TimeSpan.FromDays(1);
            });
            configure?.Invoke(silo);
        });
        var host = builder.Build();
        using var startTimeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await host.StartAsync(startTimeout.Token);
        return new BenchSilo(host);
    }

    /// <summary>Graceful stop: every activation deactivates.</summary>
    public async Task StopAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await host.StopAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            host.Dispose();
        }
    }
}
