using System.Text;

namespace Actors.WebHost.Tests;

/// <summary>Every malformed request gets a 4xx problem with a code — never a 5xx, never an empty body.</summary>
[Collection(InputsCollection.Name)]
public sealed class MalformedInputTests(ApiFactory factory) : IAsyncLifetime
{
    private static readonly string Deep = new string('[', 40) + new string(']', 40);

    private TestUser owner = null!;
    private string sessionId = null!;
    private string resourceId = null!;

    public static TheoryData<string, string, string?, string, int, string> Cases => new()
    {
        // method, path ({s} session, {r} resource), content type, body, status, code
        { "POST", "/api/auth/register", "application/json", "{\"email\":", 400, "validation_failed" },
        { "POST", "/api/auth/register", "text/plain", "{}", 415, "unsupported_media_type" },
        { "POST", "/api/auth/register", "application/xml", "<a/>", 415, "unsupported_media_type" },
        { "POST", "/api/auth/login", "application/json", "{\"email\":[\"x\"],\"password\":\"p\"}", 400, "validation_failed" },
        { "POST", "/api/auth/login", "application/json", "", 400, "validation_failed" },
        { "POST", "/api/auth/refresh", "application/json", "{}", 400, "validation_failed" },
        { "POST", "/api/sessions", "application/json", "[]", 400, "validation_failed" },
        { "POST", "/api/sessions", "application/json", "{\"title\":123}", 400, "validation_failed" },
        { "POST", "/api/sessions", "application/json", "{}", 400, "validation_failed" },
        { "POST", "/api/sessions", "application/json", "{\"title\":\"t\",\"visibility\":\"secret\"}", 400, "validation_failed" },
        { "POST", "/api/sessions", "application/json", "{\"title\":\"" + new string('t', 201) + "\"}", 400, "validation_failed" },
        { "POST", "/api/sessions", "application/json", "{\"title\":\"t\",}", 400, "validation_failed" },
        { "POST", "/api/sessions", "application/json", "{\"title\":\"" + new string('t', 600 * 1024) + "\"}", 413, "payload_too_large" },
        { "POST", "/api/sessions", null, "", 400, "validation_failed" },
        { "PATCH", "/api/sessions/{s}", "application/json", "{\"visibility\":5}", 400, "validation_failed" },
        { "PATCH", "/api/sessions/{s}", "application/json", "{\"title\":\"\"}", 400, "validation_failed" },
        { "PUT", "/api/sessions/{s}/members/{s}", "application/json", "{\"role\":\"king\"}", 400, "validation_failed" },
        { "POST", "/api/sessions/{s}/events", "application/json", "{\"type\":\"UPPER\",\"payload\":1}", 400, "validation_failed" },
        { "POST", "/api/sessions/{s}/events", "application/json", "{\"type\":\"t\",\"payload\":\"" + new string('p', 17 * 1024) + "\"}", 400, "validation_failed" },
        { "POST", "/api/sessions/{s}/events", "application/json", "{\"type\":\"t\",\"payload\":1,\"clientMsgId\":\"\"}", 400, "validation_failed" },
        { "POST", "/api/sessions/{s}/events", "application/json", "{\"type\":\"t\",\"payload\":1,\"clientMsgId\":7}", 400, "validation_failed" },
        { "POST", "/api/sessions/{s}/resources", "application/json", "{\"name\":\"n\",\"kind\":\"Bad Kind\",\"data\":{}}", 400, "validation_failed" },
        { "POST", "/api/sessions/{s}/resources", "application/json", "{\"name\":\"\",\"kind\":\"k\",\"data\":{}}", 400, "validation_failed" },
        { "POST", "/api/sessions/{s}/resources", "application/json", "{\"name\":\"n\",\"kind\":\"k\"}", 400, "validation_failed" },
        { "POST", "/api/sessions/{s}/resources", "application/json", "{\"name\":\"n\",\"kind\":\"k\",\"data\":" + Deep + "}", 400, "validation_failed" },
        { "POST", "/api/sessions/{s}/resources", "application/json", "{\"name\":\"n\",\"kind\":\"k\",\"data\":\"" + new string('d', 300 * 1024) + "\"}", 400, "validation_failed" },
        { "PUT", "/api/resources/{r}", "application/json", "{\"data\":1}", 428, "precondition_required" },
        { "PUT", "/api/resources/{r}", "application/json", "{\"nodata\":1}", 400, "validation_failed" },
        { "PATCH", "/api/resources/{r}", "application/json", "{}", 415, "unsupported_media_type" },
        { "PATCH", "/api/resources/{r}", "application/merge-patch+json", "{not json", 400, "validation_failed" },
        { "POST", "/api/resources/{r}/lock", "application/json", "{\"ttlSeconds\":0}", 400, "validation_failed" },
        { "POST", "/api/resources/{r}/lock", "application/json", "{\"ttlSeconds\":301}", 400, "validation_failed" },
        { "POST", "/api/resources/{r}/lock", "application/json", "{\"ttlSeconds\":\"ten\"}", 400, "validation_failed" },
        { "GET", "/api/sessions/bad.id", null, "", 400, "validation_failed" },
        { "GET", "/api/sessions/" + new string('a', 65), null, "", 400, "validation_failed" },
        { "GET", "/api/sessions/a%20b", null, "", 400, "validation_failed" },
        { "GET", "/api/sessions/%E2%9C%93", null, "", 400, "validation_failed" },
        { "GET", "/api/resources/a$b", null, "", 400, "validation_failed" },
        { "GET", "/api/users/a%2Fb", null, "", 400, "validation_failed" },
        { "DELETE", "/api/sessions/{s}/members/no.pe", null, "", 400, "validation_failed" },
        { "GET", "/api/sessions?limit=-1", null, "", 400, "validation_failed" },
        { "GET", "/api/sessions?limit=abc", null, "", 400, "validation_failed" },
        { "GET", "/api/sessions?limit=2.5", null, "", 400, "validation_failed" },
        { "GET", "/api/sessions?cursor=" + new string('c', 600), null, "", 400, "validation_failed" },
        { "GET", "/api/sessions/{s}/events?after=-1", null, "", 400, "validation_failed" },
        { "GET", "/api/sessions/{s}/events?limit=1e3", null, "", 400, "validation_failed" },
        { "GET", "/api/resources/{r}/history?limit=-2", null, "", 400, "validation_failed" },
        { "GET", "/api/unknown", null, "", 404, "not_found" },
        { "GET", "/api/sessions/{s}/nothing", null, "", 404, "not_found" },
        { "GET", "/nowhere", null, "", 404, "not_found" },
        { "DELETE", "/api/auth/login", null, "", 405, "method_not_allowed" },
        { "PUT", "/api/sessions", "application/json", "{}", 405, "method_not_allowed" },
        { "POST", "/api/resources/{r}", "application/json", "{}", 405, "method_not_allowed" },
        { "GET", "/api/sessions/{s}/close", null, "", 405, "method_not_allowed" },
    };

    public async Task InitializeAsync()
    {
        owner = await factory.RegisterAsync("owner");
        sessionId = await owner.CreateSessionIdAsync();
        resourceId = await owner.CreateResourceIdAsync(sessionId);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Malformed_requests_get_a_4xx_problem_with_a_code(string method, string path, string? contentType, string body, int status, string code)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{s}", sessionId, StringComparison.Ordinal).Replace("{r}", resourceId, StringComparison.Ordinal));
        if (contentType is not null || body.Length > 0)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            if (contentType is not null)
            {
                request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
            }
        }

        var response = await owner.Client.SendAsync(request);

        await Expect.ProblemAsync(response, (HttpStatusCode)status, code);
    }

    [Fact]
    public async Task A_chunked_body_over_the_limit_is_413_payload_too_large()
    {
        var json = "{\"title\":\"" + new string('t', 600 * 1024) + "\"}";
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/sessions") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        var response = await owner.Client.SendAsync(request);

        await Expect.ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
    }

    [Fact]
    public async Task A_chunked_body_within_the_limit_is_accepted()
    {
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes("{\"title\":\"chunked\"}")));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/sessions") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        await Expect.StatusAsync(await owner.Client.SendAsync(request), HttpStatusCode.Created);
    }

    [Fact]
    public async Task Validation_problems_list_every_bad_field_in_camel_case()
    {
        var response = await owner.Client.SendAsync(TestApi.Json(HttpMethod.Post, $"/api/sessions/{sessionId}/resources", "{\"name\":\"\",\"kind\":\"BAD\"}"));

        var problem = await Expect.ProblemAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        var fields = problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).ToList();
        Assert.Contains("name", fields);
        Assert.Contains("kind", fields);
        Assert.All(problem.GetProperty("errors").EnumerateObject(), e => Assert.NotEmpty(e.Value.EnumerateArray()));
    }

    [Fact]
    public async Task A_wrong_method_names_the_allowed_ones()
    {
        var response = await owner.Client.DeleteAsync("/api/auth/login");

        await Expect.ProblemAsync(response, HttpStatusCode.MethodNotAllowed, "method_not_allowed");
        Assert.Contains("POST", response.Content.Headers.Allow);
    }
}
