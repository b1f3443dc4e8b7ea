using Actors.Runtime.Hosting;
using Actors.Runtime.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Actors.Runtime.Testing;

/// <summary>Builds an in-process cluster of silos for tests.</summary>
public sealed class TestClusterBuilder
{
    private readonly List<Action<ISiloBuilder>> siloConfigurations = [];
    private readonly List<Action<IServiceCollection>> serviceConfigurations = [];
    private Action<ISiloBuilder> storage = silo => silo.AddMemoryGrainStorage();
    private ManualTimeProvider? time;

    /// <summary>Drives every timer of the cluster (idle collection, deadlines, grain timers) from a manual clock.</summary>
    public TestClusterBuilder UseManualTime(ManualTimeProvider? provider = null)
    {
        time = provider ?? new ManualTimeProvider();
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
        var silo = await StartSiloAsync(0, cancellationToken);
        return new TestCluster([silo], time);
    }

    private async Task<TestSilo> StartSiloAsync(int index, CancellationToken cancellationToken)
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
            storage(silo);
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
        return new TestSilo(host);
    }
}

/// <summary>One silo of a test cluster.</summary>
public sealed class TestSilo(IHost host)
{
    public IHost Host { get; } = host;

    public IServiceProvider Services => Host.Services;

    public IGrainFactory GrainFactory => Services.GetRequiredService<IGrainFactory>();

    private RuntimeServices Runtime => Services.GetRequiredService<RuntimeServices>();

    /// <summary>Live activations of a grain type on this silo.</summary>
    public int ActivationCount(string grainType) =>
        Runtime.Catalog.All().Count(a => a.GrainId.Type == grainType && a.Status != Activation.ActivationStatus.Invalid);

    public bool IsActive(GrainId grainId) =>
        Runtime.Catalog.TryGetActivation(grainId, out var activation) && activation.Status == Activation.ActivationStatus.Valid;

    /// <summary>Graceful stop: drains and deactivates every activation.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await Host.StopAsync(cancellationToken);
        Host.Dispose();
    }
}

/// <summary>An in-process cluster; dispose it to stop every silo.</summary>
public sealed class TestCluster(IReadOnlyList<TestSilo> silos, ManualTimeProvider? time) : IAsyncDisposable
{
    private bool stopped;

    public IReadOnlyList<TestSilo> Silos { get; } = silos;

    public TestSilo Primary => Silos[0];

    public IGrainFactory GrainFactory => Primary.GrainFactory;

    public IServiceProvider Services => Primary.Services;

    /// <summary>The manual clock, when the cluster was built with <see cref="TestClusterBuilder.UseManualTime"/>.</summary>
    public ManualTimeProvider Time => time ?? throw new InvalidOperationException("This test cluster runs on the system clock; call UseManualTime().");

    public async Task StopAsync()
    {
        if (stopped)
        {
            return;
        }

        stopped = true;
        foreach (var silo in Silos)
        {
            await silo.StopAsync();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
