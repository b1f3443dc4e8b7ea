using System.Net;
using Actors.Runtime.Configuration;
using Actors.Runtime.Membership;
using Actors.Runtime.Networking;

namespace Actors.Runtime.Cluster;

/// <summary>
/// Turns a silo into a cluster member: listeners for silos and clients, membership, routing by
/// ownership, hand-off of grains it no longer owns, and the graceful and abrupt ways to leave.
/// </summary>
internal sealed class ClusterSilo : IAsyncDisposable
{
    private readonly RuntimeServices runtime;
    private readonly IMembershipTable table;
    private readonly ClusterOptions options;
    private readonly Action onDeclaredDead;
    private TransportListener? siloListener;
    private TransportListener? gatewayListener;
    private int stopped;

    public ClusterSilo(RuntimeServices runtime, IMembershipTable table, ClusterOptions options, Action onDeclaredDead)
    {
        this.runtime = runtime;
        this.table = table;
        this.options = options;
        this.onDeclaredDead = onDeclaredDead;
        Messages = new MessageCenter(runtime, identity: "joining", isClient: false);
    }

    public MessageCenter Messages { get; }

    public MembershipService Membership { get; private set; } = null!;

    public SiloAddress Address { get; private set; } = null!;

    public int GatewayPort { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var listen = IPAddress.Parse(options.ListenAddress);
        siloListener = TransportListener.Start(new IPEndPoint(listen, options.SiloPort), Messages.Accept, TransportOptions.Default, runtime.Logger);
        if (options.GatewayPort >= 0)
        {
            gatewayListener = TransportListener.Start(new IPEndPoint(listen, options.GatewayPort), Messages.Accept, TransportOptions.Default, runtime.Logger);
            GatewayPort = gatewayListener.BoundEndPoint.Port;
        }

        Address = new SiloAddress(options.AdvertisedHost, siloListener.BoundEndPoint.Port, runtime.TimeProvider.GetUtcNow().UtcTicks);
        Messages.SetIdentity(Address.ToString());
        Messages.Manifest = runtime.ClassMap.Manifest;
        runtime.GrainRuntime.NodeIdentity = Address.ToString();
        ClusterLog.Listening(runtime.Logger, Address, siloListener.BoundEndPoint.ToString()!, gatewayListener?.BoundEndPoint.ToString() ?? "(none)");

        Membership = new MembershipService(table, options, runtime.TimeProvider, runtime.Logger, Address, runtime.Options.SiloName, GatewayPort);
        var router = new SiloRouter(runtime, Messages, () => Membership.View, Address);
        runtime.GrainRuntime.Router = router;
        Messages.IncomingRouter = router.Route;
        Membership.ViewChanged += HandOffGrainsNotOwned;
        Membership.DeclaredDead += () => _ = FenceAsync();
        await Membership.JoinAsync([Messages], cancellationToken);
    }

    /// <summary>After a membership change, grains now owned elsewhere deactivate here (persisting) and their queued calls follow them.</summary>
    private void HandOffGrainsNotOwned(ClusterView view)
    {
        var moving = runtime.Catalog.All()
            .Where(a => a.WorkerGroup is null && !a.ClassInfo.IsObserver)
            .Where(a => view.OwnerOf(a.GrainId) is { } owner && owner != Address)
            .ToList();
        if (moving.Count == 0)
        {
            return;
        }

        ClusterLog.Rebalancing(runtime.Logger, moving.Count);
        var reason = new DeactivationReason(DeactivationReasonCode.Migrating, "Another silo owns this grain after a membership change.");
        foreach (var activation in moving)
        {
            activation.RequestDeactivation(reason);
        }
    }

    /// <summary>
    /// Graceful leave: peers stop placing grains here, every activation hands off (persisting),
    /// forwarded calls finish, then the row says dead and the listeners close.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref stopped, 1) != 0)
        {
            return;
        }

        await Membership.BeginLeavingAsync(cancellationToken);
        await Membership.RefreshAsync(cancellationToken);
        await runtime.Catalog.DeactivateAllAsync(cancellationToken);

        // Peers may still send a few calls routed on their old view: forward those until they see us leave.
        var drainUntil = runtime.TimeProvider.GetUtcNow() + options.TableRefreshPeriod * 2;
        while ((Messages.PendingCount > 0 || runtime.TimeProvider.GetUtcNow() < drainUntil) && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
        }

        await Membership.LeaveAsync(cancellationToken);
        await CloseNetworkAsync(abort: false);
    }

    /// <summary>Crash simulation for tests: no goodbye, connections dropped, heartbeats stop.</summary>
    public async Task KillAsync()
    {
        if (Interlocked.Exchange(ref stopped, 1) != 0)
        {
            return;
        }

        await Membership.AbandonAsync();
        await CloseNetworkAsync(abort: true);
    }

    /// <summary>The cluster declared us dead: stop serving at once so no zombie keeps writing.</summary>
    private async Task FenceAsync()
    {
        if (Interlocked.Exchange(ref stopped, 1) != 0)
        {
            return;
        }

        await CloseNetworkAsync(abort: true);
        onDeclaredDead();
    }

    private async Task CloseNetworkAsync(bool abort)
    {
        if (siloListener is not null)
        {
            await siloListener.StopAsync();
        }

        if (gatewayListener is not null)
        {
            await gatewayListener.StopAsync();
        }

        await Messages.CloseAllAsync(abort);
    }

    public async ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref stopped) == 0)
        {
            await KillAsync();
        }

        await Membership.DisposeAsync();
    }
}
