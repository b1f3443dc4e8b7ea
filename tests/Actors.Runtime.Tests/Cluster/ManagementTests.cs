using Actors.Runtime.Management;
using Actors.Runtime.Tests.Grains;

namespace Actors.Runtime.Tests.Cluster;

[Collection(ThreeSiloCollection.Name)]
public sealed class ManagementTests(ThreeSiloFixture fixture)
{
    [Fact]
    public async Task Management_grain_reports_every_silo_with_activations_and_call_percentiles()
    {
        var keys = Enumerable.Range(0, 12).Select(_ => Keys.New("mgmt")).ToList();
        foreach (var key in keys)
        {
            await fixture.Cluster.Primary.GrainFactory.GetGrain<IPlacedGrain>(key).AddAsync(1);
            await fixture.Cluster.Primary.GrainFactory.GetGrain<IPlacedGrain>(key).GetAsync();
        }

        await using var client = await fixture.Cluster.CreateClientAsync();
        var stats = await client.GrainFactory.GetGrain<IManagementGrain>(0).GetClusterStatisticsAsync();

        Assert.Equal(3, stats.Silos.Length);
        Assert.All(stats.Silos, s =>
        {
            Assert.Equal("Active", s.Status);
            Assert.NotNull(s.Statistics);
            Assert.True(s.Statistics!.MemoryBytes > 0);
            Assert.True(s.Statistics.Uptime > TimeSpan.Zero);
        });
        Assert.True(stats.ActivationsByType.GetValueOrDefault("placed") >= 12);
        var adds = stats.Methods.Single(m => m.GrainType == "placed" && m.Method == nameof(IPlacedGrain.AddAsync));
        Assert.True(adds.Calls >= 12);
        Assert.True(adds.P50Ms > 0 && adds.P50Ms <= adds.P95Ms && adds.P95Ms <= adds.P99Ms);
        Assert.DoesNotContain(stats.Methods, m => m.GrainType.StartsWith("sys.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Silo_control_grain_runs_on_the_silo_its_key_names()
    {
        foreach (var silo in fixture.Cluster.Silos)
        {
            var control = fixture.Cluster.Primary.GrainFactory.GetGrain<ISiloControlGrain>(silo.Address.ToString());
            var stats = await control.GetStatisticsAsync();
            Assert.Equal(silo.Name, stats.Name);
            Assert.Equal("ping", await control.PingAsync("ping"));
        }
    }
}
