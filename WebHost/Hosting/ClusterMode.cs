namespace Actors.WebHost.Hosting;

/// <summary>How the WebHost reaches grains (<c>Actors:Cluster:Mode</c>).</summary>
public enum ClusterMode
{
    /// <summary>The WebHost co-hosts a silo in-process (single machine; the default).</summary>
    Embedded,

    /// <summary>The WebHost is a cluster client of external silos found in the PostgreSQL membership table.</summary>
    Client,
}
