using Actors.Runtime.Diagnostics;
using Actors.WebHost.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Actors.WebHost.Dashboard;

/// <summary>Pushes the dashboard's view of the cluster (see docs/dashboard.md).</summary>
public interface IDashboardClient
{
    [HubMethodName("snapshot")]
    Task Snapshot(DashboardSnapshot snapshot);

    [HubMethodName("logs")]
    Task Logs(IReadOnlyList<LogRecord> entries);
}

/// <summary>
/// The operator hub at /hubs/dashboard. Connecting is what turns sampling on: the sampler runs only
/// while at least one dashboard is connected to this node.
/// </summary>
[Authorize(Policy = AuthPolicies.Operator)]
internal sealed class DashboardHub(DashboardSampler sampler) : Hub<IDashboardClient>
{
    public override Task OnConnectedAsync()
    {
        sampler.AddWatcher();
        return Task.CompletedTask;
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        sampler.RemoveWatcher();
        return Task.CompletedTask;
    }

    /// <summary>The last 5 minutes of points, oldest first.</summary>
    public IReadOnlyList<DashboardPoint> GetHistory() => sampler.History();

    /// <summary>Recent warnings and errors, oldest first.</summary>
    public IReadOnlyList<LogRecord> GetRecentLogs() => sampler.RecentLogs();
}
