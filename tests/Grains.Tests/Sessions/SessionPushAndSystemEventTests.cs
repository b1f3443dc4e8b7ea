using Actors.Runtime.Testing;
using static Actors.Grains.Tests.Sessions.SessionTestKit;

namespace Actors.Grains.Tests.Sessions;

[Collection(DomainCollection.Name)]
public sealed class SessionPushAndSystemEventTests(DomainClusterFixture fixture)
{
    [Fact]
    public async Task Subscribed_nodes_receive_every_event_once_in_seq_order_without_gaps_between_pushes()
    {
        var (session, _, owner) = await CreateAsync(fixture.Grains);
        var nodes = Enumerable.Range(0, 3).Select(_ => new RecordingObserver()).ToList();
        for (var i = 0; i < nodes.Count; i++)
        {
            await session.SubscribeAsync($"node-{i}", fixture.Grains.CreateObjectReference<ISessionObserver>(nodes[i]));
        }

        var acks = await Task.WhenAll(Enumerable.Range(0, 300).Select(n => session.PublishAsync(owner, "note", Payload(n), null)));

        foreach (var node in nodes)
        {
            await TestWait.UntilAsync(() => node.Events.Count() == 300, Bound, "every event should be pushed");
            Assert.Equal(Enumerable.Range(2, 300).Select(i => (long)i), node.Events.Select(e => e.Seq));
            var previous = 1L;
            foreach (var batch in node.Batches)
            {
                Assert.Equal(previous + 1, batch[0].Seq);
                previous = batch[^1].Seq;
            }

            var bySeq = node.Events.ToDictionary(e => e.Seq);
            Assert.All(acks, ack => Assert.Equal(ack.At, bySeq[ack.Seq].At));
        }

        Assert.True(nodes[0].Batches.Count < 300, "pushes follow commits, which are batched");
    }

    [Fact]
    public async Task A_node_that_subscribed_later_or_renewed_still_gets_each_event_once()
    {
        var (session, _, owner) = await CreateAsync(fixture.Grains);
        await session.PublishAsync(owner, "note", Payload(1), null);
        var node = new RecordingObserver();
        var reference = fixture.Grains.CreateObjectReference<ISessionObserver>(node);

        await session.SubscribeAsync("node-a", reference);
        await session.SubscribeAsync("node-a", reference);
        await session.PublishAsync(owner, "note", Payload(2), null);
        await session.SubscribeAsync("node-a", reference);
        await session.PublishAsync(owner, "note", Payload(3), null);
        await session.UnsubscribeAsync("node-a");
        await session.PublishAsync(owner, "note", Payload(4), null);
        await session.SubscribeAsync("node-a", reference);
        var last = await session.PublishAsync(owner, "note", Payload(5), null);

        await TestWait.UntilAsync(() => node.Events.Any(e => e.Seq == last.Seq), Bound, "the last event should be pushed");
        Assert.Equal([3L, 4L, 6L], node.Events.Select(e => e.Seq));
    }

    [Fact]
    public async Task Closing_appends_session_closed_pushes_it_and_then_tells_nodes_the_session_closed()
    {
        var (session, _, owner) = await CreateAsync(fixture.Grains);
        var node = new RecordingObserver();
        await session.SubscribeAsync("node-a", fixture.Grains.CreateObjectReference<ISessionObserver>(node));

        await session.CloseAsync(owner);

        await TestWait.UntilAsync(() => node.Closed == 1, Bound, "OnClosed should be pushed");
        var closed = Assert.Single(node.Events);
        Assert.Equal(SystemEvents.SessionClosed, closed.Type);
        Assert.Equal(owner, closed.AuthorId);
        Assert.Equal(2, closed.Seq);
    }

    [Fact]
    public async Task Membership_changes_and_resource_events_are_appended_to_the_log_as_system_events()
    {
        var (session, id, owner) = await CreateAsync(fixture.Grains, Visibility.Public);
        var member = Ids.New("member");
        var joiner = Ids.New("joiner");

        await session.SetMemberAsync(owner, member, SessionRoles.Viewer);
        await session.SetMemberAsync(owner, member, SessionRoles.Viewer);
        await session.SetMemberAsync(owner, member, SessionRoles.Member);
        await session.JoinAsync(joiner);
        await session.JoinAsync(joiner);
        var resource = Ids.New("res");
        await session.RegisterResourceAsync(resource);
        var appended = await session.AppendSystemEventAsync(SystemEvents.ResourceCreated, member, Json($$"""{"resourceId":"{{resource}}","version":1}"""));
        await session.RemoveMemberAsync(joiner, joiner);
        await session.RemoveMemberAsync(owner, member);
        await session.CloseAsync(owner);

        var events = await ReadAllAsync(session, owner);
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Seq));
        Assert.Equal(
            [
                $"{SystemEvents.MemberJoined} by {owner}: {{\"role\":\"owner\",\"userId\":\"{owner}\"}}",
                $"{SystemEvents.MemberJoined} by {owner}: {{\"role\":\"viewer\",\"userId\":\"{member}\"}}",
                $"{SystemEvents.MemberRoleChanged} by {owner}: {{\"role\":\"member\",\"userId\":\"{member}\",\"previousRole\":\"viewer\"}}",
                $"{SystemEvents.MemberJoined} by {joiner}: {{\"role\":\"member\",\"userId\":\"{joiner}\"}}",
                $"{SystemEvents.ResourceCreated} by {member}: {{\"version\":1,\"resourceId\":\"{resource}\"}}",
                $"{SystemEvents.MemberLeft} by {joiner}: {{\"userId\":\"{joiner}\"}}",
                $"{SystemEvents.MemberLeft} by {owner}: {{\"userId\":\"{member}\"}}",
                $"{SystemEvents.SessionClosed} by {owner}: {{\"closedBy\":\"{owner}\"}}",
            ],
            events.Select(e => $"{e.Type} by {e.AuthorId}: {e.Payload.GetRawText().Replace(" ", "", StringComparison.Ordinal)}"));
        Assert.Equal(5, appended.Seq);
        Assert.Equal([resource], (await session.ListResourceIdsAsync(owner)).ToArray());
        var view = await session.GetAsync(owner);
        Assert.Equal([new SessionMember(owner, SessionRoles.Owner)], view.Members.ToArray());
        Assert.Equal(events.Count, view.LastSeq);
        Assert.Equal(id, view.Id);
    }

    [Fact]
    public async Task Registered_resources_are_listed_until_unregistered_and_survive_reactivation()
    {
        var (session, id, owner) = await CreateAsync(fixture.Grains);
        var first = Ids.New("res");
        var second = Ids.New("res");

        await session.RegisterResourceAsync(first);
        await session.RegisterResourceAsync(second);
        await session.RegisterResourceAsync(first);
        await session.UnregisterResourceAsync(second);
        await session.UnregisterResourceAsync(Ids.New("never"));
        await DeactivateAsync(fixture.Cluster, id);

        Assert.Equal([first], (await session.ListResourceIdsAsync(owner)).ToArray());
    }

    [Fact]
    public async Task Creating_again_with_the_same_owner_returns_the_session_and_anyone_else_is_refused()
    {
        var (session, _, owner) = await CreateAsync(fixture.Grains);
        var again = await session.CreateAsync(owner, "Another title", Visibility.Public);

        Assert.Equal("Test session", again.Title);
        Assert.Equal(Visibility.Private, again.Visibility);
        Assert.Equal(1, again.LastSeq);
        await ThrowsCodeAsync(ErrorCodes.Forbidden, () => session.CreateAsync(Ids.New("thief"), "Mine", Visibility.Public));
    }
}
