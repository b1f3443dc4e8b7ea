using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text.Json;
using Actors.Runtime.Testing;

namespace Actors.Grains.Tests.Resources;

[Collection(DomainCollection.Name)]
public sealed class ResourceTests(DomainClusterFixture fixture)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    private sealed record Setup(string SessionId, string Owner, string Member, string Viewer, string Stranger);

    private async Task<Setup> SessionAsync(string visibility = Visibility.Private)
    {
        var setup = new Setup(Ids.New("s"), Ids.New("owner"), Ids.New("member"), Ids.New("viewer"), Ids.New("stranger"));
        var session = fixture.Grains.GetGrain<ISessionGrain>(setup.SessionId);
        await session.CreateAsync(setup.Owner, "board", visibility);
        await session.SetMemberAsync(setup.Owner, setup.Member, SessionRoles.Member);
        await session.SetMemberAsync(setup.Owner, setup.Viewer, SessionRoles.Viewer);
        return setup;
    }

    private IResourceGrain Resource(string id) => fixture.Grains.GetGrain<IResourceGrain>(id);

    private static async Task<DomainException> Fails(string code, Func<Task> action)
    {
        var error = await Assert.ThrowsAsync<DomainException>(action);
        Assert.Equal(code, error.Code);
        return error;
    }

    [Fact]
    public async Task Created_resource_starts_at_version_1_and_is_readable_by_viewers()
    {
        var s = await SessionAsync();
        var id = Ids.New("r");

        var created = await Resource(id).CreateAsync(s.Member, s.SessionId, "notes", "text.doc", Json("""{"text":"hi"}"""));
        var read = await Resource(id).GetAsync(s.Viewer);

        Assert.Equal(1, created.Version);
        Assert.Equal(s.SessionId, read.SessionId);
        Assert.Equal("hi", read.Data.GetProperty("text").GetString());
        Assert.Equal(s.Member, read.UpdatedBy);
        Assert.Contains(id, await fixture.Grains.GetGrain<ISessionGrain>(s.SessionId).ListResourceIdsAsync(s.Viewer));
    }

    [Fact]
    public async Task Replace_with_a_stale_version_fails_with_the_current_version()
    {
        var s = await SessionAsync();
        var id = Ids.New("r");
        await Resource(id).CreateAsync(s.Owner, s.SessionId, "n", "k", Json("1"));
        Assert.Equal(2, (await Resource(id).ReplaceAsync(s.Member, 1, Json("2"))).Version);

        var conflict = await Fails(ErrorCodes.VersionConflict, () => Resource(id).ReplaceAsync(s.Owner, 1, Json("3")));

        Assert.Equal(2, conflict.CurrentVersion);
        Assert.Equal(2, (await Resource(id).GetAsync(s.Owner)).Data.GetInt32());
    }

    [Fact]
    public async Task Merge_patch_follows_RFC_7396()
    {
        var s = await SessionAsync();
        var id = Ids.New("r");
        await Resource(id).CreateAsync(s.Owner, s.SessionId, "n", "k", Json("""{"a":1,"b":{"c":2,"x":true},"list":[1,2]}"""));

        var patched = await Resource(id).MergePatchAsync(s.Member, 1, Json("""{"b":{"c":null,"d":3},"e":4,"list":[9]}"""));

        Assert.Equal(2, patched.Version);
        Assert.True(
            System.Text.Json.Nodes.JsonNode.DeepEquals(
                System.Text.Json.Nodes.JsonNode.Parse("""{"a":1,"b":{"x":true,"d":3},"list":[9],"e":4}"""),
                System.Text.Json.Nodes.JsonNode.Parse(patched.Data.GetRawText())),
            patched.Data.GetRawText());

        // A non-object patch replaces the whole document.
        var replaced = await Resource(id).MergePatchAsync(s.Member, 2, Json("[1]"));
        Assert.Equal("[1]", replaced.Data.GetRawText());
    }

    [Fact]
    public async Task Lock_blocks_other_editors_until_released_or_expired()
    {
        var s = await SessionAsync();
        var id = Ids.New("r");
        await Resource(id).CreateAsync(s.Owner, s.SessionId, "n", "k", Json("0"));

        var held = await Resource(id).LockAsync(s.Member, 30);
        Assert.Equal(s.Member, held.LockedBy);
        await Fails(ErrorCodes.Locked, () => Resource(id).ReplaceAsync(s.Owner, 1, Json("1")));
        await Fails(ErrorCodes.Locked, () => Resource(id).LockAsync(s.Owner, 10));
        await Fails(ErrorCodes.Locked, () => Resource(id).UnlockAsync(s.Owner));
        Assert.Equal(2, (await Resource(id).ReplaceAsync(s.Member, 1, Json("1"))).Version);

        fixture.Time.Advance(TimeSpan.FromSeconds(31));

        await TestWait.UntilAsync(async () => (await Resource(id).GetAsync(s.Owner)).Lock is null, Bound);
        Assert.Equal(3, (await Resource(id).ReplaceAsync(s.Owner, 2, Json("2"))).Version);
        await Resource(id).LockAsync(s.Owner, 5);
        await Resource(id).UnlockAsync(s.Owner);
        Assert.Null((await Resource(id).GetAsync(s.Member)).Lock);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(301)]
    public async Task Lock_ttl_outside_1_to_300_seconds_is_rejected(int ttl)
    {
        var s = await SessionAsync();
        var id = Ids.New("r");
        await Resource(id).CreateAsync(s.Owner, s.SessionId, "n", "k", Json("0"));

        await Fails(ErrorCodes.ValidationFailed, () => Resource(id).LockAsync(s.Owner, ttl));
    }

    [Fact]
    public async Task History_keeps_the_last_50_versions_newest_first()
    {
        var s = await SessionAsync();
        var id = Ids.New("r");
        await Resource(id).CreateAsync(s.Owner, s.SessionId, "n", "k", Json("1"));
        for (var v = 1; v < 60; v++)
        {
            await Resource(id).ReplaceAsync(s.Owner, v, Json((v + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        var all = await Resource(id).GetHistoryAsync(s.Viewer, 1000);
        var three = await Resource(id).GetHistoryAsync(s.Viewer, 3);

        Assert.Equal(50, all.Length);
        Assert.Equal(Enumerable.Range(11, 50).Reverse().Select(v => (long)v), all.Select(h => h.Version));
        Assert.Equal([60L, 59L, 58L], three.Select(h => h.Version));
        Assert.Equal(60, all[0].Data.GetInt32());
        await Fails(ErrorCodes.ValidationFailed, () => Resource(id).GetHistoryAsync(s.Viewer, 0));
    }

    [Fact]
    public async Task Access_matrix_for_resources_in_a_private_session()
    {
        var s = await SessionAsync();
        var id = Ids.New("r");
        await Resource(id).CreateAsync(s.Member, s.SessionId, "n", "k", Json("0"));

        // Viewer: read only.
        await Resource(id).GetAsync(s.Viewer);
        await Resource(id).GetHistoryAsync(s.Viewer, 5);
        await Fails(ErrorCodes.Forbidden, () => Resource(id).ReplaceAsync(s.Viewer, 1, Json("1")));
        await Fails(ErrorCodes.Forbidden, () => Resource(id).LockAsync(s.Viewer, 5));
        await Fails(ErrorCodes.Forbidden, () => Resource(id).DeleteAsync(s.Viewer));
        await Fails(ErrorCodes.Forbidden, () => Resource(Ids.New("r")).CreateAsync(s.Viewer, s.SessionId, "n", "k", Json("0")));

        // Non-member of a private session: it does not exist.
        await Fails(ErrorCodes.NotFound, () => Resource(id).GetAsync(s.Stranger));
        await Fails(ErrorCodes.NotFound, () => Resource(id).ReplaceAsync(s.Stranger, 1, Json("1")));
        await Fails(ErrorCodes.NotFound, () => Resource(Ids.New("r")).CreateAsync(s.Stranger, s.SessionId, "n", "k", Json("0")));

        // Member and owner write.
        await Resource(id).ReplaceAsync(s.Member, 1, Json("1"));
        await Resource(id).ReplaceAsync(s.Owner, 2, Json("2"));
    }

    [Fact]
    public async Task Public_session_resources_are_readable_by_anyone_but_writable_by_members_only()
    {
        var s = await SessionAsync(Visibility.Public);
        var id = Ids.New("r");
        await Resource(id).CreateAsync(s.Owner, s.SessionId, "n", "k", Json("0"));

        Assert.Equal(1, (await Resource(id).GetAsync(s.Stranger)).Version);
        await Fails(ErrorCodes.Forbidden, () => Resource(id).ReplaceAsync(s.Stranger, 1, Json("1")));
    }

    [Fact]
    public async Task Closed_session_rejects_resource_changes_but_still_serves_reads()
    {
        var s = await SessionAsync();
        var id = Ids.New("r");
        await Resource(id).CreateAsync(s.Owner, s.SessionId, "n", "k", Json("0"));
        await fixture.Grains.GetGrain<ISessionGrain>(s.SessionId).CloseAsync(s.Owner);

        await Fails(ErrorCodes.SessionClosed, () => Resource(id).ReplaceAsync(s.Member, 1, Json("1")));
        await Fails(ErrorCodes.SessionClosed, () => Resource(id).MergePatchAsync(s.Member, 1, Json("{}")));
        await Fails(ErrorCodes.SessionClosed, () => Resource(Ids.New("r")).CreateAsync(s.Owner, s.SessionId, "n", "k", Json("0")));
        Assert.Equal(1, (await Resource(id).GetAsync(s.Viewer)).Version);
    }

    [Fact]
    public async Task Every_resource_limit_gives_validation_failed()
    {
        var s = await SessionAsync();
        var huge = Json("\"" + new string('x', Limits.ResourceDataMaxBytes) + "\"");
        var deep = Json(string.Concat(Enumerable.Repeat("[", 33)) + string.Concat(Enumerable.Repeat("]", 33)));
        var ok = Json(string.Concat(Enumerable.Repeat("[", 32)) + string.Concat(Enumerable.Repeat("]", 32)));

        await Fails(ErrorCodes.ValidationFailed, () => Resource(Ids.New("r")).CreateAsync(s.Owner, s.SessionId, "", "k", Json("0")));
        await Fails(ErrorCodes.ValidationFailed, () => Resource(Ids.New("r")).CreateAsync(s.Owner, s.SessionId, new string('n', 201), "k", Json("0")));
        await Fails(ErrorCodes.ValidationFailed, () => Resource(Ids.New("r")).CreateAsync(s.Owner, s.SessionId, "n", "Bad Kind", Json("0")));
        var tooBig = await Fails(ErrorCodes.ValidationFailed, () => Resource(Ids.New("r")).CreateAsync(s.Owner, s.SessionId, "n", "k", huge));
        Assert.Contains("data", tooBig.Fields.Keys);
        await Fails(ErrorCodes.ValidationFailed, () => Resource(Ids.New("r")).CreateAsync(s.Owner, s.SessionId, "n", "k", deep));
        Assert.Equal(1, (await Resource(Ids.New("r")).CreateAsync(s.Owner, s.SessionId, "n", "k", ok)).Version);
    }

    [Fact]
    public async Task Changes_are_recorded_in_the_session_log_and_deletion_makes_the_resource_disappear()
    {
        var s = await SessionAsync();
        var id = Ids.New("r");
        var session = fixture.Grains.GetGrain<ISessionGrain>(s.SessionId);
        await Resource(id).CreateAsync(s.Owner, s.SessionId, "n", "k", Json("0"));
        await Resource(id).ReplaceAsync(s.Member, 1, Json("1"));
        await Resource(id).DeleteAsync(s.Member);

        await Fails(ErrorCodes.NotFound, () => Resource(id).GetAsync(s.Owner));
        var events = await session.ReadEventsAsync(s.Viewer, 0, 100);
        var mine = events.Items.Where(e => e.Type.StartsWith("resource.", StringComparison.Ordinal) && e.Payload.GetProperty("resourceId").GetString() == id).ToList();
        Assert.Equal([SystemEvents.ResourceCreated, SystemEvents.ResourceUpdated, SystemEvents.ResourceDeleted], mine.Select(e => e.Type));
        Assert.Equal(2, mine[1].Payload.GetProperty("version").GetInt32());
        Assert.DoesNotContain(id, await session.ListResourceIdsAsync(s.Owner));
    }

    [Fact]
    public async Task Watchers_receive_each_change_in_version_order()
    {
        var s = await SessionAsync();
        var id = Ids.New("r");
        await Resource(id).CreateAsync(s.Owner, s.SessionId, "n", "k", Json("0"));
        var watcher = new Watcher();
        var reference = fixture.Grains.CreateObjectReference<IResourceObserver>(watcher);
        await Resource(id).SubscribeAsync("node-1", reference);

        for (var v = 1; v <= 5; v++)
        {
            await Resource(id).ReplaceAsync(s.Member, v, Json(v.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        await TestWait.UntilAsync(() => watcher.Changes.Count == 5, Bound);
        Assert.Equal([2L, 3L, 4L, 5L, 6L], watcher.Changes.Select(c => c.Version));
        fixture.Grains.DeleteObjectReference<IResourceObserver>(watcher);
    }

    private sealed class Watcher : IResourceObserver
    {
        public ConcurrentQueue<ResourceChange> Changes { get; } = new();

        public Task OnChangedAsync(string resourceId, ResourceChange change)
        {
            Changes.Enqueue(change);
            return Task.CompletedTask;
        }
    }
}
