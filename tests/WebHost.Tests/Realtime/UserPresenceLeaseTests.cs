using Actors.Grains;
using Actors.Runtime.Management;
using Actors.Runtime.Testing;
using Actors.WebHost.Realtime;
using Microsoft.Extensions.DependencyInjection;

namespace Actors.WebHost.Tests.Realtime;

/// <summary>The node side of platform-presence leases (the grain side is in Grains.Tests).</summary>
[Collection(RealtimeCollection.Name)]
public sealed class UserPresenceLeaseTests(RealtimeFactory factory)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task The_node_tracks_its_connections_per_user_and_restores_them_to_a_user_grain_that_lost_them()
    {
        var user = await factory.RegisterAsync("leased");
        var grains = factory.Services.GetRequiredService<IGrainFactory>();
        var registry = factory.Services.GetRequiredService<UserConnections>();
        var leases = factory.Services.GetRequiredService<UserPresenceLeases>();
        var grain = grains.GetGrain<IUserGrain>(user.Id);
        await using var client = await factory.ConnectAsync(user);
        await TestWait.UntilAsync(async () => (await grain.GetPresenceAsync()).Status == UserPresence.Online, Bound, "the connect should reach the user grain");
        Assert.Single(registry.ConnectionsOf(user.Id));

        // Connections live in the grain's memory: a fresh activation knows none of this node's.
        var result = await grains.GetGrain<IManagementGrain>(0).DeactivateGrainAsync("user", user.Id);
        Assert.True(result.Deactivated);

        // A renewal round (the loop runs one every LeaseRenewal) gets a false and connects them again.
        await leases.RenewAllAsync(CancellationToken.None);
        Assert.Equal(UserPresence.Online, (await grain.GetPresenceAsync()).Status);
        Assert.True(await grain.RenewNodeAsync(factory.Services.GetRequiredService<RealtimeBridge>().NodeId));

        client.Abort();
        await TestWait.UntilAsync(() => registry.ConnectionsOf(user.Id).Count == 0, Bound, "the disconnect should leave the registry");
    }
}
