using System.Net;
using Actors.WebHost.Security;
using Microsoft.Extensions.DependencyInjection;

namespace Actors.WebHost.Tests;

/// <summary>A WebHost with tiny buckets that do not refill during the test.</summary>
public sealed class RateLimitedApiFactory : ApiFactory
{
    public const int UserBurst = 3;
    public const int AnonymousBurst = 4;

    protected override IDictionary<string, string?> Settings()
    {
        var settings = base.Settings();
        settings["Actors:RateLimits:User:PermitLimit"] = UserBurst.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Actors:RateLimits:User:TokensPerPeriod"] = "1";
        settings["Actors:RateLimits:User:ReplenishmentPeriod"] = "01:00:00";
        settings["Actors:RateLimits:Anonymous:PermitLimit"] = AnonymousBurst.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Actors:RateLimits:Anonymous:TokensPerPeriod"] = "1";
        settings["Actors:RateLimits:Anonymous:ReplenishmentPeriod"] = "01:00:00";
        return settings;
    }
}

public sealed class RateLimitTests(RateLimitedApiFactory factory) : IClassFixture<RateLimitedApiFactory>
{
    [Fact]
    public async Task Anonymous_calls_share_a_per_address_budget_and_then_get_429_with_Retry_After()
    {
        var limiter = factory.Services.GetRequiredService<IUserRateLimiter>();
        using var anonymous = factory.CreateApiClient();
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        for (var i = 0; i <= RateLimitedApiFactory.AnonymousBurst; i++)
        {
            last = await anonymous.PostAsJsonAsync("/api/auth/login", new { email = TestApi.NewEmail(), password = "wrong password" });
            statuses.Add(last.StatusCode);
        }

        Assert.All(statuses.Take(RateLimitedApiFactory.AnonymousBurst), s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        await Expect.ProblemAsync(last!, HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.True(int.Parse(Assert.Single(last!.Headers.GetValues("Retry-After")), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.False(limiter.TryAcquireAnonymous(null).Allowed);
    }

    [Fact]
    public async Task Each_user_has_their_own_budget_shared_with_the_hub_limiter()
    {
        var limiter = factory.Services.GetRequiredService<IUserRateLimiter>();
        var token = IssueToken("limited-user");
        var other = IssueToken("other-user");
        using var client = factory.CreateApiClient(token);
        using var otherClient = factory.CreateApiClient(other);

        Assert.True(limiter.TryAcquire("limited-user").Allowed);
        for (var i = 1; i < RateLimitedApiFactory.UserBurst; i++)
        {
            Assert.NotEqual(HttpStatusCode.TooManyRequests, (await client.GetAsync("/api/users/me")).StatusCode);
        }

        var refused = await client.GetAsync("/api/users/me");
        await Expect.ProblemAsync(refused, HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.True(refused.Headers.Contains("Retry-After"));
        var decision = limiter.TryAcquire("limited-user");
        Assert.False(decision.Allowed);
        Assert.True(decision.RetryAfterSeconds >= 1);

        Assert.NotEqual(HttpStatusCode.TooManyRequests, (await otherClient.GetAsync("/api/users/me")).StatusCode);
    }

    [Fact]
    public async Task Health_and_metrics_are_not_rate_limited()
    {
        using var anonymous = factory.CreateApiClient();

        for (var i = 0; i < RateLimitedApiFactory.AnonymousBurst * 3; i++)
        {
            await Expect.StatusAsync(await anonymous.GetAsync("/healthz"), HttpStatusCode.OK);
        }
    }

    /// <summary>A token for a user id that needs no registration (registering would spend the anonymous budget).</summary>
    private string IssueToken(string userId)
    {
        var issuer = factory.Services.GetRequiredService<Actors.WebHost.Auth.AccessTokenIssuer>();
        return issuer.Issue(new Actors.Grains.UserProfile(userId, userId + "@example.test", userId, ["member"], DateTimeOffset.UtcNow));
    }
}
