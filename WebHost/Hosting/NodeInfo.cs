namespace Actors.WebHost.Hosting;

/// <summary>This WebHost process as the cluster sees it: one stable id per process (observer subscriptions, presence).</summary>
public interface INodeInfo
{
    /// <summary>A new Guid each time the process starts.</summary>
    Guid Id { get; }

    /// <summary><see cref="Id"/> as 32 hex digits: the node id passed to grains.</summary>
    string NodeId { get; }

    ClusterMode Mode { get; }

    DateTimeOffset StartedAt { get; }
}

internal sealed class NodeInfo(ClusterHostingOptions options, TimeProvider time) : INodeInfo
{
    public Guid Id { get; } = Guid.NewGuid();

    public string NodeId => Id.ToString("N");

    public ClusterMode Mode => options.Mode;

    public DateTimeOffset StartedAt { get; } = time.GetUtcNow();
}

public static class NodeInfoExtensions
{
    /// <summary>How this WebHost names itself as the source of log records on the dashboard.</summary>
    public static string LogSource(this INodeInfo node) => $"webhost-{node.NodeId[..8]}";
}
