using System.Collections.Concurrent;
using Actors.Runtime.Testing;
using static Actors.Grains.Tests.Sessions.SessionTestKit;

namespace Actors.Grains.Tests.Sessions;

[Collection(DomainCollection.Name)]
public sealed class SessionEventLogTests(DomainClusterFixture fixture)
{
    [Fact]
    public async Task Fifty_concurrent_publishers_get_consecutive_seqs_that_match_the_stored_events()
    {
        var (session, _, owner) = await CreateAsync(fixture.Grains);
        var acks = new ConcurrentDictionary<int, PublishResult>();

        await Task.WhenAll(Enumerable.Range(0, 50).Select(publisher => Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++)
            {
                var n = publisher * 1000 + i;
                acks[n] = await session.PublishAsync(owner, "chat.message", Payload(n), clientMsgId: null);
            }
        })));

        var events = await ReadAllAsync(session, owner);
        Assert.Equal(Enumerable.Range(1, 1001).Select(i => (long)i), events.Select(e => e.Seq));
        Assert.Equal(SystemEvents.MemberJoined, events[0].Type);
        var bySeq = events.ToDictionary(e => e.Seq);
        Assert.Equal(1000, acks.Count);
        Assert.Equal(1000, acks.Values.Select(a => a.Seq).Distinct().Count());
        foreach (var (n, ack) in acks)
        {
            Assert.False(ack.Duplicate);
            var stored = bySeq[ack.Seq];
            Assert.Equal(n, stored.Payload.GetProperty("n").GetInt32());
            Assert.Equal(ack.At, stored.At);
            Assert.Equal(owner, stored.AuthorId);
        }

        // Each publisher's own events are in the order it published them.
        foreach (var publisher in Enumerable.Range(0, 50))
        {
            var seqs = Enumerable.Range(0, 20).Select(i => acks[publisher * 1000 + i].Seq).ToList();
            Assert.Equal(seqs.Order(), seqs);
        }
    }

    [Fact]
    public async Task Concurrent_publishes_are_committed_in_batches_fewer_than_the_publishes()
    {
        var (session, _, owner) = await CreateAsync(fixture.Grains);
        var store = Store(fixture.Cluster);
        var commitsBefore = store.Commits;

        await Task.WhenAll(Enumerable.Range(0, 400).Select(n => session.PublishAsync(owner, "load", Payload(n), null)));

        var commits = store.Commits - commitsBefore;
        Assert.InRange(commits, 1, 399);
        Assert.Equal(401, (await session.GetAsync(owner)).LastSeq);
    }

    [Fact]
    public async Task Publishing_the_same_clientMsgId_again_returns_the_original_seq_as_a_duplicate()
    {
        var (session, _, owner) = await CreateAsync(fixture.Grains);

        var first = await session.PublishAsync(owner, "chat.message", Payload(1), "msg-1");
        var again = await session.PublishAsync(owner, "chat.message", Payload(1), "msg-1");
        var other = await session.PublishAsync(owner, "chat.message", Payload(2), "msg-2");

        Assert.False(first.Duplicate);
        Assert.True(again.Duplicate);
        Assert.Equal(first.Seq, again.Seq);
        Assert.Equal(first.At, again.At);
        Assert.Equal(first.Seq + 1, other.Seq);
        Assert.Equal(3, (await ReadAllAsync(session, owner)).Count);
    }

    [Fact]
    public async Task Concurrent_publishes_with_one_clientMsgId_store_one_event_and_all_get_its_seq()
    {
        var (session, _, owner) = await CreateAsync(fixture.Grains);

        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(n =>
            session.PublishAsync(owner, "chat.message", Payload(n % 2), n % 2 == 0 ? "same-a" : "same-b")));

        foreach (var group in results.GroupBy(r => r.Seq))
        {
            Assert.Single(group, r => !r.Duplicate);
        }

        Assert.Equal(2, results.Select(r => r.Seq).Distinct().Count());
        var events = await ReadAllAsync(session, owner);
        Assert.Equal([1L, 2L, 3L], events.Select(e => e.Seq));
    }

    [Fact]
    public async Task A_clientMsgId_from_before_a_deactivation_is_recognised_through_the_stored_log()
    {
        var (session, id, owner) = await CreateAsync(fixture.Grains);
        var first = await session.PublishAsync(owner, "chat.message", Payload(1), "before-sleep");
        await DeactivateAsync(fixture.Cluster, id);

        // The new activation's memory is empty: the unique constraint answers, in a batch with a fresh event.
        var results = await Task.WhenAll(
            session.PublishAsync(owner, "chat.message", Payload(1), "before-sleep"),
            session.PublishAsync(owner, "chat.message", Payload(2), "after-sleep"));

        Assert.True(results[0].Duplicate);
        Assert.Equal(first.Seq, results[0].Seq);
        Assert.Equal(first.At, results[0].At);
        Assert.False(results[1].Duplicate);
        Assert.Equal(first.Seq + 1, results[1].Seq);
        Assert.Equal([1L, 2L, 3L], (await ReadAllAsync(session, owner)).Select(e => e.Seq));
    }

    [Fact]
    public async Task Acknowledged_events_survive_deactivation_and_the_next_seq_continues()
    {
        var (session, id, owner) = await CreateAsync(fixture.Grains);
        var acks = await Task.WhenAll(Enumerable.Range(0, 10).Select(n => session.PublishAsync(owner, "note", Payload(n), null)));

        await DeactivateAsync(fixture.Cluster, id);

        var events = await ReadAllAsync(session, owner);
        Assert.Equal(Enumerable.Range(1, 11).Select(i => (long)i), events.Select(e => e.Seq));
        Assert.All(acks, ack => Assert.Contains(events, e => e.Seq == ack.Seq));
        Assert.Equal(12, (await session.PublishAsync(owner, "note", Payload(99), null)).Seq);
    }

    [Fact]
    public async Task A_second_cluster_on_the_same_database_reads_the_log_and_writers_never_reuse_a_seq()
    {
        var (session, id, owner) = await CreateAsync(fixture.Grains);
        await session.PublishAsync(owner, "note", Payload(1), null);

        await using var other = await new TestClusterBuilder()
            .UseManualTime(new ManualTimeProvider(DateTimeOffset.UtcNow))
            .UsePostgresStorage(fixture.ConnectionString)
            .ConfigureSilo(silo => silo.AddDomain(o => o.ConnectionString = fixture.ConnectionString))
            .BuildAndStartAsync();
        var elsewhere = other.GrainFactory.GetGrain<ISessionGrain>(id);

        Assert.Equal([1L, 2L], (await ReadAllAsync(elsewhere, owner)).Select(e => e.Seq));
        Assert.Equal(3, (await elsewhere.PublishAsync(owner, "note", Payload(2), null)).Seq);

        // The first activation still believes the log ends at 2: the seq collision makes it reload and take 4.
        Assert.Equal(4, (await session.PublishAsync(owner, "note", Payload(3), null)).Seq);
        Assert.Equal([1L, 2L, 3L, 4L], (await ReadAllAsync(session, owner)).Select(e => e.Seq));
    }

    [Fact]
    public async Task Reading_from_any_seq_returns_exactly_the_events_after_it()
    {
        var (session, _, owner) = await CreateAsync(fixture.Grains);
        await Task.WhenAll(Enumerable.Range(0, 30).Select(n => session.PublishAsync(owner, "note", Payload(n), null)));

        for (long after = 0; after <= 32; after++)
        {
            var page = await session.ReadEventsAsync(owner, after, 1000);
            Assert.Equal(31, page.LastSeq);
            Assert.False(page.Gap);
            Assert.Equal(Enumerable.Range((int)after + 1, Math.Max(0, 31 - (int)after)).Select(i => (long)i), page.Items.Select(e => e.Seq));
        }

        var small = await session.ReadEventsAsync(owner, 10, 5);
        Assert.Equal([11L, 12L, 13L, 14L, 15L], small.Items.Select(e => e.Seq));
        Assert.False(small.Gap);

        var connection = Ids.New("conn");
        var join = await session.ConnectAsync(owner, "Owner", connection, "node-a", 25);
        Assert.Equal([26L, 27L, 28L, 29L, 30L, 31L], join.Events.Select(e => e.Seq));
        Assert.Equal(31, join.LastSeq);
        Assert.False(join.Gap);
        await session.DisconnectAsync(connection);
    }

    [Fact]
    public async Task A_page_cut_at_the_thousand_event_cap_reports_a_gap()
    {
        var (session, _, owner) = await CreateAsync(fixture.Grains);
        await Task.WhenAll(Enumerable.Range(0, 1100).Select(n => session.PublishAsync(owner, "note", Payload(n), null)));

        var page = await session.ReadEventsAsync(owner, 0, 5000);
        Assert.Equal(1000, page.Items.Length);
        Assert.Equal(1101, page.LastSeq);
        Assert.True(page.Gap);

        var rest = await session.ReadEventsAsync(owner, 1000, 1000);
        Assert.Equal(101, rest.Items.Length);
        Assert.False(rest.Gap);

        var fresh = await session.ConnectAsync(owner, "Owner", Ids.New("conn"), "node-a", afterSeq: null);
        Assert.Equal(Enumerable.Range(102, 1000).Select(i => (long)i), fresh.Events.Select(e => e.Seq));
        Assert.True(fresh.Gap);
    }
}
