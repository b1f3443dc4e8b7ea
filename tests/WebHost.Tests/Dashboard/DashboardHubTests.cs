using System.Net;
using Actors.Runtime.Testing;
using Actors.WebHost.Dashboard;
using Actors.WebHost.Tests.Infrastructure;
using Actors.WebHost.Tests.Realtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Actors.WebHost.Tests.Dashboard;

[Collection(RealtimeCollection.Name)]
public sealed class DashboardHubTests(RealtimeFactory factory)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private DashboardSampler Sampler => factory.Services.GetRequiredService<DashboardSampler>();

    [Fact]
    public async Task Anonymous_callers_and_non_operators_cannot_negotiate_with_the_dashboard_hub()
    {
        var member = await factory.RegisterAsync("member");
        using var anonymous = factory.CreateSocketClient();

        var anonymousResponse = await anonymous.PostAsync(new Uri(DashboardExtensions.HubPath + "/negotiate?negotiateVersion=1", UriKind.Relative), null);
        var memberResponse = await member.Client.PostAsync(new Uri(DashboardExtensions.HubPath + "/negotiate?negotiateVersion=1", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymousResponse.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, memberResponse.StatusCode);
        Assert.Equal("forbidden", (await memberResponse.JsonAsync()).GetProperty("code").GetString());
        await Assert.ThrowsAnyAsync<Exception>(() => HubTestClient.ConnectAsync(factory.ServerAddress, member.AccessToken, DashboardExtensions.HubPath));
    }

    [Fact]
    public async Task An_open_dashboard_receives_a_snapshot_every_second_that_shows_the_load()
    {
        var operatorUser = await factory.OperatorAsync();
        var member = await factory.RegisterAsync("loader");
        var sessionId = await member.CreateSessionIdAsync();
        await using var dashboard = await HubTestClient.ConnectAsync(factory.ServerAddress, operatorUser.AccessToken, DashboardExtensions.HubPath);

        // A bounded load of grain calls while the dashboard watches.
        for (var i = 0; i < 200; i++)
        {
            await Expect.OkJsonAsync(await member.Client.GetAsync(new Uri($"/api/sessions/{sessionId}", UriKind.Relative)));
        }

        await TestWait.UntilAsync(
            () => Snapshots(dashboard).Any(s => s.GetProperty("point").GetProperty("callsPerSecond").GetDouble() > 0),
            Deadline,
            "a snapshot with a call rate above zero");
        var snapshot = Snapshots(dashboard).Last(s => s.GetProperty("point").GetProperty("callsPerSecond").GetDouble() > 0);
        Assert.True(snapshot.GetProperty("point").GetProperty("silos").GetInt32() >= 1);
        Assert.True(snapshot.GetProperty("point").GetProperty("openSessions").GetInt64() >= 1);
        Assert.NotEmpty(snapshot.GetProperty("silos").EnumerateArray());
        Assert.All(snapshot.GetProperty("silos").EnumerateArray(), s => Assert.True(s.GetProperty("answered").GetBoolean()));
        Assert.Contains(snapshot.GetProperty("grainTypes").EnumerateArray(), t => t.GetProperty("grainType").GetString() == "session");
        Assert.Contains(snapshot.GetProperty("methods").EnumerateArray(), m => m.GetProperty("grainType").GetString() == "session");

        var history = await dashboard.InvokeAsync("GetHistory");
        Assert.NotEmpty(history.EnumerateArray());
        var times = history.EnumerateArray().Select(p => p.GetProperty("at").GetDateTimeOffset()).ToList();
        Assert.Equal([.. times.Order()], times);
    }

    [Fact]
    public async Task Sampling_runs_only_while_a_dashboard_is_connected()
    {
        var operatorUser = await factory.OperatorAsync();
        await TestWait.UntilAsync(() => Sampler.Watchers == 0 && !Sampler.IsSampling, Deadline, "no dashboard connected at the start");
        var before = Sampler.SamplesTaken;

        var dashboard = await HubTestClient.ConnectAsync(factory.ServerAddress, operatorUser.AccessToken, DashboardExtensions.HubPath);
        await TestWait.UntilAsync(() => Sampler.SamplesTaken >= before + 2, Deadline, "samples while the dashboard is open");
        Assert.True(Sampler.IsSampling);
        await dashboard.DisposeAsync();

        await TestWait.UntilAsync(() => Sampler.Watchers == 0 && !Sampler.IsSampling, Deadline, "sampling parks once the last dashboard leaves");
        var parkedAt = Sampler.SamplesTaken;
        // Parked means waiting for a watcher: the REST load below must not wake it.
        var member = await factory.RegisterAsync("quiet");
        await member.CreateSessionIdAsync();
        Assert.False(Sampler.IsSampling);
        Assert.Equal(parkedAt, Sampler.SamplesTaken);
    }

    [Fact]
    public async Task Warnings_logged_while_the_dashboard_is_open_are_pushed_to_it()
    {
        var operatorUser = await factory.OperatorAsync();
        await using var dashboard = await HubTestClient.ConnectAsync(factory.ServerAddress, operatorUser.AccessToken, DashboardExtensions.HubPath);
        var marker = Guid.NewGuid().ToString("N");
        var logger = factory.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Dashboard.Test");

#pragma warning disable CA1848, CA1873, CA2254 // One free-form entry through the real logging pipeline.
        logger.LogError(new InvalidOperationException("kaput"), "failure {Marker}", marker);
#pragma warning restore CA1848, CA1873, CA2254

        await TestWait.UntilAsync(
            () => dashboard.Received.Any(r => r.Target == "logs" && r.Args[0].EnumerateArray().Any(e => e.GetProperty("message").GetString()!.Contains(marker, StringComparison.Ordinal))),
            Deadline,
            "the error reaches the dashboard");
        var entry = dashboard.Received.Where(r => r.Target == "logs").SelectMany(r => r.Args[0].EnumerateArray())
            .Single(e => e.GetProperty("message").GetString()!.Contains(marker, StringComparison.Ordinal));
        Assert.Equal("Error", entry.GetProperty("level").GetString());
        Assert.Equal("System.InvalidOperationException: kaput", entry.GetProperty("exception").GetString());
        var recent = await dashboard.InvokeAsync("GetRecentLogs");
        Assert.Contains(recent.EnumerateArray(), e => e.GetProperty("message").GetString()!.Contains(marker, StringComparison.Ordinal));
    }

    private static IEnumerable<JsonElement> Snapshots(HubTestClient client) =>
        client.Received.Where(r => r.Target == "snapshot").Select(r => r.Args[0]);
}
