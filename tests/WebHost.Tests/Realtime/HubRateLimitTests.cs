namespace Actors.WebHost.Tests.Realtime;

public sealed class HubRateLimitTests : IClassFixture<LimitedRealtimeFactory>
{
    private readonly LimitedRealtimeFactory factory;

    public HubRateLimitTests(LimitedRealtimeFactory factory) => this.factory = factory;

    [Fact]
    public async Task Hub_calls_beyond_the_users_budget_fail_with_rate_limited()
    {
        var user = await factory.RegisterAsync("busy");
        await using var client = await factory.ConnectAsync(user);

        var outcomes = new List<string>();
        for (var i = 0; i < LimitedRealtimeFactory.UserBurst + 4; i++)
        {
            try
            {
                await client.InvokeAsync("JoinSession", "no-such-session", null);
                outcomes.Add("ok");
            }
            catch (HubErrorException error)
            {
                outcomes.Add(error.Message.Split(':')[0]);
            }
        }

        Assert.Contains("rate_limited", outcomes);
        Assert.DoesNotContain("ok", outcomes);
        Assert.Equal("rate_limited", outcomes[^1]);
    }
}
