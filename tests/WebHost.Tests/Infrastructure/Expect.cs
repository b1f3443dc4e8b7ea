namespace Actors.WebHost.Tests.Infrastructure;

/// <summary>Assertions on responses that show the body when they fail.</summary>
public static class Expect
{
    public static async Task StatusAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        if (response.StatusCode != status)
        {
            var body = response.Content is null ? "" : await response.Content.ReadAsStringAsync();
            Assert.Fail($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery}: expected {(int)status} {status} but got {(int)response.StatusCode}: {body}");
        }
    }

    public static async Task<JsonElement> OkJsonAsync(HttpResponseMessage response, HttpStatusCode status = HttpStatusCode.OK)
    {
        await StatusAsync(response, status);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>An RFC 7807 problem with this status and code; returns its body.</summary>
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        await StatusAsync(response, status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(code, body.GetProperty("code").GetString());
        Assert.Equal((int)status, body.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrEmpty(body.GetProperty("detail").GetString()));
        Assert.False(body.TryGetProperty("exception", out _));
        Assert.DoesNotContain("   at ", body.GetRawText(), StringComparison.Ordinal);
        return body;
    }

    /// <summary>validation_failed whose errors name <paramref name="field"/>.</summary>
    public static async Task<JsonElement> ValidationAsync(HttpResponseMessage response, string field)
    {
        var body = await ProblemAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        var errors = body.GetProperty("errors");
        Assert.True(errors.EnumerateObject().Any(e => string.Equals(e.Name, field, StringComparison.OrdinalIgnoreCase)),
            $"errors should name '{field}': {errors.GetRawText()}");
        return body;
    }
}
