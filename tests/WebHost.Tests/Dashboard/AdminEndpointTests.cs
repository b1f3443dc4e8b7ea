using System.Net;
using Actors.WebHost.Tests.Infrastructure;
using Actors.WebHost.Tests.Realtime;

namespace Actors.WebHost.Tests.Dashboard;

[Collection(RealtimeCollection.Name)]
public sealed class AdminEndpointTests(RealtimeFactory factory)
{
    public static TheoryData<string, string> OperatorRoutes => new()
    {
        { "GET", "/api/admin/reminders" },
        { "GET", "/api/admin/logs" },
        { "GET", "/api/admin/grains/session/abc/state" },
        { "POST", "/api/admin/grains/session/abc/deactivate" },
        { "POST", "/api/admin/silos/local/drain" },
    };

    [Theory]
    [MemberData(nameof(OperatorRoutes))]
    public async Task Operator_routes_are_forbidden_to_members_and_need_a_token(string method, string path)
    {
        var member = await factory.RegisterAsync("member");
        using var anonymous = factory.CreateSocketClient();

        await Expect.ProblemAsync(await member.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path)), HttpStatusCode.Forbidden, "forbidden");
        await Expect.ProblemAsync(await anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(method), path)), HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task An_operator_reads_a_sessions_persisted_state_as_stored()
    {
        var operatorUser = await factory.OperatorAsync();
        var owner = await factory.RegisterAsync("owner");
        var session = await owner.CreateSessionAsync(title: "Readable in Postgres");
        var id = session.GetProperty("id").GetString()!;

        var report = await Expect.OkJsonAsync(await operatorUser.Client.GetAsync(new Uri($"/api/admin/grains/session/{id}/state", UriKind.Relative)));

        Assert.Equal("session", report.GetProperty("grainType").GetString());
        var state = Assert.Single(report.GetProperty("states").EnumerateArray());
        Assert.True(state.GetProperty("exists").GetBoolean());
        using var stored = JsonDocument.Parse(state.GetProperty("json").GetString()!);
        Assert.Equal("Readable in Postgres", stored.RootElement.GetProperty("title").GetString());
        Assert.Equal(owner.Id, stored.RootElement.GetProperty("ownerId").GetString());
    }

    [Fact]
    public async Task An_unknown_grain_type_is_not_found()
    {
        var operatorUser = await factory.OperatorAsync();

        await Expect.ProblemAsync(await operatorUser.Client.GetAsync(new Uri("/api/admin/grains/no-such-type/x/state", UriKind.Relative)), HttpStatusCode.NotFound, "not_found");
        await Expect.ProblemAsync(await operatorUser.Client.PostAsync(new Uri("/api/admin/grains/no-such-type/x/deactivate", UriKind.Relative), null), HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Deactivating_an_active_session_reports_it_once_and_the_session_still_answers()
    {
        var operatorUser = await factory.OperatorAsync();
        var owner = await factory.RegisterAsync("owner");
        var id = await owner.CreateSessionIdAsync();

        var first = await Expect.OkJsonAsync(await operatorUser.Client.PostAsync(new Uri($"/api/admin/grains/session/{id}/deactivate", UriKind.Relative), null));
        var second = await Expect.OkJsonAsync(await operatorUser.Client.PostAsync(new Uri($"/api/admin/grains/session/{id}/deactivate", UriKind.Relative), null));

        Assert.True(first.GetProperty("deactivated").GetBoolean());
        Assert.False(second.GetProperty("deactivated").GetBoolean());
        var again = await Expect.OkJsonAsync(await owner.Client.GetAsync(new Uri($"/api/sessions/{id}", UriKind.Relative)));
        Assert.Equal(id, again.GetProperty("id").GetString());
    }

    [Fact]
    public async Task The_only_silo_cannot_be_drained_and_an_unknown_one_is_not_found()
    {
        var operatorUser = await factory.OperatorAsync();
        var cluster = await Expect.OkJsonAsync(await operatorUser.Client.GetAsync(new Uri("/api/admin/cluster", UriKind.Relative)));
        var address = cluster.GetProperty("silos")[0].GetProperty("address").GetString()!;

        await Expect.ValidationAsync(await operatorUser.Client.PostAsync(new Uri($"/api/admin/silos/{Uri.EscapeDataString(address)}/drain", UriKind.Relative), null), "address");
        await Expect.ProblemAsync(await operatorUser.Client.PostAsync(new Uri("/api/admin/silos/10.0.0.1%3A1%401/drain", UriKind.Relative), null), HttpStatusCode.NotFound, "not_found");
        Assert.Equal(HttpStatusCode.OK, (await operatorUser.Client.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task Reminders_list_the_session_retention_reminder_and_a_bad_limit_is_rejected()
    {
        var operatorUser = await factory.OperatorAsync();
        var owner = await factory.RegisterAsync("owner");
        var id = await owner.CreateSessionIdAsync();

        var listing = await Expect.OkJsonAsync(await operatorUser.Client.GetAsync(new Uri("/api/admin/reminders?limit=1000", UriKind.Relative)));

        Assert.Contains(listing.GetProperty("items").EnumerateArray(), r => r.GetProperty("grainType").GetString() == "session" && r.GetProperty("grainKey").GetString() == id);
        await Expect.ValidationAsync(await operatorUser.Client.GetAsync(new Uri("/api/admin/reminders?limit=-3", UriKind.Relative)), "limit");
        await Expect.OkJsonAsync(await operatorUser.Client.GetAsync(new Uri("/api/admin/reminders?limit=99999", UriKind.Relative)));
    }

    [Fact]
    public async Task Recent_logs_list_warnings_of_the_embedded_silo()
    {
        var operatorUser = await factory.OperatorAsync();

        var logs = await Expect.OkJsonAsync(await operatorUser.Client.GetAsync(new Uri("/api/admin/logs", UriKind.Relative)));

        Assert.Equal(JsonValueKind.Array, logs.GetProperty("items").ValueKind);
        Assert.All(logs.GetProperty("items").EnumerateArray(), e => Assert.Contains(e.GetProperty("level").GetString(), new[] { "Warning", "Error", "Critical" }));
    }
}
