namespace Actors.WebHost.Hosting;

internal static partial class HostingLog
{
    [LoggerMessage(4000, LogLevel.Warning,
        "Running on in-memory storage: everything is lost on exit. Set ConnectionStrings:Postgres to keep users, sessions and resources.")]
    public static partial void InMemoryStorage(ILogger logger);

    [LoggerMessage(4001, LogLevel.Information, "WebHost node {NodeId} started in {Mode} mode (cluster '{ClusterId}', PostgreSQL {Storage})")]
    public static partial void Started(ILogger logger, string nodeId, ClusterMode mode, string clusterId, string storage);
}
