using System.Collections.Concurrent;
using Actors.Grains.Sessions;
using Actors.Runtime.Testing;
using Microsoft.Extensions.DependencyInjection;
using static Actors.Grains.Tests.Sessions.SessionTestKit;

namespace Actors.Grains.Tests.Sessions;

/// <summary>Tests that own a cluster (a short retention, or silos to kill), on the fixture's database.</summary>
[Collection(DomainCollection.Name)]
public sealed class SessionRetentionAndFailoverTests(DomainClusterFixture fixture)
{
    [Fact]
    public async Task Events_past_retention_are_trimmed_keeping_the_last_and_readers_behind_them_get_a_gap()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var cluster = await new TestClusterBuilder()
            .UseManualTime(time)
            .UsePostgresStorage(fixture.ConnectionString)
            .ConfigureSilo(silo => silo.AddDomain(o =>
            {
                o.ConnectionString = fixture.ConnectionString;
                o.EventRetention = TimeSpan.FromHours(1);
            }))
            .BuildAndStartAsync();
        var (session, id, owner) = await CreateAsync(cluster.GrainFactory);
        for (var n = 0; n < 5; n++)
        {
            await session.PublishAsync(owner, "note", Payload(n), null);
        }

        Assert.False((await session.ReadEventsAsync(owner, 0, 100)).Gap);

        time.Advance(TimeSpan.FromHours(2));
        await TestWait.UntilAsync(async () => (await session.ReadEventsAsync(owner, 0, 100)).Gap, Bound, "retention should trim the old events");

        var fromStart = await session.ReadEventsAsync(owner, 0, 100);
        Assert.Equal([6L], fromStart.Items.Select(e => e.Seq));
        Assert.Equal(6, fromStart.LastSeq);
        Assert.True((await session.ReadEventsAsync(owner, 4, 100)).Gap);
        var caughtUp = await session.ReadEventsAsync(owner, 5, 100);
        Assert.False(caughtUp.Gap);
        Assert.Equal([6L], caughtUp.Items.Select(e => e.Seq));

        // The last seq survived the trim: the log continues without reusing a seq.
        Assert.Equal(7, (await session.PublishAsync(owner, "note", Payload(6), null)).Seq);
        Assert.Equal([6L, 7L], (await session.ReadEventsAsync(owner, 5, 100)).Items.Select(e => e.Seq));
        var resumeTooOld = await session.ConnectAsync(owner, "Owner", Ids.New("conn"), "node-a", 2);
        Assert.True(resumeTooOld.Gap);
        Assert.Equal([6L, 7L], resumeTooOld.Events.Select(e => e.Seq));
        var fresh = await session.ConnectAsync(owner, "Owner", Ids.New("conn"), "node-a", null);
        Assert.True(fresh.Gap);
        Assert.Equal([6L, 7L], fresh.Events.Select(e => e.Seq));

        var bounds = await Store(cluster).GetBoundsAsync(id);
        Assert.Equal(6, bounds.FirstSeq);
        Assert.Equal(7, bounds.LastSeq);
    }

    [Fact]
    public async Task Killing_the_silo_that_owns_a_session_loses_no_acknowledged_event_and_seqs_continue_on_the_survivor()
    {
        await using var cluster = await new TestClusterBuilder()
            .WithSilos(2)
            .UsePostgresStorage(fixture.ConnectionString)
            .ConfigureSilo(silo => silo.AddDomain(o => o.ConnectionString = fixture.ConnectionString))
            .BuildAndStartAsync();
        await cluster.WaitForStableViewAsync();
        var (session, id, owner) = await CreateAsync(cluster.GrainFactory);
        var acked = new ConcurrentBag<PublishResult>();
        await Task.WhenAll(Enumerable.Range(0, 10).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++)
            {
                acked.Add(await session.PublishAsync(owner, "load", Payload(w * 100 + i), null));
            }
        })));

        var victim = cluster.Silos.Single(s => s.IsActive(SessionGrainId(id)));
        var survivor = cluster.Silos.Single(s => s != victim);
        await victim.KillAsync();
        await TestWait.UntilAsync(() => survivor.ActiveSilos.Count == 1, Bound, "the survivor should declare the victim dead");

        var onSurvivor = survivor.GrainFactory.GetGrain<ISessionGrain>(id);
        List<SessionEvent>? events = null;
        await TestWait.UntilAsync(async () =>
        {
            try
            {
                events = await ReadAllAsync(onSurvivor, owner);
                return true;
            }
            catch (Exception e) when (e is SiloUnavailableException or TimeoutException or GrainRoutingException)
            {
                return false;
            }
        }, Bound, "the session should come back on the survivor");

        Assert.Equal(Enumerable.Range(1, 201).Select(i => (long)i), events!.Select(e => e.Seq));
        Assert.All(acked, ack => Assert.Contains(events!, e => e.Seq == ack.Seq));
        Assert.Equal(202, (await onSurvivor.PublishAsync(owner, "load", Payload(-1), null)).Seq);
        Assert.True(survivor.IsActive(SessionGrainId(id)));
    }

    [Fact]
    public async Task Without_a_connection_string_the_domain_runs_its_event_log_in_memory()
    {
        await using var cluster = await new TestClusterBuilder()
            .UseManualTime(new ManualTimeProvider(DateTimeOffset.UtcNow))
            .ConfigureSilo(silo => silo.AddDomain())
            .BuildAndStartAsync();
        Assert.IsType<InMemorySessionEventStore>(cluster.Services.GetRequiredService<ISessionEventStore>());

        var (session, _, owner) = await CreateAsync(cluster.GrainFactory);
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(n => session.PublishAsync(owner, "note", Payload(n), n % 4 == 0 ? "dup" : null)));

        Assert.Equal(16, results.Select(r => r.Seq).Distinct().Count());
        Assert.Equal(Enumerable.Range(1, 17).Select(i => (long)i), (await ReadAllAsync(session, owner)).Select(e => e.Seq));
    }
}
