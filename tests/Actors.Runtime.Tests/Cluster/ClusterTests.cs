using Actors.Runtime.Testing;
using Actors.Runtime.Tests.Grains;

namespace Actors.Runtime.Tests.Cluster;

/// <summary>Three silos over TCP on loopback, shared by the tests that leave it intact.</summary>
public sealed class ThreeSiloFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await new TestClusterBuilder().WithSilos(3).BuildAndStartAsync();
        await Cluster.WaitForStableViewAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class ThreeSiloCollection : ICollectionFixture<ThreeSiloFixture>
{
    public const string Name = "three-silos";
}

[Collection(ThreeSiloCollection.Name)]
public sealed class ClusterTests(ThreeSiloFixture fixture)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    private TestCluster Cluster => fixture.Cluster;

    private int ActivationsOf(GrainId id) => Cluster.Silos.Count(s => s.IsActive(id));

    [Fact]
    public async Task Calls_from_any_silo_reach_the_single_activation_on_the_owner()
    {
        var keys = Enumerable.Range(0, 30).Select(_ => Keys.New()).ToList();
        foreach (var key in keys)
        {
            var places = new HashSet<string>();
            foreach (var silo in Cluster.Silos)
            {
                places.Add(await silo.GrainFactory.GetGrain<IPlacedGrain>(key).WhereAsync().WaitAsync(Bound));
            }

            Assert.Single(places);
            Assert.Equal(1, ActivationsOf(GrainId.Create("placed", key)));
        }

        // Thirty grains spread over more than one silo.
        var owners = new HashSet<string>();
        foreach (var key in keys)
        {
            owners.Add(await Cluster.Primary.GrainFactory.GetGrain<IPlacedGrain>(key).WhereAsync());
        }

        Assert.True(owners.Count > 1, "placement should use more than one silo");
    }

    [Fact]
    public async Task Concurrent_first_calls_from_three_silos_create_exactly_one_activation()
    {
        var keys = Enumerable.Range(0, 20).Select(_ => Keys.New()).ToList();

        await Task.WhenAll(keys.SelectMany(key => Cluster.Silos.SelectMany(silo =>
            Enumerable.Range(0, 5).Select(_ => silo.GrainFactory.GetGrain<IPlacedGrain>(key).AddAsync(1))))).WaitAsync(Bound);

        foreach (var key in keys)
        {
            Assert.Equal(1, ActivationsOf(GrainId.Create("placed", key)));
            Assert.Equal(15, await Cluster.Primary.GrainFactory.GetGrain<IPlacedGrain>(key).GetAsync());
        }
    }

    [Fact]
    public async Task Grain_exceptions_cross_silos_with_their_type_and_message()
    {
        var key = Keys.New();
        foreach (var silo in Cluster.Silos)
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => silo.GrainFactory.GetGrain<ICounterGrain>(key).FailAsync("remote boom"));
            Assert.Equal("remote boom", error.Message);
        }
    }

    [Fact]
    public async Task RequestContext_and_mutable_arguments_cross_silos()
    {
        var key = Keys.New();
        RequestContext.Set("tenant", "acme");
        try
        {
            foreach (var silo in Cluster.Silos)
            {
                var grain = silo.GrainFactory.GetGrain<ICallerGrain>(key);
                Assert.Equal("acme", await grain.ReadContextAsync("tenant"));
                var list = new List<int> { 1, 2, 3 };
                Assert.Equal(6, await grain.SumAfterMutatingAsync(list));
                Assert.Equal([1, 2, 3], list);
            }
        }
        finally
        {
            RequestContext.Clear();
        }
    }

    [Fact]
    public async Task Call_cycle_across_silos_is_detected()
    {
        var a = Keys.New("a");
        var b = Keys.New("b");

        await Assert.ThrowsAsync<GrainCallCycleException>(
            () => Cluster.Primary.GrainFactory.GetGrain<ICallerGrain>(a).CallPeerAsync(b, 2).WaitAsync(Bound));
    }

    [Fact]
    public async Task Observer_on_a_client_gets_notifications_from_a_grain_on_any_silo_until_its_lease_lapses()
    {
        await using var client = await Cluster.CreateClientAsync();
        var observer = new CountingObserver();
        var reference = client.GrainFactory.CreateObjectReference<INumberObserver>(observer);
        var grain = client.GrainFactory.GetGrain<IPlacedGrain>(Keys.New());

        await grain.SubscribeAsync(reference);
        Assert.Equal(1, await grain.NotifyAsync(7));
        await TestWait.UntilAsync(() => observer.Values.Contains(7), Bound);

        // No renewal: after the lease (800 ms) the grain no longer knows the observer.
        await TestWait.UntilAsync(async () => await grain.NotifyAsync(8) == 0, Bound, "the lease should lapse");
        Assert.Equal(0, await grain.NotifyAsync(9));

        // Renewing brings it back.
        await grain.SubscribeAsync(reference);
        Assert.Equal(1, await grain.NotifyAsync(10));
        await TestWait.UntilAsync(() => observer.Values.Contains(10), Bound);
        Assert.DoesNotContain(9, observer.Values);
    }

    [Fact]
    public async Task Observer_created_on_one_silo_is_called_by_a_grain_on_another()
    {
        var observer = new CountingObserver();
        var reference = Cluster.Silos[1].GrainFactory.CreateObjectReference<INumberObserver>(observer);
        var notifier = Cluster.Silos[2].GrainFactory.GetGrain<INotifierGrain>(Keys.New());

        await notifier.SubscribeAsync(reference);
        await notifier.PublishAsync(50);

        await TestWait.UntilAsync(() => observer.Values.Count == 50, Bound);
        Assert.Equal(Enumerable.Range(1, 50), observer.Values);
    }

    [Fact]
    public async Task Client_calls_grains_through_a_gateway()
    {
        await using var client = await Cluster.CreateClientAsync();
        var key = Keys.New();

        Assert.Equal(5, await client.GrainFactory.GetGrain<IPlacedGrain>(key).AddAsync(5));
        Assert.Equal(5, await Cluster.Silos[2].GrainFactory.GetGrain<IPlacedGrain>(key).GetAsync());
        Assert.NotNull(client.Client.CurrentGateway);
    }

    internal sealed class CountingObserver : INumberObserver
    {
        private readonly Lock gate = new();
        private readonly List<int> values = [];

        public List<int> Values
        {
            get
            {
                lock (gate)
                {
                    return [.. values];
                }
            }
        }

        public Task OnNumberAsync(int value)
        {
            lock (gate)
            {
                values.Add(value);
            }

            return Task.CompletedTask;
        }
    }
}
