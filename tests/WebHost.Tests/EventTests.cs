namespace Actors.WebHost.Tests;

[Collection(SessionsCollection.Name)]
public sealed class EventTests(ApiFactory factory)
{
    [Fact]
    public async Task Publishing_answers_201_with_the_next_seq_and_its_time()
    {
        var owner = await factory.RegisterAsync("owner");
        var id = await owner.CreateSessionIdAsync();

        var first = await Expect.OkJsonAsync(await owner.PublishAsync(id, payload: new { text = "one" }), HttpStatusCode.Created);
        var second = await Expect.OkJsonAsync(await owner.PublishAsync(id, payload: new { text = "two" }), HttpStatusCode.Created);

        Assert.Equal(first.GetProperty("seq").GetInt64() + 1, second.GetProperty("seq").GetInt64());
        Assert.True(first.TryGetProperty("at", out _));
    }

    [Fact]
    public async Task Publishing_the_same_clientMsgId_again_answers_200_with_the_original_seq()
    {
        var owner = await factory.RegisterAsync("owner");
        var id = await owner.CreateSessionIdAsync();

        var first = await Expect.OkJsonAsync(await owner.PublishAsync(id, clientMsgId: "msg-1"), HttpStatusCode.Created);
        var again = await Expect.OkJsonAsync(await owner.PublishAsync(id, clientMsgId: "msg-1"), HttpStatusCode.OK);

        Assert.Equal(first.GetProperty("seq").GetInt64(), again.GetProperty("seq").GetInt64());
        var log = await Expect.OkJsonAsync(await owner.Client.GetAsync($"/api/sessions/{id}/events"));
        Assert.Single(log.GetProperty("items").EnumerateArray(), e => e.GetProperty("type").GetString() == "chat.message");
    }

    [Theory]
    [InlineData("owner", HttpStatusCode.Created, null)]
    [InlineData("member", HttpStatusCode.Created, null)]
    [InlineData("viewer", HttpStatusCode.Forbidden, "forbidden")]
    [InlineData("outsider", HttpStatusCode.NotFound, "not_found")]
    public async Task Publishing_is_for_members_and_the_owner(string who, HttpStatusCode status, string? code)
    {
        var cast = await SessionCast.CreateAsync(factory);

        var response = await cast[who].PublishAsync(cast.SessionId);

        if (code is null)
        {
            await Expect.StatusAsync(response, status);
        }
        else
        {
            await Expect.ProblemAsync(response, status, code);
        }
    }

    [Theory]
    [InlineData("owner", HttpStatusCode.OK, null)]
    [InlineData("member", HttpStatusCode.OK, null)]
    [InlineData("viewer", HttpStatusCode.OK, null)]
    [InlineData("outsider", HttpStatusCode.NotFound, "not_found")]
    public async Task Reading_events_is_for_viewers_and_up(string who, HttpStatusCode status, string? code)
    {
        var cast = await SessionCast.CreateAsync(factory);

        var response = await cast[who].Client.GetAsync($"/api/sessions/{cast.SessionId}/events");

        if (code is null)
        {
            await Expect.StatusAsync(response, status);
        }
        else
        {
            await Expect.ProblemAsync(response, status, code);
        }
    }

    [Fact]
    public async Task Reading_after_a_seq_with_a_limit_returns_that_page_in_order_with_lastSeq()
    {
        var owner = await factory.RegisterAsync("owner");
        var id = await owner.CreateSessionIdAsync();
        var seqs = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            seqs.Add((await Expect.OkJsonAsync(await owner.PublishAsync(id, payload: new { n = i }), HttpStatusCode.Created)).GetProperty("seq").GetInt64());
        }

        var page = await Expect.OkJsonAsync(await owner.Client.GetAsync($"/api/sessions/{id}/events?after={seqs[0]}&limit=1"));

        var item = Assert.Single(page.GetProperty("items").EnumerateArray());
        Assert.Equal(seqs[1], item.GetProperty("seq").GetInt64());
        Assert.Equal("chat.message", item.GetProperty("type").GetString());
        Assert.Equal(owner.Id, item.GetProperty("authorId").GetString());
        Assert.Equal(1, item.GetProperty("payload").GetProperty("n").GetInt32());
        Assert.True(item.TryGetProperty("at", out _));
        Assert.Equal(seqs[2], page.GetProperty("lastSeq").GetInt64());

        var all = await Expect.OkJsonAsync(await owner.Client.GetAsync($"/api/sessions/{id}/events?after=0&limit=5000"));
        var allSeqs = all.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("seq").GetInt64()).ToList();
        Assert.Equal(allSeqs.Order(), allSeqs);
        Assert.Equal(Enumerable.Range(1, allSeqs.Count).Select(n => (long)n), allSeqs);
    }

    [Fact]
    public async Task Membership_changes_appear_in_the_log_as_system_events()
    {
        var cast = await SessionCast.CreateAsync(factory);

        var log = await Expect.OkJsonAsync(await cast.Owner.Client.GetAsync($"/api/sessions/{cast.SessionId}/events"));

        Assert.Contains(log.GetProperty("items").EnumerateArray(), e => e.GetProperty("type").GetString() == "member.joined");
    }

    [Theory]
    [InlineData("after=-1", "after")]
    [InlineData("after=abc", "after")]
    [InlineData("after=1.5", "after")]
    [InlineData("limit=-5", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("limit=2.0", "limit")]
    public async Task Bad_event_query_values_are_400(string query, string field)
    {
        var owner = await factory.RegisterAsync("owner");
        var id = await owner.CreateSessionIdAsync();

        await Expect.ValidationAsync(await owner.Client.GetAsync($"/api/sessions/{id}/events?{query}"), field);
    }

    [Fact]
    public async Task Bad_events_are_400_naming_the_field()
    {
        var owner = await factory.RegisterAsync("owner");
        var id = await owner.CreateSessionIdAsync();

        await Expect.ValidationAsync(await owner.PublishAsync(id, type: "Not A Type"), "type");
        await Expect.ValidationAsync(await owner.PublishAsync(id, type: new string('a', 65)), "type");
        await Expect.ValidationAsync(await owner.PublishAsync(id, payload: new { big = new string('x', 17 * 1024) }), "payload");
        await Expect.ValidationAsync(await owner.PublishAsync(id, clientMsgId: new string('c', 129)), "clientMsgId");
        await Expect.ValidationAsync(await owner.Client.PostAsJsonAsync($"/api/sessions/{id}/events", new { type = "x" }), "payload");
    }

    [Fact]
    public async Task A_null_payload_is_a_payload()
    {
        var owner = await factory.RegisterAsync("owner");
        var id = await owner.CreateSessionIdAsync();

        var response = await owner.Client.SendAsync(TestApi.Json(HttpMethod.Post, $"/api/sessions/{id}/events", "{\"type\":\"ping\",\"payload\":null}"));

        await Expect.StatusAsync(response, HttpStatusCode.Created);
    }
}
