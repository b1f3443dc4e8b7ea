using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Actors.WebHost.Benchmarks;

/// <summary>The few REST calls the benchmark needs to set up users, a session and a resource on the WebHost.</summary>
internal sealed class PlatformApi(Uri baseUrl) : IDisposable
{
    private readonly HttpClient http = new() { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(60) };

    public sealed record User(string Id, string Token);

    public Task<User> RegisterAsync(string name) => RegisterAsync(name, $"{name}-{Guid.NewGuid():N}@bench.test");

    public async Task<User> RegisterAsync(string name, string email)
    {
        var body = await SendAsync(HttpMethod.Post, "/api/auth/register", null, new { email, password = "bench password 1", displayName = name });
        return new User(body.GetProperty("user").GetProperty("id").GetString()!, body.GetProperty("accessToken").GetString()!);
    }

    public async Task<string> CreateSessionAsync(User owner, string title) =>
        (await SendAsync(HttpMethod.Post, "/api/sessions", owner.Token, new { title, visibility = "public" })).GetProperty("id").GetString()!;

    public async Task<long> LastSeqAsync(User user, string sessionId) =>
        (await SendAsync(HttpMethod.Get, $"/api/sessions/{sessionId}", user.Token, null)).GetProperty("lastSeq").GetInt64();

    public async Task<string> CreateResourceAsync(User owner, string sessionId, string name, object data) =>
        (await SendAsync(HttpMethod.Post, $"/api/sessions/{sessionId}/resources", owner.Token, new { name, kind = "bench.doc", data })).GetProperty("id").GetString()!;

    private async Task<JsonElement> SendAsync(HttpMethod method, string path, string? token, object? body)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{method} {path} → {(int)response.StatusCode}: {text}");
        }

        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public void Dispose() => http.Dispose();
}
