using Actors.Runtime.Testing;
using static Actors.Grains.Tests.Sessions.SessionTestKit;

namespace Actors.Grains.Tests.Sessions;

[Collection(DomainCollection.Name)]
public sealed class SessionPresenceTests(DomainClusterFixture fixture)
{
    private (RecordingObserver Observer, ISessionObserver Reference) NewObserver()
    {
        var observer = new RecordingObserver();
        return (observer, fixture.Grains.CreateObjectReference<ISessionObserver>(observer));
    }

    private static Task UntilAsync(Func<bool> condition, string because) => TestWait.UntilAsync(condition, Bound, because);

    [Fact]
    public async Task Connections_are_aggregated_per_user_and_joins_and_count_changes_are_pushed_at_once()
    {
        var (session, _, owner) = await CreateAsync(fixture.Grains, Visibility.Public);
        var (observer, reference) = NewObserver();
        await session.SubscribeAsync("node-a", reference);
        var guest = Ids.New("guest");

        var join = await session.ConnectAsync(owner, "Olive Owner", "c-owner-1", "node-a", null);
        await UntilAsync(() => observer.Presence.Count == 1, "the owner's join should be pushed");
        await session.ConnectAsync(owner, "Olive Owner", "c-owner-2", "node-b", null);
        await session.ConnectAsync(guest, "Gus Guest", "c-guest", "node-a", null);
        await UntilAsync(() => observer.Presence.Count == 3, "the second connection and the guest should be pushed");

        Assert.Equal(new PresenceEntry(owner, "Olive Owner", UserPresence.Online, 1, null), join.Presence.Items.Single());
        var diffs = observer.Presence.ToList();
        Assert.Equal(owner, diffs[0].Joined.Single().UserId);
        Assert.Equal(2, diffs[1].Updated.Single().Connections);
        Assert.Equal("Gus Guest", diffs[2].Joined.Single().DisplayName);
        var snapshot = await session.GetPresenceAsync(Ids.New("anyone"));
        Assert.Equal(2, snapshot.Items.Single(e => e.UserId == owner).Connections);
        Assert.Equal(1, snapshot.Items.Single(e => e.UserId == guest).Connections);
        Assert.All(snapshot.Items, e => Assert.Equal(UserPresence.Online, e.Status));
    }

    [Fact]
    public async Task An_explicit_leave_removes_the_connection_at_once_and_pushes_left_for_the_users_last_connection()
    {
        var (session, _, owner) = await CreateAsync(fixture.Grains);
        var (observer, reference) = NewObserver();
        await session.SubscribeAsync("node-a", reference);
        await session.ConnectAsync(owner, "Owner", "c1", "node-a", null);
        await session.ConnectAsync(owner, "Owner", "c2", "node-a", null);

        await session.DisconnectAsync("c1");
        Assert.Equal(1, (await session.GetPresenceAsync(owner)).Items.Single().Connections);
        await session.DisconnectAsync("c2");
        Assert.Empty((await session.GetPresenceAsync(owner)).Items);
        await session.DisconnectAsync("c2");

        await UntilAsync(() => observer.Presence.Count == 4, "join, update, update and left should be pushed");
        var diffs = observer.Presence.ToList();
        Assert.Equal(1, diffs[2].Updated.Single().Connections);
        Assert.Equal([owner], diffs[3].Left.ToArray());
        Assert.Empty(diffs[3].Joined);
    }

    [Fact]
    public async Task Meta_updates_are_coalesced_to_one_push_per_interval_carrying_the_latest_meta()
    {
        var (session, _, owner) = await CreateAsync(fixture.Grains);
        var (observer, reference) = NewObserver();
        await session.SubscribeAsync("node-a", reference);
        await session.ConnectAsync(owner, "Owner", "c1", "node-a", null);
        await UntilAsync(() => observer.Presence.Count == 1, "the join should be pushed");

        await session.SetPresenceMetaAsync("c1", Json("""{"x":1}"""));
        await session.SetPresenceMetaAsync("c1", Json("""{"x":2}"""));
        await session.SetPresenceMetaAsync("c1", Json("""{"x":3}"""));
        await UntilAsync(() => observer.Presence.Count == 2, "the first update goes out at once");
        Assert.Equal(3, (await session.GetPresenceAsync(owner)).Items.Single().Meta!.Value.GetProperty("x").GetInt32());
        Assert.Equal(2, observer.Presence.Count);

        fixture.Time.Advance(TimeSpan.FromMilliseconds(50));
        await UntilAsync(() => observer.Presence.Count == 3, "the rest are flushed together after 50 ms");

        var diffs = observer.Presence.ToList();
        Assert.Equal(1, diffs[1].Updated.Single().Meta!.Value.GetProperty("x").GetInt32());
        Assert.Equal(3, diffs[2].Updated.Single().Meta!.Value.GetProperty("x").GetInt32());
        fixture.Time.Advance(TimeSpan.FromMilliseconds(100));
        await session.GetPresenceAsync(owner);
        Assert.Equal(3, observer.Presence.Count);
    }

    [Fact]
    public async Task An_entry_shows_the_meta_and_name_of_the_users_most_recently_active_connection()
    {
        var (session, _, owner) = await CreateAsync(fixture.Grains);
        await session.ConnectAsync(owner, "Laptop", "c1", "node-a", null);
        await session.ConnectAsync(owner, "Phone", "c2", "node-a", null);

        Assert.Equal("Phone", (await session.GetPresenceAsync(owner)).Items.Single().DisplayName);
        await session.SetPresenceMetaAsync("c1", Json("""{"cursor":[1,2]}"""));
        var entry = (await session.GetPresenceAsync(owner)).Items.Single();
        Assert.Equal("Laptop", entry.DisplayName);
        Assert.Equal("[1,2]", entry.Meta!.Value.GetProperty("cursor").GetRawText());
        await session.SetPresenceMetaAsync("c1", Json("null"));
        Assert.Null((await session.GetPresenceAsync(owner)).Items.Single().Meta);
    }

    [Fact]
    public async Task When_a_nodes_lease_lapses_its_connections_leave_and_other_nodes_are_told()
    {
        var (session, _, owner) = await CreateAsync(fixture.Grains, Visibility.Public);
        var guest = Ids.New("guest");
        var (dying, dyingReference) = NewObserver();
        var (alive, aliveReference) = NewObserver();
        await session.SubscribeAsync("node-dying", dyingReference);
        await session.SubscribeAsync("node-alive", aliveReference);
        await session.ConnectAsync(owner, "Owner", "c-owner-dying", "node-dying", null);
        await session.ConnectAsync(owner, "Owner", "c-owner-alive", "node-alive", null);
        await session.ConnectAsync(guest, "Guest", "c-guest-dying", "node-dying", null);
        await UntilAsync(() => alive.Presence.Count == 3, "the connects should be pushed");

        // The alive node renews within its lease; the dying one does not.
        fixture.Time.Advance(TimeSpan.FromSeconds(20));
        await session.SubscribeAsync("node-alive", aliveReference);
        fixture.Time.Advance(TimeSpan.FromSeconds(11));

        await UntilAsync(() => alive.Presence.Count == 4, "the lapse should be pushed to the alive node");
        var lapse = alive.Presence.Last();
        Assert.Equal([guest], lapse.Left.ToArray());
        Assert.Equal(owner, lapse.Updated.Single().UserId);
        Assert.Equal(1, lapse.Updated.Single().Connections);
        var snapshot = await session.GetPresenceAsync(owner);
        Assert.Equal(owner, snapshot.Items.Single().UserId);
        Assert.Equal(1, snapshot.Items.Single().Connections);

        // The lapsed node gets nothing more.
        var dyingCount = dying.Presence.Count;
        await session.PublishAsync(owner, "note", Payload(1), null);
        await UntilAsync(() => alive.Events.Any(), "the alive node still gets events");
        Assert.Empty(dying.Events);
        Assert.Equal(dyingCount, dying.Presence.Count);
    }

    [Fact]
    public async Task A_connection_made_through_a_node_that_never_subscribes_leaves_when_the_lease_runs_out()
    {
        var (session, _, owner) = await CreateAsync(fixture.Grains);
        await session.ConnectAsync(owner, "Owner", "c1", "node-silent", null);

        fixture.Time.Advance(TimeSpan.FromSeconds(29));
        Assert.Single((await session.GetPresenceAsync(owner)).Items);
        fixture.Time.Advance(TimeSpan.FromSeconds(2));

        await TestWait.UntilAsync(async () => (await session.GetPresenceAsync(owner)).Items.Length == 0, Bound, "the connection should leave");
    }

    [Fact]
    public async Task Removing_a_member_of_a_private_session_ends_their_presence()
    {
        var (session, _, owner) = await CreateAsync(fixture.Grains);
        var member = Ids.New("member");
        await session.SetMemberAsync(owner, member, SessionRoles.Member);
        var (observer, reference) = NewObserver();
        await session.SubscribeAsync("node-a", reference);
        await session.ConnectAsync(member, "Member", "c-member", "node-a", null);

        await session.RemoveMemberAsync(owner, member);

        Assert.Empty((await session.GetPresenceAsync(owner)).Items);
        await UntilAsync(() => observer.Presence.Any(d => d.Left.Contains(member)), "left should be pushed");
        await ThrowsCodeAsync(ErrorCodes.NotFound, () => session.ConnectAsync(member, "Member", "c-again", "node-a", null));
    }
}
