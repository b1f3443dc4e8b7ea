namespace Actors.WebHost.Tests;

[Collection(SessionsCollection.Name)]
public sealed class SessionTests(ApiFactory factory)
{
    [Fact]
    public async Task Creating_a_session_answers_201_with_Location_and_the_caller_as_owner()
    {
        var owner = await factory.RegisterAsync("owner");

        var response = await owner.Client.PostAsJsonAsync("/api/sessions", new { title = "Standup", visibility = "public" });

        var session = await Expect.OkJsonAsync(response, HttpStatusCode.Created);
        var id = session.GetProperty("id").GetString()!;
        Assert.Matches("^[A-Za-z0-9_-]{1,64}$", id);
        Assert.Equal($"/api/sessions/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal("Standup", session.GetProperty("title").GetString());
        Assert.Equal("public", session.GetProperty("visibility").GetString());
        Assert.Equal("open", session.GetProperty("status").GetString());
        Assert.Equal(owner.Id, session.GetProperty("ownerId").GetString());
        Assert.True(session.TryGetProperty("createdAt", out _));
        Assert.True(session.TryGetProperty("lastSeq", out _));
        var member = Assert.Single(session.GetProperty("members").EnumerateArray());
        Assert.Equal(owner.Id, member.GetProperty("userId").GetString());
        Assert.Equal("owner", member.GetProperty("role").GetString());

        var fetched = await Expect.OkJsonAsync(await owner.Client.GetAsync($"/api/sessions/{id}"));
        Assert.Equal(id, fetched.GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_session_is_private_unless_asked_otherwise()
    {
        var owner = await factory.RegisterAsync("owner");

        var session = await Expect.OkJsonAsync(await owner.Client.PostAsJsonAsync("/api/sessions", new { title = "Quiet" }), HttpStatusCode.Created);

        Assert.Equal("private", session.GetProperty("visibility").GetString());
    }

    [Theory]
    [InlineData("owner", HttpStatusCode.OK, null)]
    [InlineData("member", HttpStatusCode.OK, null)]
    [InlineData("viewer", HttpStatusCode.OK, null)]
    [InlineData("outsider", HttpStatusCode.NotFound, "not_found")]
    public async Task Reading_a_private_session(string who, HttpStatusCode status, string? code)
    {
        var cast = await SessionCast.CreateAsync(factory);

        var response = await cast[who].Client.GetAsync($"/api/sessions/{cast.SessionId}");

        await AssertOutcomeAsync(response, status, code);
    }

    [Fact]
    public async Task Anyone_signed_in_reads_a_public_session_but_anonymous_is_401()
    {
        var cast = await SessionCast.CreateAsync(factory, "public");
        using var anonymous = factory.CreateApiClient();

        await Expect.StatusAsync(await cast.Outsider.Client.GetAsync($"/api/sessions/{cast.SessionId}"), HttpStatusCode.OK);
        await Expect.ProblemAsync(await anonymous.GetAsync($"/api/sessions/{cast.SessionId}"), HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Theory]
    [InlineData("owner", HttpStatusCode.OK, null)]
    [InlineData("member", HttpStatusCode.Forbidden, "forbidden")]
    [InlineData("viewer", HttpStatusCode.Forbidden, "forbidden")]
    [InlineData("outsider", HttpStatusCode.NotFound, "not_found")]
    public async Task Editing_a_session_is_for_the_owner(string who, HttpStatusCode status, string? code)
    {
        var cast = await SessionCast.CreateAsync(factory);

        var response = await cast[who].Client.PatchAsJsonAsync($"/api/sessions/{cast.SessionId}", new { title = "Renamed", visibility = "public" });

        var body = await AssertOutcomeAsync(response, status, code);
        if (status == HttpStatusCode.OK)
        {
            Assert.Equal("Renamed", body.GetProperty("title").GetString());
            Assert.Equal("public", body.GetProperty("visibility").GetString());
        }
    }

    [Fact]
    public async Task Patching_only_the_title_keeps_the_visibility()
    {
        var owner = await factory.RegisterAsync("owner");
        var id = await owner.CreateSessionIdAsync("public");

        var body = await Expect.OkJsonAsync(await owner.Client.PatchAsJsonAsync($"/api/sessions/{id}", new { title = "Only title" }));

        Assert.Equal("Only title", body.GetProperty("title").GetString());
        Assert.Equal("public", body.GetProperty("visibility").GetString());
    }

    [Theory]
    [InlineData("owner", HttpStatusCode.OK, null)]
    [InlineData("member", HttpStatusCode.Forbidden, "forbidden")]
    [InlineData("viewer", HttpStatusCode.Forbidden, "forbidden")]
    [InlineData("outsider", HttpStatusCode.NotFound, "not_found")]
    public async Task Closing_a_session_is_for_the_owner(string who, HttpStatusCode status, string? code)
    {
        var cast = await SessionCast.CreateAsync(factory);

        var response = await cast[who].Client.PostAsync($"/api/sessions/{cast.SessionId}/close", null);

        var body = await AssertOutcomeAsync(response, status, code);
        if (status == HttpStatusCode.OK)
        {
            Assert.Equal("closed", body.GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task A_closed_session_rejects_publishes_and_resource_creation_with_409_session_closed()
    {
        var cast = await SessionCast.CreateAsync(factory);
        await Expect.StatusAsync(await cast.Owner.Client.PostAsync($"/api/sessions/{cast.SessionId}/close", null), HttpStatusCode.OK);

        await Expect.ProblemAsync(await cast.Member.PublishAsync(cast.SessionId), HttpStatusCode.Conflict, "session_closed");
        var create = await cast.Member.Client.PostAsJsonAsync($"/api/sessions/{cast.SessionId}/resources", new { name = "n", kind = "k", data = new { } });
        await Expect.ProblemAsync(create, HttpStatusCode.Conflict, "session_closed");
    }

    [Fact]
    public async Task Joining_a_public_session_makes_the_caller_a_member()
    {
        var owner = await factory.RegisterAsync("owner");
        var joiner = await factory.RegisterAsync("joiner");
        var id = await owner.CreateSessionIdAsync("public");

        var session = await Expect.OkJsonAsync(await joiner.Client.PostAsync($"/api/sessions/{id}/join", null));

        Assert.Contains(session.GetProperty("members").EnumerateArray(),
            m => m.GetProperty("userId").GetString() == joiner.Id && m.GetProperty("role").GetString() == "member");
        await Expect.StatusAsync(await joiner.PublishAsync(id), HttpStatusCode.Created);
    }

    [Fact]
    public async Task Joining_a_private_session_is_404()
    {
        var owner = await factory.RegisterAsync("owner");
        var outsider = await factory.RegisterAsync("outsider");
        var id = await owner.CreateSessionIdAsync("private");

        await Expect.ProblemAsync(await outsider.Client.PostAsync($"/api/sessions/{id}/join", null), HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task An_unknown_session_is_404_not_found()
    {
        var user = await factory.RegisterAsync("user");

        await Expect.ProblemAsync(await user.Client.GetAsync("/api/sessions/NoSuchSession"), HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Listing_pages_through_the_callers_sessions_with_a_cursor()
    {
        var user = await factory.RegisterAsync("lister");
        var other = await factory.RegisterAsync("other");
        var created = new HashSet<string>();
        for (var i = 0; i < 5; i++)
        {
            created.Add(await user.CreateSessionIdAsync());
        }

        var shared = await other.CreateSessionIdAsync();
        await other.SetMemberAsync(shared, user, "viewer");
        created.Add(shared);
        await other.CreateSessionIdAsync(); // not the user's

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await Expect.OkJsonAsync(await user.Client.GetAsync($"/api/sessions?limit=2{(cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor))}"));
            var items = page.GetProperty("items").EnumerateArray().ToList();
            Assert.InRange(items.Count, 1, 2);
            seen.AddRange(items.Select(s => s.GetProperty("id").GetString()!));
            Assert.All(items, s => Assert.True(s.TryGetProperty("members", out _)));
            cursor = page.GetProperty("nextCursor").ValueKind == JsonValueKind.Null ? null : page.GetProperty("nextCursor").GetString();
            pages++;
        }
        while (cursor is not null && pages < 10);

        Assert.Equal(created.Order(), seen.Order());
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task A_limit_above_the_maximum_is_clamped()
    {
        var user = await factory.RegisterAsync("clamp");
        await user.CreateSessionIdAsync();

        var page = await Expect.OkJsonAsync(await user.Client.GetAsync("/api/sessions?limit=1000000000000"));

        Assert.Single(page.GetProperty("items").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, page.GetProperty("nextCursor").ValueKind);
    }

    [Theory]
    [InlineData("limit=-1")]
    [InlineData("limit=0")]
    [InlineData("limit=1.5")]
    [InlineData("limit=abc")]
    [InlineData("limit=")]
    [InlineData("limit=%2B5")]
    [InlineData("cursor=not-a-cursor")]
    public async Task Bad_list_parameters_are_400_validation_failed(string query)
    {
        var user = await factory.RegisterAsync("bad");

        var response = await user.Client.GetAsync($"/api/sessions?{query}");

        await Expect.ValidationAsync(response, query.Split('=')[0]);
    }

    private static async Task<JsonElement> AssertOutcomeAsync(HttpResponseMessage response, HttpStatusCode status, string? code) =>
        code is null ? await Expect.OkJsonAsync(response, status) : await Expect.ProblemAsync(response, status, code);
}
