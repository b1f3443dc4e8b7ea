using Actors.Runtime.Membership;
using Actors.Runtime.Messaging;
using Actors.Runtime.Networking;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Actors.Runtime.Cluster;

/// <summary>
/// Calls grains in a cluster from outside it (the WebHost in Client mode): finds gateways in the
/// membership table, keeps one gateway connection, moves to another gateway when it dies, and
/// hosts observers that grains call back through the gateway.
/// </summary>
public sealed class ClusterClient : IAsyncDisposable
{
    private readonly RuntimeServices runtime;
    private readonly IMembershipTable table;
    private readonly MessageCenter messages;
    private readonly SemaphoreSlim connecting = new(1, 1);
    private readonly HashSet<string> badGateways = [];
    private readonly string clientId = "client:" + Guid.NewGuid().ToString("N")[..12];
    private Connection? gateway;
    private string? gatewaySilo;

    internal ClusterClient(RuntimeServices runtime, IMembershipTable table)
    {
        this.runtime = runtime;
        this.table = table;
        messages = new MessageCenter(runtime, clientId, isClient: true) { IncomingRouter = runtime.GrainRuntime.DeliverLocally };
        runtime.GrainRuntime.Router = new ClientRouter(this);
        runtime.GrainRuntime.ExternalTypeNames = type =>
            Actors.Invocation.GrainTypeRegistry.TryGetInterface(type, out var descriptor) && messages.RemoteManifest.TryGetValue(descriptor.Name, out var name) ? name : null;
    }

    public IGrainFactory GrainFactory => runtime.GrainRuntime;

    /// <summary>The silo whose gateway this client uses now.</summary>
    public string? CurrentGateway => gatewaySilo;

    public bool IsConnected => gateway is { Closed.IsCompleted: false };

    /// <summary>Connects to a gateway; call once before using <see cref="GrainFactory"/>.</summary>
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        // A client often starts together with the silos: wait (bounded) for a first gateway.
        var deadline = runtime.TimeProvider.GetUtcNow() + StartupWait;
        while (true)
        {
            try
            {
                await EnsureGatewayAsync(cancellationToken);
                break;
            }
            catch (SiloUnavailableException) when (runtime.TimeProvider.GetUtcNow() < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), runtime.TimeProvider, cancellationToken);
            }
        }

        runtime.GrainRuntime.MarkStarted();
    }

    /// <summary>How long <see cref="ConnectAsync"/> waits for a gateway before it gives up.</summary>
    public TimeSpan StartupWait { get; init; } = TimeSpan.FromSeconds(30);

    private async Task<Connection> EnsureGatewayAsync(CancellationToken cancellationToken)
    {
        if (gateway is { Closed.IsCompleted: false } current)
        {
            return current;
        }

        await connecting.WaitAsync(cancellationToken);
        try
        {
            if (gateway is { Closed.IsCompleted: false } again)
            {
                return again;
            }

            if (gatewaySilo is not null && gateway is not null)
            {
                ClusterLog.GatewayLost(runtime.Logger, gatewaySilo);
                badGateways.Add(gatewaySilo);
            }

            Exception? last = null;
            for (var attempt = 0; attempt < 3; attempt++)
            {
                var snapshot = await table.ReadAllAsync(cancellationToken);
                var candidates = snapshot.Entries.Select(e => e.Entry)
                    .Where(e => e.Status == SiloStatus.Active && e.GatewayPort > 0)
                    .OrderBy(e => badGateways.Contains(e.Address.ToString()) ? 1 : 0)
                    .ThenBy(_ => Random.Shared.Next())
                    .ToList();
                foreach (var candidate in candidates)
                {
                    try
                    {
                        var connection = await messages.GetConnectionAsync(candidate.Address.Host, candidate.GatewayPort, cancellationToken);
                        var previous = gatewaySilo;
                        gateway = connection;
                        gatewaySilo = candidate.Address.ToString();
                        runtime.GrainRuntime.NodeIdentity = ObserverAddress.ClientNode(clientId, gatewaySilo);
                        if (previous is not null && previous != gatewaySilo)
                        {
                            // Observer references name the gateway: owners must make new ones.
                            GatewayChanged?.Invoke(gatewaySilo);
                        }

                        badGateways.Remove(gatewaySilo);
                        ClusterLog.ClientConnected(runtime.Logger, clientId, gatewaySilo);
                        return connection;
                    }
                    catch (SiloUnavailableException exception)
                    {
                        last = exception;
                        badGateways.Add(candidate.Address.ToString());
                    }
                }

                badGateways.Clear();
                await Task.Delay(TimeSpan.FromMilliseconds(200 * (attempt + 1)), runtime.TimeProvider, cancellationToken);
            }

            throw new SiloUnavailableException("No gateway of the cluster could be reached.", last ?? new InvalidOperationException("The membership table lists no active gateway."));
        }
        finally
        {
            connecting.Release();
        }
    }

    internal void Send(Message message)
    {
        var connection = gateway;
        if (connection is { Closed.IsCompleted: false })
        {
            messages.SendRequest(connection, message);
            return;
        }

        _ = SendAfterReconnectAsync(message);
    }

    private async Task SendAfterReconnectAsync(Message message)
    {
        try
        {
            var connection = await EnsureGatewayAsync(CancellationToken.None);
            messages.SendRequest(connection, message);
        }
        catch (Exception exception)
        {
            message.TryComplete(exception);
        }
    }

    internal void ExpirePending(long now) => messages.ExpirePending(now);

    /// <summary>Raised when the client moved to another gateway; observer references made before must be recreated.</summary>
    public event Action<string>? GatewayChanged;

    /// <summary>
    /// Leaves a gateway whose silo is shutting down (or gone) before it closes, so graceful silo
    /// stops fail no call: new calls go to another gateway while the old connection drains.
    /// </summary>
    internal async Task CheckGatewayAsync(CancellationToken cancellationToken)
    {
        var current = gatewaySilo;
        var connection = gateway;
        if (current is null || connection is null)
        {
            return;
        }

        var snapshot = await table.ReadAllAsync(cancellationToken);
        var row = snapshot.Entries.FirstOrDefault(e => e.Entry.Address.ToString() == current);
        if (row is { Entry.Status: SiloStatus.Active })
        {
            return;
        }

        await connecting.WaitAsync(cancellationToken);
        try
        {
            if (gateway != connection)
            {
                return;
            }

            gateway = null;
            badGateways.Add(current);
        }
        finally
        {
            connecting.Release();
        }

        await EnsureGatewayAsync(cancellationToken);
        _ = CloseWhenDrainedAsync(connection);
    }

    private async Task CloseWhenDrainedAsync(Connection connection)
    {
        var deadline = runtime.TimeProvider.GetUtcNow() + runtime.Options.CallTimeout;
        while (MessageCenter.PendingOn(connection) > 0 && runtime.TimeProvider.GetUtcNow() < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), runtime.TimeProvider).ConfigureAwait(false);
        }

        await connection.DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await messages.CloseAllAsync(abort: false);
        connecting.Dispose();
    }

    private sealed class ClientRouter(ClusterClient client) : IMessageRouter
    {
        public void Route(Message message)
        {
            if (message.Target.Type == Catalog.GrainClassInfo.ObserverTypeName
                && message.Target.Key.StartsWith(client.runtime.GrainRuntime.NodeIdentity + "|", StringComparison.Ordinal))
            {
                client.runtime.GrainRuntime.DeliverLocally(message);
                return;
            }

            client.Send(message);
        }
    }
}

/// <summary>Connects the client when the host starts and disconnects it when the host stops.</summary>
internal sealed class ClusterClientHostedService(ClusterClient client, RuntimeServices runtime, Microsoft.Extensions.Options.IOptions<Configuration.ClusterOptions> options) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource stopping = new();
    private ITimer? maintenance;
    private Task? gatewayWatch;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await client.ConnectAsync(cancellationToken);
        gatewayWatch = WatchGatewayAsync();
        var period = runtime.Options.MaintenancePeriod;
        maintenance = runtime.TimeProvider.CreateTimer(_ =>
        {
            var now = runtime.RefreshCoarseNow();
            client.ExpirePending(now);
            runtime.Catalog.RunMaintenance(now, long.MaxValue);
        }, null, period, period);
    }

    private async Task WatchGatewayAsync()
    {
        using var timer = new PeriodicTimer(options.Value.TableRefreshPeriod, runtime.TimeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping.Token).ConfigureAwait(false))
            {
                try
                {
                    await client.CheckGatewayAsync(stopping.Token).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    ClusterLog.GatewayLost(runtime.Logger, exception.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private int stopped;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref stopped, 1) != 0)
        {
            return;
        }

        maintenance?.Dispose();
        await stopping.CancelAsync();
        if (gatewayWatch is not null)
        {
            await gatewayWatch;
        }

        await client.DisposeAsync();
    }

    public void Dispose() => stopping.Dispose();
}

/// <summary>Registers a cluster client: <c>services.AddActorsClient(c => c.UsePostgresClustering(...))</c>.</summary>
public static class ClusterClientServiceCollectionExtensions
{
    /// <summary>
    /// Adds a client that reaches the cluster through its gateways. The builder takes the same
    /// provider extensions as a silo's (a membership table is required).
    /// </summary>
    public static IServiceCollection AddActorsClient(this IServiceCollection services, Action<Hosting.ISiloBuilder>? configure = null)
    {
        Hosting.SiloServiceCollectionExtensions.AddRuntimeCore(services, configure);
        services.AddSingleton(sp => new ClusterClient(
            sp.GetRequiredService<RuntimeServices>(),
            sp.GetService<IMembershipTable>() ?? throw new InvalidOperationException("A cluster client needs a membership table (for example UsePostgresClustering)."))
        {
            StartupWait = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<Configuration.ClusterOptions>>().Value.ClientStartupWait,
        });
        services.AddSingleton<IGrainFactory>(sp => sp.GetRequiredService<ClusterClient>().GrainFactory);
        services.AddHostedService<ClusterClientHostedService>();
        return services;
    }
}
