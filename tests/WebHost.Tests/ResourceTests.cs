namespace Actors.WebHost.Tests;

[Collection(ResourcesCollection.Name)]
public sealed class ResourceTests(ApiFactory factory)
{
    private const string MergePatch = "application/merge-patch+json";

    [Fact]
    public async Task Creating_a_resource_answers_201_with_ETag_1_and_Location()
    {
        var owner = await factory.RegisterAsync("owner");
        var sessionId = await owner.CreateSessionIdAsync();

        var response = await owner.Client.PostAsJsonAsync($"/api/sessions/{sessionId}/resources", new { name = "Board", kind = "whiteboard", data = new { shapes = new[] { 1, 2 } } });

        var resource = await Expect.OkJsonAsync(response, HttpStatusCode.Created);
        var id = resource.GetProperty("id").GetString()!;
        Assert.Equal("\"1\"", response.Headers.ETag?.ToString());
        Assert.Equal($"/api/resources/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal(sessionId, resource.GetProperty("sessionId").GetString());
        Assert.Equal("Board", resource.GetProperty("name").GetString());
        Assert.Equal("whiteboard", resource.GetProperty("kind").GetString());
        Assert.Equal(1, resource.GetProperty("version").GetInt64());
        Assert.Equal(2, resource.GetProperty("data").GetProperty("shapes").GetArrayLength());
        Assert.Equal(owner.Id, resource.GetProperty("updatedBy").GetString());
    }

    [Theory]
    [InlineData("owner", HttpStatusCode.Created, null)]
    [InlineData("member", HttpStatusCode.Created, null)]
    [InlineData("viewer", HttpStatusCode.Forbidden, "forbidden")]
    [InlineData("outsider", HttpStatusCode.NotFound, "not_found")]
    public async Task Creating_resources_is_for_members_and_the_owner(string who, HttpStatusCode status, string? code)
    {
        var cast = await SessionCast.CreateAsync(factory);

        var response = await cast[who].Client.PostAsJsonAsync($"/api/sessions/{cast.SessionId}/resources", new { name = "n", kind = "k", data = new { } });

        await AssertOutcomeAsync(response, status, code);
    }

    [Theory]
    [InlineData("owner", HttpStatusCode.OK, null)]
    [InlineData("member", HttpStatusCode.OK, null)]
    [InlineData("viewer", HttpStatusCode.OK, null)]
    [InlineData("outsider", HttpStatusCode.NotFound, "not_found")]
    public async Task Reading_a_resource_and_its_session_list_is_for_viewers_and_up(string who, HttpStatusCode status, string? code)
    {
        var cast = await SessionCast.CreateAsync(factory);
        var resourceId = await cast.Owner.CreateResourceIdAsync(cast.SessionId);

        await AssertOutcomeAsync(await cast[who].Client.GetAsync($"/api/resources/{resourceId}"), status, code);
        var list = await cast[who].Client.GetAsync($"/api/sessions/{cast.SessionId}/resources");
        var body = await AssertOutcomeAsync(list, status, code);
        if (code is null)
        {
            Assert.Equal(resourceId, Assert.Single(body.GetProperty("items").EnumerateArray()).GetProperty("id").GetString());
        }
    }

    [Fact]
    public async Task Get_sends_the_version_as_ETag_and_If_None_Match_answers_304()
    {
        var owner = await factory.RegisterAsync("owner");
        var id = await owner.CreateResourceIdAsync(await owner.CreateSessionIdAsync());

        var first = await owner.Client.GetAsync($"/api/resources/{id}");
        await Expect.StatusAsync(first, HttpStatusCode.OK);
        Assert.Equal("\"1\"", first.Headers.ETag?.ToString());

        var cached = new HttpRequestMessage(HttpMethod.Get, $"/api/resources/{id}");
        cached.Headers.TryAddWithoutValidation("If-None-Match", "\"1\"");
        var notModified = await owner.Client.SendAsync(cached);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal("\"1\"", notModified.Headers.ETag?.ToString());
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());

        var stale = new HttpRequestMessage(HttpMethod.Get, $"/api/resources/{id}");
        stale.Headers.TryAddWithoutValidation("If-None-Match", "\"0\"");
        await Expect.StatusAsync(await owner.Client.SendAsync(stale), HttpStatusCode.OK);
    }

    [Fact]
    public async Task Put_without_If_Match_is_428_precondition_required()
    {
        var owner = await factory.RegisterAsync("owner");
        var id = await owner.CreateResourceIdAsync(await owner.CreateSessionIdAsync());

        var response = await owner.Client.PutAsJsonAsync($"/api/resources/{id}", new { data = new { v = 2 } });

        await Expect.ProblemAsync(response, (HttpStatusCode)428, "precondition_required");
    }

    [Fact]
    public async Task Put_with_the_current_ETag_replaces_the_data_and_a_stale_one_is_412_with_currentVersion()
    {
        var owner = await factory.RegisterAsync("owner");
        var id = await owner.CreateResourceIdAsync(await owner.CreateSessionIdAsync());

        var replaced = await owner.Client.SendAsync(TestApi.Json(HttpMethod.Put, $"/api/resources/{id}", "{\"data\":{\"v\":2}}").WithIfMatch("\"1\""));
        var body = await Expect.OkJsonAsync(replaced);
        Assert.Equal(2, body.GetProperty("version").GetInt64());
        Assert.Equal(2, body.GetProperty("data").GetProperty("v").GetInt32());
        Assert.Equal("\"2\"", replaced.Headers.ETag?.ToString());

        var stale = await owner.Client.SendAsync(TestApi.Json(HttpMethod.Put, $"/api/resources/{id}", "{\"data\":{\"v\":3}}").WithIfMatch("\"1\""));
        var problem = await Expect.ProblemAsync(stale, HttpStatusCode.PreconditionFailed, "version_conflict");
        Assert.Equal(2, problem.GetProperty("currentVersion").GetInt64());

        var garbage = await owner.Client.SendAsync(TestApi.Json(HttpMethod.Put, $"/api/resources/{id}", "{\"data\":{\"v\":3}}").WithIfMatch("\"abc\""));
        await Expect.ProblemAsync(garbage, HttpStatusCode.PreconditionFailed, "version_conflict");
    }

    [Fact]
    public async Task Patch_applies_a_merge_patch_with_If_Match()
    {
        var owner = await factory.RegisterAsync("owner");
        var id = await owner.CreateResourceIdAsync(await owner.CreateSessionIdAsync(), new { title = "t", keep = 1, drop = true });

        var response = await owner.Client.SendAsync(TestApi.Json(HttpMethod.Patch, $"/api/resources/{id}", "{\"title\":\"new\",\"drop\":null}", MergePatch).WithIfMatch("\"1\""));

        var body = await Expect.OkJsonAsync(response);
        var data = body.GetProperty("data");
        Assert.Equal("new", data.GetProperty("title").GetString());
        Assert.Equal(1, data.GetProperty("keep").GetInt32());
        Assert.False(data.TryGetProperty("drop", out _));
        Assert.Equal("\"2\"", response.Headers.ETag?.ToString());
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("text/plain")]
    public async Task Patch_with_another_content_type_is_415(string contentType)
    {
        var owner = await factory.RegisterAsync("owner");
        var id = await owner.CreateResourceIdAsync(await owner.CreateSessionIdAsync());

        var response = await owner.Client.SendAsync(TestApi.Json(HttpMethod.Patch, $"/api/resources/{id}", "{\"title\":\"new\"}", contentType).WithIfMatch("\"1\""));

        await Expect.ProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
    }

    [Fact]
    public async Task Patch_without_If_Match_is_428_and_with_a_stale_one_is_412()
    {
        var owner = await factory.RegisterAsync("owner");
        var id = await owner.CreateResourceIdAsync(await owner.CreateSessionIdAsync());

        await Expect.ProblemAsync(await owner.Client.SendAsync(TestApi.Json(HttpMethod.Patch, $"/api/resources/{id}", "{}", MergePatch)), (HttpStatusCode)428, "precondition_required");
        var stale = await Expect.ProblemAsync(await owner.Client.SendAsync(TestApi.Json(HttpMethod.Patch, $"/api/resources/{id}", "{}", MergePatch).WithIfMatch("\"7\"")),
            HttpStatusCode.PreconditionFailed, "version_conflict");
        Assert.Equal(1, stale.GetProperty("currentVersion").GetInt64());
    }

    [Theory]
    [InlineData("owner", HttpStatusCode.OK, null)]
    [InlineData("member", HttpStatusCode.OK, null)]
    [InlineData("viewer", HttpStatusCode.Forbidden, "forbidden")]
    [InlineData("outsider", HttpStatusCode.NotFound, "not_found")]
    public async Task Updating_resources_is_for_members_and_the_owner(string who, HttpStatusCode status, string? code)
    {
        var cast = await SessionCast.CreateAsync(factory);
        var id = await cast.Owner.CreateResourceIdAsync(cast.SessionId);

        var response = await cast[who].Client.SendAsync(TestApi.Json(HttpMethod.Put, $"/api/resources/{id}", "{\"data\":1}").WithIfMatch("\"1\""));

        await AssertOutcomeAsync(response, status, code);
    }

    [Fact]
    public async Task A_lock_held_by_another_member_makes_their_writes_409_locked_until_released()
    {
        var cast = await SessionCast.CreateAsync(factory);
        var id = await cast.Owner.CreateResourceIdAsync(cast.SessionId);

        var held = await Expect.OkJsonAsync(await cast.Owner.Client.PostAsJsonAsync($"/api/resources/{id}/lock", new { ttlSeconds = 60 }));
        Assert.Equal(cast.Owner.Id, held.GetProperty("lockedBy").GetString());
        Assert.True(held.GetProperty("expiresAt").GetDateTimeOffset() > DateTimeOffset.UtcNow);

        var put = await cast.Member.Client.SendAsync(TestApi.Json(HttpMethod.Put, $"/api/resources/{id}", "{\"data\":2}").WithIfMatch("\"1\""));
        await Expect.ProblemAsync(put, HttpStatusCode.Conflict, "locked");
        await Expect.ProblemAsync(await cast.Member.Client.PostAsJsonAsync($"/api/resources/{id}/lock", new { ttlSeconds = 10 }), HttpStatusCode.Conflict, "locked");
        await Expect.ProblemAsync(await cast.Member.Client.DeleteAsync($"/api/resources/{id}/lock"), HttpStatusCode.Conflict, "locked");
        await Expect.ProblemAsync(await cast.Member.Client.DeleteAsync($"/api/resources/{id}"), HttpStatusCode.Conflict, "locked");

        var own = await cast.Owner.Client.SendAsync(TestApi.Json(HttpMethod.Put, $"/api/resources/{id}", "{\"data\":2}").WithIfMatch("\"1\""));
        await Expect.StatusAsync(own, HttpStatusCode.OK);

        await Expect.StatusAsync(await cast.Owner.Client.DeleteAsync($"/api/resources/{id}/lock"), HttpStatusCode.NoContent);
        var after = await cast.Member.Client.SendAsync(TestApi.Json(HttpMethod.Put, $"/api/resources/{id}", "{\"data\":3}").WithIfMatch("\"2\""));
        await Expect.StatusAsync(after, HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("{\"ttlSeconds\":0}")]
    [InlineData("{\"ttlSeconds\":301}")]
    [InlineData("{\"ttlSeconds\":-1}")]
    [InlineData("{\"ttlSeconds\":1.5}")]
    [InlineData("{\"ttlSeconds\":\"abc\"}")]
    [InlineData("{}")]
    public async Task A_lock_ttl_outside_1_to_300_seconds_is_400(string json)
    {
        var owner = await factory.RegisterAsync("owner");
        var id = await owner.CreateResourceIdAsync(await owner.CreateSessionIdAsync());

        var response = await owner.Client.SendAsync(TestApi.Json(HttpMethod.Post, $"/api/resources/{id}/lock", json));

        await Expect.ValidationAsync(response, "ttlSeconds");
    }

    [Fact]
    public async Task The_viewer_cannot_lock()
    {
        var cast = await SessionCast.CreateAsync(factory);
        var id = await cast.Owner.CreateResourceIdAsync(cast.SessionId);

        await Expect.ProblemAsync(await cast.Viewer.Client.PostAsJsonAsync($"/api/resources/{id}/lock", new { ttlSeconds = 5 }), HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Deleting_answers_204_and_the_resource_is_gone()
    {
        var cast = await SessionCast.CreateAsync(factory);
        var id = await cast.Owner.CreateResourceIdAsync(cast.SessionId);

        await Expect.ProblemAsync(await cast.Viewer.Client.DeleteAsync($"/api/resources/{id}"), HttpStatusCode.Forbidden, "forbidden");
        await Expect.StatusAsync(await cast.Member.Client.DeleteAsync($"/api/resources/{id}"), HttpStatusCode.NoContent);

        await Expect.ProblemAsync(await cast.Owner.Client.GetAsync($"/api/resources/{id}"), HttpStatusCode.NotFound, "not_found");
        var list = await Expect.OkJsonAsync(await cast.Owner.Client.GetAsync($"/api/sessions/{cast.SessionId}/resources"));
        Assert.Empty(list.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task History_lists_versions_newest_first_and_clamps_the_limit()
    {
        var owner = await factory.RegisterAsync("owner");
        var id = await owner.CreateResourceIdAsync(await owner.CreateSessionIdAsync(), new { v = 1 });
        for (var version = 1; version < 3; version++)
        {
            var put = await owner.Client.SendAsync(TestApi.Json(HttpMethod.Put, $"/api/resources/{id}", $"{{\"data\":{{\"v\":{version + 1}}}}}").WithIfMatch($"\"{version}\""));
            await Expect.StatusAsync(put, HttpStatusCode.OK);
        }

        var history = await Expect.OkJsonAsync(await owner.Client.GetAsync($"/api/resources/{id}/history"));
        var versions = history.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([3L, 2L, 1L], versions.Select(v => v.GetProperty("version").GetInt64()));
        Assert.Equal(3, versions[0].GetProperty("data").GetProperty("v").GetInt32());
        Assert.Equal(owner.Id, versions[0].GetProperty("updatedBy").GetString());
        Assert.True(versions[0].TryGetProperty("updatedAt", out _));

        var one = await Expect.OkJsonAsync(await owner.Client.GetAsync($"/api/resources/{id}/history?limit=1"));
        Assert.Single(one.GetProperty("items").EnumerateArray());
        var clamped = await Expect.OkJsonAsync(await owner.Client.GetAsync($"/api/resources/{id}/history?limit=100000"));
        Assert.Equal(3, clamped.GetProperty("items").GetArrayLength());
        await Expect.ValidationAsync(await owner.Client.GetAsync($"/api/resources/{id}/history?limit=-2"), "limit");
    }

    [Fact]
    public async Task Resource_changes_appear_in_the_session_log()
    {
        var owner = await factory.RegisterAsync("owner");
        var sessionId = await owner.CreateSessionIdAsync();
        await owner.CreateResourceIdAsync(sessionId);

        var log = await Expect.OkJsonAsync(await owner.Client.GetAsync($"/api/sessions/{sessionId}/events"));

        Assert.Contains(log.GetProperty("items").EnumerateArray(), e => e.GetProperty("type").GetString() == "resource.created");
    }

    private static async Task<JsonElement> AssertOutcomeAsync(HttpResponseMessage response, HttpStatusCode status, string? code) =>
        code is null ? await Expect.OkJsonAsync(response, status) : await Expect.ProblemAsync(response, status, code);
}
