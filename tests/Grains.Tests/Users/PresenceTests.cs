using Actors.Runtime.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static Actors.Grains.Tests.Users.UserTestKit;

namespace Actors.Grains.Tests.Users;

[Collection(DomainCollection.Name)]
public sealed class PresenceTests(DomainClusterFixture fixture)
{
    private TimeSpan Grace => fixture.Cluster.Services.GetRequiredService<IOptions<DomainOptions>>().Value.PresenceGrace;

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

        await user.ConnectAsync("c1");

        Assert.Equal(new UserPresence(UserPresence.Online, null), await user.GetPresenceAsync());
        Assert.Equal(UserPresence.Online, (await user.GetCardAsync()).Presence.Status);
    }

    [Fact]
    public async Task After_the_last_connection_leaves_the_user_stays_online_for_the_grace_period_then_goes_offline_with_last_seen()
    {
        Assert.Equal(TimeSpan.FromSeconds(5), Grace);
        var (id, user) = await NewUserAsync();
        await user.ConnectAsync("c1");
        fixture.Time.Advance(TimeSpan.FromSeconds(30));
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
        await user.ConnectAsync("c1");

        await user.DisconnectAsync("c1");
        fixture.Time.Advance(Grace - TimeSpan.FromSeconds(1));
        await user.ConnectAsync("c2");
        fixture.Time.Advance(Grace * 3);

        // Ticks due on the way would have been queued ahead of this call.
        Assert.Equal(new UserPresence(UserPresence.Online, null), await user.GetPresenceAsync());
    }

    [Fact]
    public async Task With_two_connections_the_user_goes_offline_only_after_both_have_left()
    {
        var (_, user) = await NewUserAsync();
        await user.ConnectAsync("tab-1");
        await user.ConnectAsync("tab-2");

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
        await user.ConnectAsync("c1");
        await user.ConnectAsync("c1");

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
        await user.ConnectAsync("c1");

        fixture.Time.Advance(TimeSpan.FromMinutes(20));

        Assert.True(fixture.Cluster.Primary.IsActive(UserGrainId(id)));
        Assert.Equal(UserPresence.Online, (await user.GetPresenceAsync()).Status);
    }

    [Fact]
    public async Task Connecting_needs_an_existing_user_and_a_connection_id()
    {
        var (_, user) = await NewUserAsync();

        await ThrowsDomainAsync(ErrorCodes.NotFound, () => fixture.Grains.GetGrain<IUserGrain>(Ids.New("u")).ConnectAsync("c1"));
        await ThrowsDomainAsync(ErrorCodes.ValidationFailed, () => user.ConnectAsync(""));
        await ThrowsDomainAsync(ErrorCodes.ValidationFailed, () => user.ConnectAsync(new string('c', 257)));
        Assert.Equal(NeverSeenOffline, await user.GetPresenceAsync());
    }
}
