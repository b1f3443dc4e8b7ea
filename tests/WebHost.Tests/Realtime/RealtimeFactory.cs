using System.Net;
using Actors.WebHost.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Actors.WebHost.Tests.Realtime;

/// <summary>The WebHost on a real Kestrel socket on 127.0.0.1, so WebSocket clients connect for real.</summary>
public class RealtimeFactory : ApiFactory
{
    public RealtimeFactory() => UseKestrel(o => o.Listen(IPAddress.Loopback, 0));

    protected override IDictionary<string, string?> Settings()
    {
        var settings = base.Settings();
        settings["Actors:Realtime:OutboxCapacity"] = "32";
        settings["Actors:Realtime:DisconnectGrace"] = "00:00:01";
        return settings;
    }

    public Uri ServerAddress
    {
        get
        {
            StartServer();
            var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
            return new Uri(addresses.First());
        }
    }

    /// <summary>An HttpClient on the real socket (the factory's own clients target its in-memory address).</summary>
    public HttpClient CreateSocketClient(string? accessToken = null)
    {
        var client = new HttpClient { BaseAddress = ServerAddress };
        if (accessToken is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", accessToken);
        }

        return client;
    }

    /// <summary>Registers a user over the real socket.</summary>
    public async Task<TestUser> RegisterAsync(string name, string? email = null)
    {
        email ??= TestApi.NewEmail(name);
        using var anonymous = CreateSocketClient();
        var response = await anonymous.PostAsJsonAsync("/api/auth/register", new { email, password = TestApi.Password, displayName = name });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var token = body.GetProperty("accessToken").GetString()!;
        return new TestUser(body.GetProperty("user").GetProperty("id").GetString()!, email, TestApi.Password, name, token,
            body.GetProperty("refreshToken").GetString()!, CreateSocketClient(token));
    }

    /// <summary>The collection's operator (registered with <see cref="ApiFactory.OperatorEmail"/> on first use, signed in after).</summary>
    public async Task<TestUser> OperatorAsync()
    {
        using var anonymous = CreateSocketClient();
        var response = await anonymous.PostAsJsonAsync("/api/auth/register", new { email = OperatorEmail, password = TestApi.Password, displayName = "Operator" });
        if (response.StatusCode == HttpStatusCode.Conflict)
        {
            response = await anonymous.PostAsJsonAsync("/api/auth/login", new { email = OperatorEmail, password = TestApi.Password });
        }

        Assert.True(response.IsSuccessStatusCode, $"operator sign-in: {(int)response.StatusCode}");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var token = body.GetProperty("accessToken").GetString()!;
        return new TestUser(body.GetProperty("user").GetProperty("id").GetString()!, OperatorEmail, TestApi.Password, "Operator", token,
            body.GetProperty("refreshToken").GetString()!, CreateSocketClient(token));
    }

    public Task<HubTestClient> ConnectAsync(TestUser user) => HubTestClient.ConnectAsync(ServerAddress, user.AccessToken);
}

/// <summary>The same, with a tiny per-user budget (registration is anonymous and has its own).</summary>
public sealed class LimitedRealtimeFactory : RealtimeFactory
{
    public const int UserBurst = 6;

    protected override IDictionary<string, string?> Settings()
    {
        var settings = base.Settings();
        settings["Actors:RateLimits:User:PermitLimit"] = UserBurst.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Actors:RateLimits:User:TokensPerPeriod"] = "1";
        settings["Actors:RateLimits:User:ReplenishmentPeriod"] = "01:00:00";
        return settings;
    }
}

[CollectionDefinition(Name)]
public sealed class RealtimeCollection : ICollectionFixture<RealtimeFactory>
{
    public const string Name = "realtime";
}
