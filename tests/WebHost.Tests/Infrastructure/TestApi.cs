using System.Net.Http.Headers;
using System.Text;

namespace Actors.WebHost.Tests.Infrastructure;

/// <summary>Shortcuts over the REST contract for arranging tests.</summary>
public static class TestApi
{
    public const string Password = "correct horse battery";

    public static string NewEmail(string name = "user") => $"{name}-{Guid.NewGuid():N}@example.test";

    public static async Task<TestUser> RegisterAsync(this ApiFactory factory, string name = "user", string? email = null)
    {
        email ??= NewEmail(name);
        using var anonymous = factory.CreateApiClient();
        var response = await anonymous.PostAsJsonAsync("/api/auth/register", new { email, password = Password, displayName = name });
        await Expect.StatusAsync(response, HttpStatusCode.Created);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var token = body.GetProperty("accessToken").GetString()!;
        return new TestUser(body.GetProperty("user").GetProperty("id").GetString()!, email, Password, name, token,
            body.GetProperty("refreshToken").GetString()!, factory.CreateApiClient(token));
    }

    public static async Task<JsonElement> CreateSessionAsync(this TestUser owner, string visibility = "private", string title = "Planning")
    {
        var response = await owner.Client.PostAsJsonAsync("/api/sessions", new { title, visibility });
        await Expect.StatusAsync(response, HttpStatusCode.Created);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static async Task<string> CreateSessionIdAsync(this TestUser owner, string visibility = "private") =>
        (await owner.CreateSessionAsync(visibility)).GetProperty("id").GetString()!;

    public static async Task SetMemberAsync(this TestUser owner, string sessionId, TestUser user, string role)
    {
        var response = await owner.Client.PutAsJsonAsync($"/api/sessions/{sessionId}/members/{user.Id}", new { role });
        await Expect.StatusAsync(response, HttpStatusCode.OK);
    }

    public static async Task<JsonElement> CreateResourceAsync(this TestUser user, string sessionId, object? data = null, string name = "Board")
    {
        var response = await user.Client.PostAsJsonAsync($"/api/sessions/{sessionId}/resources", new { name, kind = "board", data = data ?? new { items = Array.Empty<string>() } });
        await Expect.StatusAsync(response, HttpStatusCode.Created);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static async Task<string> CreateResourceIdAsync(this TestUser user, string sessionId, object? data = null) =>
        (await user.CreateResourceAsync(sessionId, data)).GetProperty("id").GetString()!;

    public static async Task<HttpResponseMessage> PublishAsync(this TestUser user, string sessionId, string type = "chat.message", object? payload = null, string? clientMsgId = null) =>
        await user.Client.PostAsJsonAsync($"/api/sessions/{sessionId}/events", new { type, payload = payload ?? new { text = "hi" }, clientMsgId });

    public static HttpRequestMessage Json(HttpMethod method, string path, string json, string contentType = "application/json")
    {
        var request = new HttpRequestMessage(method, path) { Content = new StringContent(json, Encoding.UTF8) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return request;
    }

    public static HttpRequestMessage WithIfMatch(this HttpRequestMessage request, string etag)
    {
        request.Headers.TryAddWithoutValidation("If-Match", etag);
        return request;
    }

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>();
}
