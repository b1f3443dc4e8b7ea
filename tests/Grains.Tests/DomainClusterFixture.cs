using Actors.Runtime.Testing;

namespace Actors.Grains.Tests;

/// <summary>One silo with the domain on a real PostgreSQL (grain state and the event log), driven by a manual clock.</summary>
public sealed class DomainClusterFixture : IAsyncLifetime
{
    public string ConnectionString { get; } = PostgresTestServer.ConnectionString;

    public TestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.GrainFactory;

    public ManualTimeProvider Time => Cluster.Time;

    public async Task InitializeAsync() =>
        Cluster = await new TestClusterBuilder()
            .UseManualTime(new ManualTimeProvider(DateTimeOffset.UtcNow))
            .UsePostgresStorage(ConnectionString)
            .ConfigureSilo(silo => silo.AddDomain(o => o.ConnectionString = ConnectionString))
            .BuildAndStartAsync();

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class DomainCollection : ICollectionFixture<DomainClusterFixture>
{
    public const string Name = "domain";
}

internal static class Ids
{
    public static string New(string prefix = "id") => $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(64, prefix.Length + 33)];
}
