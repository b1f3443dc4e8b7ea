using Actors.Grains;
using Microsoft.Extensions.Options;

namespace Actors.WebHost.Realtime;

/// <summary>This node's live hub connections per user, kept by the hub for platform presence.</summary>
internal sealed class UserConnections
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, HashSet<string>> users = new(StringComparer.Ordinal);

    public int UserCount
    {
        get
        {
            lock (gate)
            {
                return users.Count;
            }
        }
    }

    public void Add(string userId, string connectionId)
    {
        lock (gate)
        {
            if (!users.TryGetValue(userId, out var set))
            {
                users[userId] = set = new HashSet<string>(StringComparer.Ordinal);
            }

            set.Add(connectionId);
        }
    }

    public void Remove(string userId, string connectionId)
    {
        lock (gate)
        {
            if (users.TryGetValue(userId, out var set) && set.Remove(connectionId) && set.Count == 0)
            {
                users.Remove(userId);
            }
        }
    }

    public bool Contains(string userId, string connectionId)
    {
        lock (gate)
        {
            return users.TryGetValue(userId, out var set) && set.Contains(connectionId);
        }
    }

    /// <summary>The users with at least one live connection here.</summary>
    public List<string> Users()
    {
        lock (gate)
        {
            return [.. users.Keys];
        }
    }

    public List<string> ConnectionsOf(string userId)
    {
        lock (gate)
        {
            return users.TryGetValue(userId, out var set) ? [.. set] : [];
        }
    }
}

/// <summary>
/// Renews this node's lease on the platform presence of every user with a live connection here,
/// every <see cref="RealtimeOptions.LeaseRenewal"/> (well inside the grains' NodeLease), so the
/// connections of a node that dies without disconnecting leave presence when its leases lapse.
/// A user grain that lost this node's connections (deactivated or moved: they live in memory)
/// answers false and gets them again. Failures are logged and retried on the next round.
/// </summary>
internal sealed partial class UserPresenceLeases(
    IGrainFactory grains,
    UserConnections connections,
    RealtimeBridge bridge,
    IOptions<RealtimeOptions> options,
    ILogger<UserPresenceLeases> logger) : BackgroundService
{
    /// <summary>Renewal calls in flight at once.</summary>
    internal const int MaxConcurrentRenewals = 16;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.LeaseRenewal);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await RenewAllAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One round: every user with a live connection on this node.</summary>
    internal async Task RenewAllAsync(CancellationToken cancellationToken)
    {
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = MaxConcurrentRenewals, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(connections.Users(), parallel, async (userId, _) => await RenewAsync(userId));
    }

    private async Task RenewAsync(string userId)
    {
        try
        {
            var user = grains.GetGrain<IUserGrain>(userId);
            if (await user.RenewNodeAsync(bridge.NodeId))
            {
                return;
            }

            var restored = 0;
            foreach (var connectionId in connections.ConnectionsOf(userId))
            {
                if (!connections.Contains(userId, connectionId))
                {
                    continue;
                }

                await user.ConnectAsync(connectionId, bridge.NodeId);
                restored++;

                // It may have ended while we connected it, its disconnect reaching the grain first: undo.
                if (!connections.Contains(userId, connectionId))
                {
                    await user.DisconnectAsync(connectionId);
                    restored--;
                }
            }

            if (restored > 0)
            {
                LogRestored(logger, userId, restored);
            }
        }
        catch (Exception exception)
        {
            LogRenewFailed(logger, exception, userId);
        }
    }

    [LoggerMessage(4030, LogLevel.Warning, "Renewing this node's presence lease on user {UserId} failed")]
    private static partial void LogRenewFailed(ILogger logger, Exception exception, string userId);

    [LoggerMessage(4031, LogLevel.Debug, "User {UserId} had lost this node's connections (moved or reactivated); {Count} registered again")]
    private static partial void LogRestored(ILogger logger, string userId, int count);
}
