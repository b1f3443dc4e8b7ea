using System.Collections.Concurrent;
using Actors.Runtime.Hosting;
using Actors.Runtime.Testing;

namespace Actors.Runtime.Tests;

/// <summary>One silo on the system clock, with recording call filters, shared by a collection.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.GrainFactory;

    public RecordingFilters Filters { get; } = new();

    public async Task InitializeAsync() =>
        Cluster = await new TestClusterBuilder()
            .ConfigureSilo(silo => silo.AddIncomingGrainCallFilter(Filters).AddOutgoingGrainCallFilter(Filters))
            .BuildAndStartAsync();

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>One silo driven by a manual clock, with a short call timeout, shared by a collection.</summary>
public sealed class ManualClockFixture : IAsyncLifetime
{
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);

    public TestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.GrainFactory;

    public ManualTimeProvider Time => Cluster.Time;

    public async Task InitializeAsync() =>
        Cluster = await new TestClusterBuilder()
            .UseManualTime()
            .ConfigureSilo(silo => silo.Configure(o =>
            {
                o.CallTimeout = CallTimeout;
                o.IdleTimeout = TimeSpan.FromMinutes(15);
                o.MaintenancePeriod = TimeSpan.FromSeconds(1);
            }))
            .BuildAndStartAsync();

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}

[CollectionDefinition(Name)]
public sealed class ManualClockCollection : ICollectionFixture<ManualClockFixture>
{
    public const string Name = "manual-clock";
}

/// <summary>Incoming and outgoing filters that record what they see for calls whose target key starts with "filtered-".</summary>
public sealed class RecordingFilters : IIncomingGrainCallFilter, IOutgoingGrainCallFilter
{
    public ConcurrentQueue<string> Seen { get; } = new();

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (!context.TargetId.Key.StartsWith("filtered-", StringComparison.Ordinal))
        {
            await context.Invoke();
            return;
        }

        Seen.Enqueue($"in:{context.TargetId.Key}:{context.MethodName}:{context.Grain?.GetType().Name}");
        await context.Invoke();
        if (context.Result is string s)
        {
            context.Result = s + "!filtered";
        }
    }

    async Task IOutgoingGrainCallFilter.Invoke(IOutgoingGrainCallContext context)
    {
        if (!context.TargetId.Key.StartsWith("filtered-", StringComparison.Ordinal))
        {
            await context.Invoke();
            return;
        }

        Seen.Enqueue($"out:{context.TargetId.Key}:{context.MethodName}");
        RequestContext.Set("stamped-by-outgoing-filter", "yes");
        await context.Invoke();
    }
}

internal static class Keys
{
    public static string New(string prefix = "k") => $"{prefix}-{Guid.NewGuid():N}";
}
