namespace Actors.WebHost.Tests;

[Collection(InputsCollection.Name)]
public sealed class OperationsTests(ApiFactory factory)
{
    private readonly HttpClient anonymous = factory.CreateApiClient();

    [Fact]
    public async Task Healthz_answers_200_while_the_process_lives()
    {
        var body = await Expect.OkJsonAsync(await anonymous.GetAsync("/healthz"));

        Assert.Equal("ok", body.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Readyz_answers_200_when_the_cluster_and_PostgreSQL_answer()
    {
        var body = await Expect.OkJsonAsync(await anonymous.GetAsync("/readyz"));

        Assert.Equal("ready", body.GetProperty("status").GetString());
        Assert.Equal(1, body.GetProperty("silos").GetInt32());
        Assert.Equal("ok", body.GetProperty("postgres").GetString());
    }

    [Fact]
    public async Task Metrics_are_Prometheus_text_with_runtime_and_http_meters()
    {
        await TestApiWarmUpAsync();

        var response = await anonymous.GetAsync("/metrics");

        await Expect.StatusAsync(response, HttpStatusCode.OK);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("actors_grain_calls", text, StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_every_route_with_bearer_security()
    {
        var doc = await Expect.OkJsonAsync(await anonymous.GetAsync("/openapi/v1.json"));

        var paths = doc.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToHashSet();
        foreach (var path in new[]
        {
            "/api/auth/register", "/api/auth/login", "/api/auth/refresh", "/api/auth/logout", "/api/users/me", "/api/users/{id}",
            "/api/sessions", "/api/sessions/{id}", "/api/sessions/{id}/close", "/api/sessions/{id}/join", "/api/sessions/{id}/members/{userId}",
            "/api/sessions/{id}/presence", "/api/sessions/{id}/events", "/api/sessions/{id}/resources", "/api/resources/{id}",
            "/api/resources/{id}/lock", "/api/resources/{id}/history", "/api/admin/cluster", "/healthz", "/readyz",
        })
        {
            Assert.Contains(path, paths);
        }

        Assert.True(doc.GetProperty("components").GetProperty("securitySchemes").TryGetProperty("Bearer", out _));
        var publish = doc.GetProperty("paths").GetProperty("/api/sessions/{id}/events").GetProperty("post");
        Assert.Equal("PublishEvent", publish.GetProperty("operationId").GetString());
        Assert.False(string.IsNullOrEmpty(publish.GetProperty("summary").GetString()));
        Assert.True(publish.GetProperty("responses").TryGetProperty("201", out _));
        Assert.True(publish.GetProperty("responses").TryGetProperty("403", out _));
    }

    [Fact]
    public async Task The_API_page_is_served_with_its_own_script_and_no_third_party_assets()
    {
        var page = await anonymous.GetAsync("/api-docs");
        await Expect.StatusAsync(page, HttpStatusCode.OK);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<script src=\"/api-docs/app.js\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);

        var script = await anonymous.GetAsync("/api-docs/app.js");
        await Expect.StatusAsync(script, HttpStatusCode.OK);
        Assert.Contains("/openapi/v1.json", await script.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await Expect.StatusAsync(await anonymous.GetAsync("/api-docs/app.css"), HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("GET", "/healthz", 200)]
    [InlineData("GET", "/api-docs", 200)]
    [InlineData("GET", "/api/users/me", 401)]
    [InlineData("GET", "/api/unknown", 404)]
    [InlineData("DELETE", "/api/auth/login", 405)]
    [InlineData("POST", "/api/auth/login", 400)]
    public async Task Every_response_carries_the_security_headers(string method, string path, int status)
    {
        var response = await anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(status, (int)response.StatusCode);
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
    }

    [Theory]
    [InlineData("/api/users/me")]
    [InlineData("/api/unknown")]
    public async Task Api_responses_are_never_stored_by_browsers(string path)
    {
        var user = await factory.RegisterAsync("nostore");

        var response = await user.Client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task A_created_resource_response_also_carries_the_security_headers()
    {
        var user = await factory.RegisterAsync("headers");

        var response = await user.Client.PostAsJsonAsync("/api/sessions", new { title = "h" });

        await Expect.StatusAsync(response, HttpStatusCode.Created);
        Assert.True(response.Headers.Contains("Content-Security-Policy"));
        Assert.True(response.Headers.Contains("X-Content-Type-Options"));
    }

    [Fact]
    public async Task CORS_allows_configured_origins_only()
    {
        var allowed = Preflight("https://app.example.test");
        var denied = Preflight("https://evil.example.test");

        var ok = await anonymous.SendAsync(allowed);
        Assert.Equal("https://app.example.test", Assert.Single(ok.Headers.GetValues("Access-Control-Allow-Origin")));
        var refused = await anonymous.SendAsync(denied);
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
    }

    private static HttpRequestMessage Preflight(string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/api/sessions");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
        return request;
    }

    private async Task TestApiWarmUpAsync()
    {
        var user = await factory.RegisterAsync("metrics");
        await Expect.StatusAsync(await user.Client.GetAsync("/api/users/me"), HttpStatusCode.OK);
    }

    [Fact]
    public async Task Expected_client_errors_are_not_logged_as_server_errors()
    {
        var user = await factory.RegisterAsync("quiet");
        var before = factory.Logs.Entries.Count(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error);

        await Expect.ProblemAsync(await user.Client.GetAsync("/api/sessions/NoSuchSession"), HttpStatusCode.NotFound, "not_found");
        await Expect.ProblemAsync(await user.Client.SendAsync(TestApi.Json(HttpMethod.Post, "/api/sessions", "{bad")), HttpStatusCode.BadRequest, "validation_failed");

        Assert.Equal(before, factory.Logs.Entries.Count(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error));
    }
}
