using Actors.Runtime.Cluster;
using Actors.Runtime.Hosting;
using Actors.Runtime.Membership;
using Actors.Runtime.Postgres;
using Actors.Runtime.Reminders;
using Actors.Runtime.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Actors.Runtime.Testing;

/// <summary>Builds an in-process cluster of silos for tests.</summary>
public sealed class TestClusterBuilder
{
    private readonly List<Action<ISiloBuilder>> siloConfigurations = [];
    private readonly List<Action<IServiceCollection>> serviceConfigurations = [];
    private Action<ISiloBuilder>? storage;
    private Action<ISiloBuilder>? clustering;
    private ManualTimeProvider? time;
    private int siloCount = 1;
    private bool clustered;

    /// <summary>Drives every timer of the cluster (idle collection, deadlines, grain timers) from a manual clock.</summary>
    public TestClusterBuilder UseManualTime(ManualTimeProvider? provider = null)
    {
        time = provider ?? new ManualTimeProvider();
        return this;
    }

    /// <summary>
    /// Starts <paramref name="count"/> silos that form a real cluster: TCP between silos on loopback
    /// ports, a shared membership table (in memory unless <see cref="UseClustering"/> says otherwise),
    /// fast failure detection, and shared grain storage and reminders.
    /// </summary>
    public TestClusterBuilder WithSilos(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        siloCount = count;
        clustered = true;
        return this;
    }

    /// <summary>Replaces the shared in-memory membership and reminder tables (e.g. with PostgreSQL).</summary>
    public TestClusterBuilder UseClustering(Action<ISiloBuilder> configure)
    {
        clustering = configure;
        clustered = true;
        return this;
    }

    public TestClusterBuilder ConfigureSilo(Action<ISiloBuilder> configure)
    {
        siloConfigurations.Add(configure);
        return this;
    }

    public TestClusterBuilder ConfigureServices(Action<IServiceCollection> configure)
    {
        serviceConfigurations.Add(configure);
        return this;
    }

    /// <summary>Replaces the default in-memory "Default" storage (e.g. with PostgreSQL).</summary>
    public TestClusterBuilder UseStorage(Action<ISiloBuilder> configure)
    {
        storage = configure;
        return this;
    }

    /// <summary>Uses PostgreSQL as the "Default" grain storage (migrations applied at start).</summary>
    public TestClusterBuilder UsePostgresStorage(string connectionString) =>
        UseStorage(silo => silo.AddPostgresGrainStorage(connectionString));

    public async Task<TestCluster> BuildAndStartAsync(CancellationToken cancellationToken = default)
    {
        var shared = new SharedParts(clustered);
        var cluster = new TestCluster(this, shared, time);
        for (var i = 0; i < siloCount; i++)
        {
            await cluster.StartSiloAsync(cancellationToken);
        }

        return cluster;
    }

    internal async Task<TestSilo> StartSiloAsync(int index, SharedParts shared, CancellationToken cancellationToken)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        if (time is not null)
        {
            builder.Services.AddSingleton<TimeProvider>(time);
        }

        builder.Services.AddActorsSilo(silo =>
        {
            silo.Configure(o => o.SiloName = $"test-silo-{index}");
            if (storage is not null)
            {
                storage(silo);
            }
            else
            {
                silo.Services.AddKeyedSingleton<IGrainStorage>(PersistentStateAttribute.DefaultStorageName, shared.Storage);
            }

            if (clustered)
            {
                silo.ConfigureCluster(TestTimings);
                if (clustering is not null)
                {
                    clustering(silo);
                }
                else
                {
                    silo.UseInMemoryClustering(shared.Membership).UseInMemoryReminders(shared.Reminders);
                }
            }

            foreach (var configure in siloConfigurations)
            {
                configure(silo);
            }
        });
        foreach (var configure in serviceConfigurations)
        {
            configure(builder.Services);
        }

        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        return new TestSilo(host, index);
    }

    internal async Task<TestClient> StartClientAsync(SharedParts shared, CancellationToken cancellationToken)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddActorsClient(client =>
        {
            client.ConfigureCluster(TestTimings);
            if (clustering is not null)
            {
                clustering(client);
            }
            else
            {
                client.UseInMemoryClustering(shared.Membership);
            }
        });
        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        return new TestClient(host);
    }

    /// <summary>Failure detection in about a second, so failover tests stay short.</summary>
    internal static void TestTimings(Configuration.ClusterOptions o)
    {
        o.HeartbeatPeriod = TimeSpan.FromMilliseconds(100);
        o.TableRefreshPeriod = TimeSpan.FromMilliseconds(100);
        o.ProbePeriod = TimeSpan.FromMilliseconds(100);
        o.ProbeTimeout = TimeSpan.FromMilliseconds(500);
        o.MissedProbesLimit = 3;
        o.DeathTimeout = TimeSpan.FromSeconds(3);
        o.ReminderRefreshPeriod = TimeSpan.FromMilliseconds(250);
        o.MinimumReminderPeriod = TimeSpan.FromMilliseconds(100);
    }

    internal sealed class SharedParts(bool clustered)
    {
        public bool Clustered { get; } = clustered;

        public MemoryGrainStorage Storage { get; } = new(PersistentStateAttribute.DefaultStorageName);

        public InMemoryMembershipTable Membership { get; } = new();

        public InMemoryReminderTable Reminders { get; } = new();
    }
}

/// <summary>One silo of a test cluster.</summary>
public sealed class TestSilo(IHost host, int index)
{
    public IHost Host { get; } = host;

    public int Index { get; } = index;

    public IServiceProvider Services => Host.Services;

    public IGrainFactory GrainFactory => Services.GetRequiredService<IGrainFactory>();

    public string Name => $"test-silo-{Index}";

    private RuntimeServices Runtime => Services.GetRequiredService<RuntimeServices>();

    private SiloHostedService Hosted => Services.GetRequiredService<SiloHostedService>();

    /// <summary>This silo's cluster address (clustered tests only).</summary>
    public SiloAddress Address => Hosted.Cluster?.Address ?? throw new InvalidOperationException("This silo is not clustered.");

    public bool IsStopped { get; private set; }

    /// <summary>Live activations of a grain type on this silo.</summary>
    public int ActivationCount(string grainType) =>
        Runtime.Catalog.All().Count(a => a.GrainId.Type == grainType && a.Status != Activation.ActivationStatus.Invalid);

    public bool IsActive(GrainId grainId) =>
        Runtime.Catalog.TryGetActivation(grainId, out var activation) && activation.Status == Activation.ActivationStatus.Valid;

    /// <summary>The active silos this silo currently sees.</summary>
    public IReadOnlyList<SiloAddress> ActiveSilos => Hosted.Cluster?.Membership.View.Active ?? [];

    /// <summary>Graceful stop: drains and deactivates every activation, leaves the cluster.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (IsStopped)
        {
            return;
        }

        IsStopped = true;
        await Host.StopAsync(cancellationToken);
        Host.Dispose();
    }

    /// <summary>Abrupt stop: connections dropped, heartbeats stopped, nothing deactivated or persisted.</summary>
    public async Task KillAsync()
    {
        if (IsStopped)
        {
            return;
        }

        IsStopped = true;
        await Hosted.KillAsync();
        await Host.StopAsync(TimeSpan.FromSeconds(5));
        Host.Dispose();
    }
}

/// <summary>A cluster client of a test cluster.</summary>
public sealed class TestClient(IHost host) : IAsyncDisposable
{
    public IHost Host { get; } = host;

    private int disposed;

    public ClusterClient Client => Host.Services.GetRequiredService<ClusterClient>();

    public IGrainFactory GrainFactory => Client.GrainFactory;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        await Host.StopAsync(TimeSpan.FromSeconds(5));
        Host.Dispose();
    }
}

/// <summary>An in-process cluster; dispose it to stop every silo.</summary>
public sealed class TestCluster : IAsyncDisposable
{
    private readonly TestClusterBuilder builder;
    private readonly TestClusterBuilder.SharedParts shared;
    private readonly ManualTimeProvider? time;
    private readonly List<TestSilo> silos = [];
    private readonly List<TestClient> clients = [];
    private bool stopped;

    internal TestCluster(TestClusterBuilder builder, TestClusterBuilder.SharedParts shared, ManualTimeProvider? time)
    {
        this.builder = builder;
        this.shared = shared;
        this.time = time;
    }

    public IReadOnlyList<TestSilo> Silos => silos;

    public TestSilo Primary => silos[0];

    public IGrainFactory GrainFactory => Primary.GrainFactory;

    public IServiceProvider Services => Primary.Services;

    /// <summary>Grain storage shared by the silos (when the default in-memory storage is used).</summary>
    public MemoryGrainStorage Storage => shared.Storage;

    public InMemoryMembershipTable MembershipTable => shared.Membership;

    /// <summary>The manual clock, when the cluster was built with <see cref="TestClusterBuilder.UseManualTime"/>.</summary>
    public ManualTimeProvider Time => time ?? throw new InvalidOperationException("This test cluster runs on the system clock; call UseManualTime().");

    /// <summary>Adds a silo (it joins the running cluster).</summary>
    public async Task<TestSilo> StartSiloAsync(CancellationToken cancellationToken = default)
    {
        var silo = await builder.StartSiloAsync(silos.Count, shared, cancellationToken);
        silos.Add(silo);
        return silo;
    }

    /// <summary>Starts several silos at once (they race to join the membership table).</summary>
    public async Task<IReadOnlyList<TestSilo>> StartSilosAsync(int count, CancellationToken cancellationToken = default)
    {
        var first = silos.Count;
        var started = await Task.WhenAll(Enumerable.Range(first, count).Select(i => builder.StartSiloAsync(i, shared, cancellationToken)));
        silos.AddRange(started);
        return started;
    }

    /// <summary>Starts a cluster client connected through a gateway.</summary>
    public async Task<TestClient> CreateClientAsync(CancellationToken cancellationToken = default)
    {
        var client = await builder.StartClientAsync(shared, cancellationToken);
        clients.Add(client);
        return client;
    }

    /// <summary>Waits until every running silo sees exactly the running silos as active.</summary>
    public Task WaitForStableViewAsync(TimeSpan? timeout = null) =>
        TestWait.UntilAsync(
            () =>
            {
                var running = silos.Where(s => !s.IsStopped).Select(s => s.Address).OrderBy(a => a.ToString()).ToList();
                return silos.Where(s => !s.IsStopped).All(s => s.ActiveSilos.OrderBy(a => a.ToString()).SequenceEqual(running));
            },
            timeout ?? TimeSpan.FromSeconds(15),
            "every silo should see the same active members");

    public async Task StopAsync()
    {
        if (stopped)
        {
            return;
        }

        stopped = true;
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }

        foreach (var silo in silos)
        {
            await silo.StopAsync();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
