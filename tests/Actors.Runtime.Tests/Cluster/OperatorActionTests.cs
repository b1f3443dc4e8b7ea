using Actors.Runtime.Management;
using Actors.Runtime.Testing;
using Actors.Runtime.Tests.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Actors.Runtime.Tests.Cluster;

[Collection(ThreeSiloCollection.Name)]
public sealed class OperatorActionTests(ThreeSiloFixture fixture)
{
    private TestCluster Cluster => fixture.Cluster;

    private IManagementGrain Management => Cluster.Primary.GrainFactory.GetGrain<IManagementGrain>(0);

    [Fact]
    public async Task Deactivating_a_grain_removes_its_activation_wherever_it_lives_and_keeps_its_state()
    {
        var key = Keys.New("deact");
        var grain = Cluster.Primary.GrainFactory.GetGrain<IPlacedGrain>(key);
        await grain.AddAsync(5);
        var id = GrainId.Create("placed", key);
        var host = Cluster.Silos.Single(s => s.IsActive(id));

        var result = await Management.DeactivateGrainAsync("placed", key);

        Assert.True(result.Deactivated);
        Assert.Equal(host.Address.ToString(), result.Silo);
        Assert.DoesNotContain(Cluster.Silos, s => s.IsActive(id));
        Assert.Equal(5, await grain.GetAsync()); // reactivated from storage
    }

    [Fact]
    public async Task Deactivating_a_grain_that_is_not_active_reports_nothing_deactivated()
    {
        var result = await Management.DeactivateGrainAsync("placed", Keys.New("never"));

        Assert.False(result.Deactivated);
        Assert.Null(result.Silo);
    }

    [Fact]
    public async Task System_grains_cannot_be_deactivated_or_read()
    {
        var result = await Management.DeactivateGrainAsync("sys.management", "0");

        Assert.False(result.Deactivated);
        Assert.Null(await Management.ReadGrainStateAsync("sys.silo", Cluster.Primary.Address.ToString()));
    }

    [Fact]
    public async Task Grain_state_is_read_from_storage_as_stored_json()
    {
        var key = Keys.New("state");
        await Cluster.Primary.GrainFactory.GetGrain<IPlacedGrain>(key).AddAsync(7);

        var report = await Management.ReadGrainStateAsync("placed", key);

        var state = Assert.Single(report!.States);
        Assert.Equal("placed", state.Name);
        Assert.True(state.Exists);
        Assert.NotNull(state.ETag);
        Assert.Contains("\"total\":7", state.Json!.Replace(" ", string.Empty, StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Grain_state_of_a_key_never_written_says_it_does_not_exist_and_an_unknown_type_is_null()
    {
        var report = await Management.ReadGrainStateAsync("placed", Keys.New("empty"));

        var state = Assert.Single(report!.States);
        Assert.False(state.Exists);
        Assert.Null(state.Json);
        Assert.Null(await Management.ReadGrainStateAsync("no-such-type", "x"));
    }

    [Fact]
    public async Task Reminders_are_listed_from_the_reminder_table()
    {
        var key = Keys.New("remind");
        await Cluster.Primary.GrainFactory.GetGrain<IPlacedGrain>(key).StartReminderAsync(TimeSpan.FromMinutes(10));

        var listing = await Management.GetRemindersAsync(1000);

        var reminder = Assert.Single(listing.Items, r => r.GrainKey == key);
        Assert.Equal("placed", reminder.GrainType);
        Assert.Equal("tick", reminder.Name);
        Assert.Equal(600, reminder.PeriodSeconds);
    }

    [Fact]
    public async Task Warnings_logged_on_any_silo_reach_the_recent_log_with_their_source()
    {
        var marker = Keys.New("warn");
        var silo = Cluster.Silos[^1];
        var logger = silo.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Operator.Test");
#pragma warning disable CA1848, CA1873, CA2254 // A test writes one free-form entry through the real logging pipeline.
        logger.LogWarning(new EventId(77, "Test"), "something odd {Marker}", marker);
        logger.LogInformation("not kept {Marker}", marker + "-info");
#pragma warning restore CA1848, CA1873, CA2254

        var logs = await Management.GetRecentLogsAsync();

        var record = Assert.Single(logs, r => r.Message.Contains(marker, StringComparison.Ordinal));
        Assert.Equal("Warning", record.Level);
        Assert.Equal(77, record.EventId);
        Assert.Equal("Operator.Test", record.Category);
        Assert.Equal(silo.Address.ToString(), record.Source);
        Assert.DoesNotContain(logs, r => r.Message.Contains(marker + "-info", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Draining_an_unknown_silo_is_refused()
    {
        Assert.Equal(DrainOutcome.UnknownSilo, await Management.DrainSiloAsync("127.0.0.1:1@1"));
    }
}

/// <summary>Drain stops a silo for good, so it gets clusters of its own.</summary>
public sealed class DrainTests
{
    [Fact]
    public async Task Draining_a_silo_hands_its_grains_over_and_it_leaves_the_cluster()
    {
        await using var cluster = await new TestClusterBuilder().WithSilos(2).BuildAndStartAsync();
        await cluster.WaitForStableViewAsync();
        var (survivor, drained) = (cluster.Silos[0], cluster.Silos[1]);
        var keys = Enumerable.Range(0, 20).Select(_ => Keys.New("drain")).ToList();
        foreach (var key in keys)
        {
            await survivor.GrainFactory.GetGrain<IPlacedGrain>(key).AddAsync(3);
        }

        Assert.Contains(keys, k => drained.IsActive(GrainId.Create("placed", k)));

        var outcome = await survivor.GrainFactory.GetGrain<IManagementGrain>(0).DrainSiloAsync(drained.Address.ToString());

        Assert.Equal(DrainOutcome.Draining, outcome);
        await TestWait.UntilAsync(() => !survivor.ActiveSilos.Contains(drained.Address), TimeSpan.FromSeconds(20), "the drained silo leaves the view");
        foreach (var key in keys)
        {
            var grain = survivor.GrainFactory.GetGrain<IPlacedGrain>(key);
            Assert.Equal(3, await grain.GetAsync());
            Assert.Equal(survivor.Name, await grain.WhereAsync());
        }
    }

    [Fact]
    public async Task The_last_active_silo_is_never_drained()
    {
        await using var cluster = await new TestClusterBuilder().WithSilos(1).BuildAndStartAsync();
        await cluster.WaitForStableViewAsync();
        var silo = cluster.Primary;

        var outcome = await silo.GrainFactory.GetGrain<IManagementGrain>(0).DrainSiloAsync(silo.Address.ToString());

        Assert.Equal(DrainOutcome.LastActiveSilo, outcome);
        Assert.Equal("pong", await silo.GrainFactory.GetGrain<ISiloControlGrain>(silo.Address.ToString()).PingAsync("pong"));
    }
}
