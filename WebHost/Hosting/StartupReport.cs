namespace Actors.WebHost.Hosting;

/// <summary>Says once at startup how this node runs, and loudly when nothing is persisted.</summary>
internal sealed class StartupReport(ClusterHostingOptions options, INodeInfo node, ILogger<StartupReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        HostingLog.Started(logger, node.NodeId, options.Mode, options.ClusterId, options.ConnectionString is null ? "not configured" : "configured");
        if (options.ConnectionString is null)
        {
            HostingLog.InMemoryStorage(logger);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
