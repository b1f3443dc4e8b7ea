using Actors.Runtime.Configuration;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Actors.Silo;

/// <summary>
/// Once the host has started (the silo joined, Kestrel listens), logs one line with the silo's
/// address, gateway port and HTTP endpoint, read from its membership row and the server itself.
/// </summary>
internal sealed class SiloStartupReport(
    SiloReadiness readiness,
    SiloSettings settings,
    IServer server,
    IOptions<ClusterOptions> cluster,
    IHostApplicationLifetime lifetime,
    ILoggerFactory loggers) : IHostedService
{
    private readonly ILogger logger = loggers.CreateLogger("Actors.Silo");
    private CancellationTokenRegistration started;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        started = lifetime.ApplicationStarted.Register(() => _ = ReportAsync(lifetime.ApplicationStopping));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        started.Dispose();
        return Task.CompletedTask;
    }

    private async Task ReportAsync(CancellationToken stopping)
    {
        var http = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? $"http://{settings.ListenAddress}:{settings.HttpPort}";
        try
        {
            var self = await readiness.FindSelfAsync(stopping);
            if (self is not null)
            {
                SiloLog.Started(logger, self.Address.ToString(), self.SiloName, settings.ClusterId, self.Address.Port, self.GatewayPort, settings.HttpPort, http);
                return;
            }
        }
        catch (Exception exception) when (!stopping.IsCancellationRequested)
        {
            SiloLog.OwnRowUnreadable(logger, exception);
        }

        if (!stopping.IsCancellationRequested)
        {
            var address = $"{settings.AdvertisedHost}:{settings.SiloPort}";
            SiloLog.Started(logger, address, "?", settings.ClusterId, settings.SiloPort, cluster.Value.GatewayPort, settings.HttpPort, http);
        }
    }
}
