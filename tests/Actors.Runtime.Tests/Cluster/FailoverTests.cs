using System.Collections.Concurrent;
using Actors.Runtime.Membership;
using Actors.Runtime.Testing;
using Actors.Runtime.Tests.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Actors.Runtime.Tests.Cluster;

/// <summary>Each test owns its cluster: these tests kill or stop silos.</summary>
public sealed class FailoverTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private static async Task<string> OwnerNameAsync(TestCluster cluster, string key) =>
        await cluster.Primary.GrainFactory.GetGrain<IPlacedGrain>(key).WhereAsync();

    [Fact]
    public async Task Killing_a_silo_under_write_load_loses_no_acknowledged_write_and_its_grains_move_to_survivors()
    {
        var connectionString = PostgresTestServer.ConnectionString;
        await using var cluster = await new TestClusterBuilder().WithSilos(3).UsePostgresStorage(connectionString).BuildAndStartAsync();
        await cluster.WaitForStableViewAsync();
        await using var client = await cluster.CreateClientAsync();
        var victim = cluster.Silos.First(s => s.Address.ToString() != client.Client.CurrentGateway);
        var keys = Enumerable.Range(0, 24).Select(_ => Keys.New("load")).ToList();
        var acknowledged = new ConcurrentDictionary<string, int>();
        var failures = new ConcurrentBag<Exception>();
        var movedKey = await FindKeyOnAsync(cluster, victim);
        Assert.Equal(5, await client.GrainFactory.GetGrain<IPlacedGrain>(movedKey).AddAsync(5));

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(40));
        var writers = Enumerable.Range(0, 6).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 20_000 && !stop.IsCancellationRequested; i++)
            {
                var key = keys[(w * 7 + i) % keys.Count];
                try
                {
                    await client.GrainFactory.GetGrain<IPlacedGrain>(key).AddAsync(1).WaitAsync(Bound);
                    acknowledged.AddOrUpdate(key, 1, (_, n) => n + 1);
                }
                catch (Exception exception) when (exception is SiloUnavailableException or InconsistentStateException or TimeoutException or GrainRoutingException)
                {
                    failures.Add(exception);
                }
            }
        })).ToList();

        await TestWait.UntilAsync(() => acknowledged.Values.Sum() >= 60, Bound, "load should be running before the kill");
        await victim.KillAsync();

        // Failover: the survivors declare the victim dead and take over its grains, under load.
        await TestWait.UntilAsync(() => cluster.Silos.Where(s => !s.IsStopped).All(s => s.ActiveSilos.Count == 2), Bound);
        var afterFailover = acknowledged.Values.Sum();
        await TestWait.UntilAsync(() => acknowledged.Values.Sum() >= afterFailover + 100, Bound, "writes should succeed again after failover");
        await stop.CancelAsync();
        await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(60));

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        foreach (var key in keys)
        {
            await using var command = new NpgsqlCommand(
                "select (state->>'total')::int from actors_grain_state where grain_type = 'placed' and grain_key = @k", connection);
            command.Parameters.AddWithValue("k", key);
            var stored = (int?)await command.ExecuteScalarAsync() ?? 0;
            Assert.True(stored >= acknowledged.GetValueOrDefault(key), $"{key}: stored {stored} < acknowledged {acknowledged.GetValueOrDefault(key)}");
        }

        // The victim's grain now lives on a survivor, with its state.
        Assert.Equal(5, await client.GrainFactory.GetGrain<IPlacedGrain>(movedKey).GetAsync().WaitAsync(Bound));
        Assert.NotEqual(victim.Name, await client.GrainFactory.GetGrain<IPlacedGrain>(movedKey).WhereAsync());
    }

    [Fact]
    public async Task Graceful_stop_under_load_fails_no_call()
    {
        await using var cluster = await new TestClusterBuilder().WithSilos(3).BuildAndStartAsync();
        await cluster.WaitForStableViewAsync();
        await using var client = await cluster.CreateClientAsync();
        var leaving = cluster.Silos.Last(s => s.Address.ToString() != client.Client.CurrentGateway);
        var keys = Enumerable.Range(0, 24).Select(_ => Keys.New("graceful")).ToList();
        var failures = new ConcurrentBag<Exception>();
        var calls = 0;

        var writers = Enumerable.Range(0, 6).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 80; i++)
            {
                try
                {
                    await client.GrainFactory.GetGrain<IPlacedGrain>(keys[(w * 5 + i) % keys.Count]).AddAsync(1).WaitAsync(Bound);
                    Interlocked.Increment(ref calls);
                }
                catch (Exception exception)
                {
                    failures.Add(exception);
                }
            }
        })).ToList();

        await TestWait.UntilAsync(() => Volatile.Read(ref calls) >= 40, Bound);
        await leaving.StopAsync();
        await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Empty(failures);
        Assert.Equal(480, calls);
        var total = 0;
        foreach (var key in keys)
        {
            total += await client.GrainFactory.GetGrain<IPlacedGrain>(key).GetAsync();
        }

        Assert.Equal(480, total);
    }

    [Fact]
    public async Task Graceful_stop_of_the_clients_gateway_under_load_fails_no_call()
    {
        await using var cluster = await new TestClusterBuilder().WithSilos(3).BuildAndStartAsync();
        await cluster.WaitForStableViewAsync();
        await using var client = await cluster.CreateClientAsync();
        var gateway = cluster.Silos.Single(s => s.Address.ToString() == client.Client.CurrentGateway);
        var gatewayAddress = gateway.Address.ToString();
        var keys = Enumerable.Range(0, 24).Select(_ => Keys.New("gw")).ToList();
        var failures = new ConcurrentBag<Exception>();
        var calls = 0;

        var writers = Enumerable.Range(0, 6).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 80; i++)
            {
                try
                {
                    await client.GrainFactory.GetGrain<IPlacedGrain>(keys[(w * 5 + i) % keys.Count]).AddAsync(1).WaitAsync(Bound);
                    Interlocked.Increment(ref calls);
                }
                catch (Exception exception)
                {
                    failures.Add(exception);
                }
            }
        })).ToList();

        await TestWait.UntilAsync(() => Volatile.Read(ref calls) >= 40, Bound);
        await gateway.StopAsync();
        await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Empty(failures);
        Assert.NotEqual(gatewayAddress, client.Client.CurrentGateway);
    }

    [Fact]
    public async Task Reminders_fire_on_a_survivor_after_their_silo_dies()
    {
        await using var cluster = await new TestClusterBuilder().WithSilos(3).BuildAndStartAsync();
        await cluster.WaitForStableViewAsync();
        var victim = cluster.Silos[1];
        var key = await FindKeyOnAsync(cluster, victim);
        var probe = Probe.For(key);

        await cluster.Primary.GrainFactory.GetGrain<IPlacedGrain>(key).StartReminderAsync(TimeSpan.FromMilliseconds(200));
        await TestWait.UntilAsync(() => probe.Events.Contains($"reminder:tick:{victim.Name}"), Bound);
        await victim.KillAsync();

        await TestWait.UntilAsync(() => probe.Events.Any(e => e.StartsWith("reminder:tick:", StringComparison.Ordinal) && !e.EndsWith(victim.Name, StringComparison.Ordinal)), Bound,
            "the reminder should move to a survivor");
    }

    [Fact]
    public async Task Client_moves_to_another_gateway_when_its_gateway_dies()
    {
        await using var cluster = await new TestClusterBuilder().WithSilos(3).BuildAndStartAsync();
        await cluster.WaitForStableViewAsync();
        await using var client = await cluster.CreateClientAsync();
        var grain = client.GrainFactory.GetGrain<IPlacedGrain>(Keys.New());
        await grain.AddAsync(1);
        var first = client.Client.CurrentGateway;

        await cluster.Silos.Single(s => s.Address.ToString() == first).KillAsync();

        await TestWait.UntilAsync(async () =>
        {
            try
            {
                await grain.AddAsync(1).WaitAsync(TimeSpan.FromSeconds(5));
                return true;
            }
            catch (Exception exception) when (exception is SiloUnavailableException or TimeoutException or GrainRoutingException)
            {
                return false;
            }
        }, Bound, "calls should succeed through another gateway");
        Assert.NotEqual(first, client.Client.CurrentGateway);
    }

    [Fact]
    public async Task Silo_declared_dead_while_alive_stops_itself()
    {
        await using var cluster = await new TestClusterBuilder().WithSilos(2).BuildAndStartAsync();
        await cluster.WaitForStableViewAsync();
        var victim = cluster.Silos[1];
        var lifetime = victim.Services.GetRequiredService<IHostApplicationLifetime>();

        var snapshot = await cluster.MembershipTable.ReadAllAsync(default);
        var row = snapshot.Entries.Single(e => e.Entry.Address == victim.Address);
        Assert.True(await cluster.MembershipTable.UpdateRowAsync(row.Entry with { Status = SiloStatus.Dead }, row.ETag, snapshot.Version, default));

        await TestWait.UntilAsync(() => lifetime.ApplicationStopping.IsCancellationRequested, Bound, "the zombie should stop itself");
        await TestWait.UntilAsync(() => cluster.Primary.ActiveSilos.Count == 1, Bound);

        // Its grains are served by the survivor.
        var key = Keys.New();
        Assert.Equal(cluster.Primary.Name, await cluster.Primary.GrainFactory.GetGrain<IPlacedGrain>(key).WhereAsync());
    }

    [Fact]
    public async Task Silos_joining_at_the_same_time_all_become_active_despite_table_conflicts()
    {
        await using var cluster = await new TestClusterBuilder().WithSilos(1).BuildAndStartAsync();

        await cluster.StartSilosAsync(3);

        await cluster.WaitForStableViewAsync();
        Assert.Equal(4, cluster.Primary.ActiveSilos.Count);
        var snapshot = await cluster.MembershipTable.ReadAllAsync(default);
        Assert.All(snapshot.Entries, e => Assert.Equal(SiloStatus.Active, e.Entry.Status));
    }

    private static async Task<string> FindKeyOnAsync(TestCluster cluster, TestSilo silo)
    {
        for (var i = 0; i < 500; i++)
        {
            var key = Keys.New();
            if (await OwnerNameAsync(cluster, key) == silo.Name)
            {
                return key;
            }
        }

        throw new InvalidOperationException("No key landed on " + silo.Name);
    }
}
