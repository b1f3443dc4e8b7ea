using Actors.Runtime.Management;
using Actors.Runtime.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static Actors.Grains.Tests.Users.UserTestKit;

namespace Actors.Grains.Tests.Users;

[Collection(DomainCollection.Name)]
public sealed class PresenceTests(DomainClusterFixture fixture)
{
    private const string Node = "node-a";

    private TimeSpan Grace => fixture.Cluster.Services.GetRequiredService<IOptions<DomainOptions>>().Value.PresenceGrace;

    private TimeSpan Lease => fixture.Cluster.Services.GetRequiredService<IOptions<DomainOptions>>().Value.NodeLease;

    private static readonly UserPresence NeverSeenOffline = new(UserPresence.Offline, null);

    private async Task<(string Id, IUserGrain User)> NewUserAsync()
    {
        var id = await RegisterAsync(fixture.Grains, NewEmail());
        return (id, fixture.Grains.GetGrain<IUserGrain>(id));
    }

    private static Task WaitForStatusAsync(IUserGrain user, string status) =>
        TestWait.UntilAsync(async () => (await user.GetPresenceAsync()).Status == status, Bound, $"the user should be {status}");

    [Fact]
    public async Task A_user_is_offline_until_a_connection_arrives_and_then_online()
    {
        var (_, user) = await NewUserAsync();
        Assert.Equal(NeverSeenOffline, await user.GetPresenceAsync());

        await user.ConnectAsync("c1", Node);

        Assert.Equal(new UserPresence(UserPresence.Online, null), await user.GetPresenceAsync());
        Assert.Equal(UserPresence.Online, (await user.GetCardAsync()).Presence.Status);
    }

    [Fact]
    public async Task After_the_last_connection_leaves_the_user_stays_online_for_the_grace_period_then_goes_offline_with_last_seen()
    {
        Assert.Equal(TimeSpan.FromSeconds(5), Grace);
        var (id, user) = await NewUserAsync();
        await user.ConnectAsync("c1", Node);
        fixture.Time.Advance(TimeSpan.FromSeconds(20));
        Assert.True(await user.RenewNodeAsync(Node));
        fixture.Time.Advance(TimeSpan.FromSeconds(10));
        var leftAt = fixture.Time.GetUtcNow();

        await user.DisconnectAsync("c1");
        fixture.Time.Advance(TimeSpan.FromSeconds(4));

        Assert.Equal(UserPresence.Online, (await user.GetPresenceAsync()).Status);

        fixture.Time.Advance(TimeSpan.FromSeconds(2));
        await WaitForStatusAsync(user, UserPresence.Offline);

        Assert.Equal(new UserPresence(UserPresence.Offline, leftAt), await user.GetPresenceAsync());
        await TestWait.UntilAsync(
            async () =>
            {
                using var stored = await StoredUserAsync(fixture.ConnectionString, id);
                return stored!.RootElement.GetProperty("lastSeenAt").ValueKind != System.Text.Json.JsonValueKind.Null;
            },
            Bound,
            "lastSeenAt should be stored");
        using var row = await StoredUserAsync(fixture.ConnectionString, id);
        Assert.Equal(leftAt, row!.RootElement.GetProperty("lastSeenAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task A_reconnect_within_the_grace_period_keeps_the_user_online_without_a_flap()
    {
        var (_, user) = await NewUserAsync();
        await user.ConnectAsync("c1", Node);

        await user.DisconnectAsync("c1");
        fixture.Time.Advance(Grace - TimeSpan.FromSeconds(1));
        await user.ConnectAsync("c2", Node);
        fixture.Time.Advance(Grace * 3);

        // Ticks due on the way would have been queued ahead of this call.
        Assert.Equal(new UserPresence(UserPresence.Online, null), await user.GetPresenceAsync());
    }

    [Fact]
    public async Task With_two_connections_the_user_goes_offline_only_after_both_have_left()
    {
        var (_, user) = await NewUserAsync();
        await user.ConnectAsync("tab-1", Node);
        await user.ConnectAsync("tab-2", Node);

        await user.DisconnectAsync("tab-1");
        fixture.Time.Advance(Grace * 2);
        Assert.Equal(UserPresence.Online, (await user.GetPresenceAsync()).Status);

        await user.DisconnectAsync("tab-2");
        var leftAt = fixture.Time.GetUtcNow();
        fixture.Time.Advance(Grace + TimeSpan.FromSeconds(1));
        await WaitForStatusAsync(user, UserPresence.Offline);

        Assert.Equal(leftAt, (await user.GetPresenceAsync()).LastSeenAt);
    }

    [Fact]
    public async Task Connecting_twice_with_one_id_counts_once_and_an_unknown_disconnect_is_ignored()
    {
        var (_, user) = await NewUserAsync();
        await user.ConnectAsync("c1", Node);
        await user.ConnectAsync("c1", Node);

        await user.DisconnectAsync("never-connected");
        fixture.Time.Advance(Grace * 2);
        Assert.Equal(UserPresence.Online, (await user.GetPresenceAsync()).Status);

        await user.DisconnectAsync("c1");
        fixture.Time.Advance(Grace + TimeSpan.FromSeconds(1));
        await WaitForStatusAsync(user, UserPresence.Offline);
    }

    [Fact]
    public async Task A_connected_user_stays_activated_and_online_past_the_idle_timeout()
    {
        var (id, user) = await NewUserAsync();
        await user.ConnectAsync("c1", Node);

        // The node renews its lease as a WebHost does (every 10 s).
        for (var elapsed = TimeSpan.Zero; elapsed < TimeSpan.FromMinutes(20); elapsed += TimeSpan.FromSeconds(10))
        {
            fixture.Time.Advance(TimeSpan.FromSeconds(10));
            Assert.True(await user.RenewNodeAsync(Node));
        }

        Assert.True(fixture.Cluster.Primary.IsActive(UserGrainId(id)));
        Assert.Equal(UserPresence.Online, (await user.GetPresenceAsync()).Status);
    }

    [Fact]
    public async Task Connecting_needs_an_existing_user_and_a_connection_id()
    {
        var (_, user) = await NewUserAsync();

        await ThrowsDomainAsync(ErrorCodes.NotFound, () => fixture.Grains.GetGrain<IUserGrain>(Ids.New("u")).ConnectAsync("c1", Node));
        await ThrowsDomainAsync(ErrorCodes.ValidationFailed, () => user.ConnectAsync("", Node));
        await ThrowsDomainAsync(ErrorCodes.ValidationFailed, () => user.ConnectAsync(new string('c', 257), Node));
        var badNode = await ThrowsDomainAsync(ErrorCodes.ValidationFailed, () => user.ConnectAsync("c1", ""));
        Assert.Contains("nodeId", badNode.Message, StringComparison.Ordinal);
        await ThrowsDomainAsync(ErrorCodes.ValidationFailed, () => user.ConnectAsync("c1", null!));
        await ThrowsDomainAsync(ErrorCodes.ValidationFailed, () => user.ConnectAsync("c1", new string('n', 129)));
        await ThrowsDomainAsync(ErrorCodes.ValidationFailed, () => user.RenewNodeAsync(""));
        await ThrowsDomainAsync(ErrorCodes.ValidationFailed, () => user.RenewNodeAsync(new string('n', 129)));
        await ThrowsDomainAsync(ErrorCodes.NotFound, () => fixture.Grains.GetGrain<IUserGrain>(Ids.New("u")).RenewNodeAsync(Node));
        Assert.Equal(NeverSeenOffline, await user.GetPresenceAsync());
    }

    // ---------------------------------------------------------------- node leases

    [Fact]
    public async Task A_user_connected_through_a_node_that_stops_renewing_goes_offline_when_the_lease_lapses()
    {
        Assert.Equal(TimeSpan.FromSeconds(30), Lease);
        var (id, user) = await NewUserAsync();
        await user.ConnectAsync("c1", "node-dying");
        fixture.Time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(await user.RenewNodeAsync("node-dying"));
        var lastRenewal = fixture.Time.GetUtcNow();

        // The node dies: no disconnect, no renewal.
        fixture.Time.Advance(Lease - TimeSpan.FromSeconds(1));
        Assert.Equal(new UserPresence(UserPresence.Online, null), await user.GetPresenceAsync());
        fixture.Time.Advance(TimeSpan.FromSeconds(2));

        // No grace on top of the lease; last seen when the node last renewed, not when the lease ran out.
        await WaitForStatusAsync(user, UserPresence.Offline);
        Assert.Equal(new UserPresence(UserPresence.Offline, lastRenewal), await user.GetPresenceAsync());
        await TestWait.UntilAsync(
            async () =>
            {
                using var stored = await StoredUserAsync(fixture.ConnectionString, id);
                return stored!.RootElement.GetProperty("lastSeenAt").ValueKind != System.Text.Json.JsonValueKind.Null;
            },
            Bound,
            "lastSeenAt should be stored");
        Assert.False(await user.RenewNodeAsync("node-dying"));
    }

    [Fact]
    public async Task A_node_that_keeps_renewing_keeps_its_user_online_across_many_lease_periods()
    {
        var (_, user) = await NewUserAsync();
        await user.ConnectAsync("c1", Node);

        for (var i = 0; i < 12; i++)
        {
            fixture.Time.Advance(Lease / 3);
            Assert.True(await user.RenewNodeAsync(Node));
        }

        fixture.Time.Advance(Lease / 3);
        Assert.Equal(new UserPresence(UserPresence.Online, null), await user.GetPresenceAsync());
    }

    [Fact]
    public async Task When_one_of_two_nodes_lapses_the_user_stays_online_through_the_other()
    {
        var (_, user) = await NewUserAsync();
        await user.ConnectAsync("c-dying", "node-dying");
        await user.ConnectAsync("c-alive", "node-alive");

        for (var i = 0; i < 6; i++)
        {
            fixture.Time.Advance(Lease / 3);
            Assert.True(await user.RenewNodeAsync("node-alive"));
        }

        // The dying node's lease lapsed long ago; its connection is gone, the other one holds the user online.
        await TestWait.UntilAsync(async () => !await user.RenewNodeAsync("node-dying"), Bound, "the dying node should be forgotten");
        Assert.Equal(new UserPresence(UserPresence.Online, null), await user.GetPresenceAsync());

        // Only the alive node's connection is left: disconnecting it starts the grace.
        await user.DisconnectAsync("c-alive");
        var leftAt = fixture.Time.GetUtcNow();
        fixture.Time.Advance(Grace + TimeSpan.FromSeconds(1));
        await WaitForStatusAsync(user, UserPresence.Offline);
        Assert.Equal(leftAt, (await user.GetPresenceAsync()).LastSeenAt);
    }

    [Fact]
    public async Task A_connection_that_moves_to_another_node_counts_once_and_follows_that_nodes_lease()
    {
        var (_, user) = await NewUserAsync();
        await user.ConnectAsync("c1", "node-old");
        await user.ConnectAsync("c1", "node-new");

        Assert.False(await user.RenewNodeAsync("node-old"));
        for (var i = 0; i < 4; i++)
        {
            fixture.Time.Advance(Lease / 3);
            Assert.True(await user.RenewNodeAsync("node-new"));
        }

        Assert.Equal(UserPresence.Online, (await user.GetPresenceAsync()).Status);
    }

    [Fact]
    public async Task After_the_grain_is_deactivated_a_renewal_answers_false_and_connecting_again_restores_presence()
    {
        var (id, user) = await NewUserAsync();
        await user.ConnectAsync("c1", Node);
        fixture.Time.Advance(TimeSpan.FromSeconds(5));
        var deactivatedAt = fixture.Time.GetUtcNow();

        var result = await fixture.Grains.GetGrain<IManagementGrain>(0).DeactivateGrainAsync("user", id);
        Assert.True(result.Deactivated);

        // The fresh activation knows no connection: offline, last seen when the old one went away.
        Assert.Equal(new UserPresence(UserPresence.Offline, deactivatedAt), await user.GetPresenceAsync());
        Assert.False(await user.RenewNodeAsync(Node));

        // What the WebHost does on false: connect its live connections of the user again.
        await user.ConnectAsync("c1", Node);
        Assert.True(await user.RenewNodeAsync(Node));
        Assert.Equal(UserPresence.Online, (await user.GetPresenceAsync()).Status);
    }
}
