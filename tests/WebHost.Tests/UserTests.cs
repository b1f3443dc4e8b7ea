namespace Actors.WebHost.Tests;

[Collection(AuthCollection.Name)]
public sealed class UserTests(ApiFactory factory)
{
    [Fact]
    public async Task Me_returns_the_callers_profile()
    {
        var user = await factory.RegisterAsync("me");

        var me = await Expect.OkJsonAsync(await user.Client.GetAsync("/api/users/me"));

        Assert.Equal(user.Id, me.GetProperty("id").GetString());
        Assert.Equal(user.Email, me.GetProperty("email").GetString());
        Assert.Equal("me", me.GetProperty("displayName").GetString());
        Assert.Equal(["member"], me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.True(me.TryGetProperty("createdAt", out _));
        Assert.False(me.TryGetProperty("passwordHash", out _));
    }

    [Fact]
    public async Task Patching_me_changes_the_display_name()
    {
        var user = await factory.RegisterAsync("before");

        var patched = await Expect.OkJsonAsync(await user.Client.PatchAsJsonAsync("/api/users/me", new { displayName = "After" }));

        Assert.Equal("After", patched.GetProperty("displayName").GetString());
        var me = await Expect.OkJsonAsync(await user.Client.GetAsync("/api/users/me"));
        Assert.Equal("After", me.GetProperty("displayName").GetString());
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("101")]
    public async Task Patching_me_with_a_bad_display_name_is_400(string? displayName)
    {
        var user = await factory.RegisterAsync("bad");
        var value = displayName == "101" ? new string('x', 101) : displayName;

        var response = await user.Client.PatchAsJsonAsync("/api/users/me", new { displayName = value });

        await Expect.ValidationAsync(response, "displayName");
    }

    [Fact]
    public async Task Another_user_is_shown_with_display_name_and_presence_only()
    {
        var viewer = await factory.RegisterAsync("viewer");
        var other = await factory.RegisterAsync("other");

        var card = await Expect.OkJsonAsync(await viewer.Client.GetAsync($"/api/users/{other.Id}"));

        Assert.Equal(other.Id, card.GetProperty("id").GetString());
        Assert.Equal("other", card.GetProperty("displayName").GetString());
        Assert.Equal("offline", card.GetProperty("presence").GetProperty("status").GetString());
        Assert.True(card.GetProperty("presence").TryGetProperty("lastSeenAt", out _));
        Assert.False(card.TryGetProperty("email", out _));
    }

    [Fact]
    public async Task An_unknown_user_is_404_and_a_malformed_id_is_400()
    {
        var viewer = await factory.RegisterAsync("viewer");

        await Expect.ProblemAsync(await viewer.Client.GetAsync("/api/users/NoSuchUser123"), HttpStatusCode.NotFound, "not_found");
        await Expect.ValidationAsync(await viewer.Client.GetAsync("/api/users/bad%21id"), "id");
    }

    [Theory]
    [InlineData("GET", "/api/users/me")]
    [InlineData("PATCH", "/api/users/me")]
    [InlineData("GET", "/api/users/abc")]
    public async Task Anonymous_calls_are_401_unauthorized(string method, string path)
    {
        using var anonymous = factory.CreateApiClient();

        var response = await anonymous.SendAsync(TestApi.Json(new HttpMethod(method), path, "{\"displayName\":\"x\"}"));

        await Expect.ProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }
}
