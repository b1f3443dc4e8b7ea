using Actors.Runtime.Testing;

namespace Actors.WebHost.Tests.Realtime;

[Collection(RealtimeCollection.Name)]
public sealed class RealtimeHubTests(RealtimeFactory factory)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private async Task<(TestUser Owner, TestUser Member, string SessionId)> SessionAsync()
    {
        var owner = await factory.RegisterAsync("owner");
        var member = await factory.RegisterAsync("member");
        var sessionId = await owner.CreateSessionIdAsync();
        await owner.SetMemberAsync(sessionId, member, "member");
        return (owner, member, sessionId);
    }

    private static long[] Seqs(HubTestClient client, string sessionId) =>
        [.. client.Events(sessionId).Select(e => e.GetProperty("seq").GetInt64())];

    [Fact]
    public async Task Published_events_reach_every_joined_connection_in_seq_order()
    {
        var (owner, member, sessionId) = await SessionAsync();
        await using var a = await factory.ConnectAsync(owner);
        await using var b = await factory.ConnectAsync(member);
        var join = await a.InvokeAsync("JoinSession", sessionId, null);
        await b.InvokeAsync("JoinSession", sessionId, null);
        Assert.Equal(sessionId, join.GetProperty("session").GetProperty("id").GetString());

        var acks = new List<long>();
        for (var i = 0; i < 30; i++)
        {
            var sender = i % 2 == 0 ? a : b;
            acks.Add((await sender.InvokeAsync("Publish", sessionId, "chat.message", new { i }, $"m-{i}")).GetProperty("seq").GetInt64());
        }

        foreach (var client in new[] { a, b })
        {
            await TestWait.UntilAsync(() => Seqs(client, sessionId).Contains(acks[^1]), Bound);
            var seqs = Seqs(client, sessionId);
            Assert.Equal(seqs.Order(), seqs);
            Assert.Equal(Enumerable.Range((int)seqs[0], seqs.Length).Select(x => (long)x), seqs);
            Assert.Subset(seqs.ToHashSet(), acks.ToHashSet());
        }
    }

    [Fact]
    public async Task Rejoining_with_afterSeq_returns_exactly_the_missed_events()
    {
        var (owner, member, sessionId) = await SessionAsync();
        long seen;
        await using (var first = await factory.ConnectAsync(member))
        {
            seen = (await first.InvokeAsync("JoinSession", sessionId, null)).GetProperty("lastSeq").GetInt64();
        }

        var published = new List<long>();
        for (var i = 0; i < 20; i++)
        {
            var response = await owner.PublishAsync(sessionId, payload: new { i });
            published.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("seq").GetInt64());
        }

        await using var again = await factory.ConnectAsync(member);
        var resumed = await again.InvokeAsync("JoinSession", sessionId, seen);

        Assert.False(resumed.GetProperty("gap").GetBoolean());
        Assert.Equal(published, resumed.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("seq").GetInt64()));
    }

    [Fact]
    public async Task Hub_errors_are_codes_followed_by_a_sentence()
    {
        var (owner, member, sessionId) = await SessionAsync();
        var stranger = await factory.RegisterAsync("stranger");
        var viewer = await factory.RegisterAsync("viewer");
        await owner.SetMemberAsync(sessionId, viewer, "viewer");
        await using var s = await factory.ConnectAsync(stranger);
        await using var v = await factory.ConnectAsync(viewer);
        await using var m = await factory.ConnectAsync(member);

        Assert.StartsWith("not_found: ", (await Assert.ThrowsAsync<HubErrorException>(() => s.InvokeAsync("JoinSession", sessionId, null))).Message, StringComparison.Ordinal);
        Assert.StartsWith("validation_failed: ", (await Assert.ThrowsAsync<HubErrorException>(() => s.InvokeAsync("JoinSession", "no spaces!", null))).Message, StringComparison.Ordinal);
        Assert.StartsWith("forbidden: ", (await Assert.ThrowsAsync<HubErrorException>(() => v.InvokeAsync("Publish", sessionId, "chat.message", new { }, null))).Message, StringComparison.Ordinal);
        Assert.StartsWith("validation_failed: ", (await Assert.ThrowsAsync<HubErrorException>(() => m.InvokeAsync("Publish", sessionId, "Not A Type", new { }, null))).Message, StringComparison.Ordinal);

        var close = await owner.Client.PostAsync($"/api/sessions/{sessionId}/close", null);
        Assert.Equal(HttpStatusCode.OK, close.StatusCode);
        Assert.StartsWith("session_closed: ", (await Assert.ThrowsAsync<HubErrorException>(() => m.InvokeAsync("Publish", sessionId, "chat.message", new { }, null))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connecting_without_a_token_is_refused()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => HubTestClient.ConnectAsync(factory.ServerAddress, accessToken: null));

        Assert.Contains("401", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watchers_see_resource_changes_and_stale_updates_get_version_conflict()
    {
        var (owner, member, sessionId) = await SessionAsync();
        var resourceId = await owner.CreateResourceIdAsync(sessionId, new { items = new[] { "a" } });
        await using var watcher = await factory.ConnectAsync(owner);
        await using var editor = await factory.ConnectAsync(member);
        var watched = await watcher.InvokeAsync("WatchResource", resourceId);
        Assert.Equal(1, watched.GetProperty("version").GetInt64());

        var updated = await editor.InvokeAsync("UpdateResource", resourceId, 1, new { items = new[] { "a", "b" } });
        Assert.Equal(2, updated.GetProperty("version").GetInt64());
        await TestWait.UntilAsync(() => watcher.Received.Any(r => r.Target == "resourceChanged" && r.Args[1].GetProperty("version").GetInt64() == 2), Bound);

        var conflict = await Assert.ThrowsAsync<HubErrorException>(() => editor.InvokeAsync("UpdateResource", resourceId, 1, new { items = Array.Empty<string>() }));
        Assert.StartsWith("version_conflict: ", conflict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dropped_connection_leaves_presence_after_the_grace_but_an_explicit_leave_shows_at_once()
    {
        var (owner, member, sessionId) = await SessionAsync();
        await using var watcher = await factory.ConnectAsync(owner);
        await watcher.InvokeAsync("JoinSession", sessionId, null);
        var dropped = await factory.ConnectAsync(member);
        await dropped.InvokeAsync("JoinSession", sessionId, null);
        await TestWait.UntilAsync(() => Presence(watcher, "joined").Contains(member.Id), Bound);

        dropped.Abort();
        await TestWait.UntilAsync(() => Presence(watcher, "left").Contains(member.Id), Bound, "the dropped member should leave after the grace");
        await dropped.DisposeAsync();

        await using var leaver = await factory.ConnectAsync(member);
        await leaver.InvokeAsync("JoinSession", sessionId, null);
        await TestWait.UntilAsync(() => Presence(watcher, "joined").Count(id => id == member.Id) == 2, Bound);
        var before = Presence(watcher, "left").Count(id => id == member.Id);
        await leaver.InvokeAsync("LeaveSession", sessionId);
        await TestWait.UntilAsync(() => Presence(watcher, "left").Count(id => id == member.Id) == before + 1, TimeSpan.FromMilliseconds(900), "an explicit leave shows before the grace would end");
    }

    [Fact]
    public async Task A_stalled_connection_does_not_hold_up_others_and_is_told_to_resync()
    {
        var (owner, member, sessionId) = await SessionAsync();
        await using var fast = await factory.ConnectAsync(owner);
        await using var stalled = await factory.ConnectAsync(member);
        await fast.InvokeAsync("JoinSession", sessionId, null);
        await stalled.InvokeAsync("JoinSession", sessionId, null);
        await stalled.PauseReadingAsync();

        var payload = new string('x', 15_000);
        long last = 0;
        for (var i = 0; i < 600; i++)
        {
            last = (await fast.InvokeAsync("Publish", sessionId, "bulk.data", new { i, payload }, null)).GetProperty("seq").GetInt64();
        }

        await TestWait.UntilAsync(() => Seqs(fast, sessionId).Contains(last), Bound, "the fast client gets everything while the other is stalled");
        stalled.ResumeReading();
        await TestWait.UntilAsync(() => stalled.Received.Any(r => r.Target == "resync"), Bound);

        var resync = stalled.Received.First(r => r.Target == "resync");
        Assert.Equal("slow_consumer", resync.Args[1].GetProperty("reason").GetString());
        var got = Seqs(stalled, sessionId);
        Assert.Equal(Enumerable.Range((int)(got.FirstOrDefault()), got.Length).Select(x => (long)x), got);
    }

    private static List<string> Presence(HubTestClient client, string kind) =>
        [.. client.Received.Where(r => r.Target == "presence").SelectMany(r => kind == "left"
            ? r.Args[1].GetProperty("left").EnumerateArray().Select(x => x.GetString()!)
            : r.Args[1].GetProperty(kind).EnumerateArray().Select(x => x.GetProperty("userId").GetString()!))];
}
