using static Actors.Grains.Tests.Users.UserTestKit;

namespace Actors.Grains.Tests.Users;

[Collection(DomainCollection.Name)]
public sealed class UserSessionsTests(DomainClusterFixture fixture)
{
    private async Task<IUserGrain> NewUserAsync() => fixture.Grains.GetGrain<IUserGrain>(await RegisterAsync(fixture.Grains, NewEmail()));

    [Fact]
    public async Task Sessions_are_listed_by_join_time_then_id_across_pages_with_an_opaque_cursor()
    {
        var user = await NewUserAsync();
        var expected = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            // Two sessions joined at the same instant are ordered by id.
            var pair = new[] { Ids.New("s"), Ids.New("s") };
            await user.AddSessionAsync(pair[0], SessionRoles.Member);
            await user.AddSessionAsync(pair[1], SessionRoles.Viewer);
            expected.AddRange(pair.Order(StringComparer.Ordinal));
            fixture.Time.Advance(TimeSpan.FromSeconds(1));
        }

        var seen = new List<SessionMembership>();
        var pages = 0;
        string? cursor = null;
        do
        {
            var page = await user.ListSessionsAsync(cursor, 4);
            Assert.True(page.Items.Length <= 4);
            seen.AddRange(page.Items);
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(2, pages);
        Assert.Equal(expected, seen.Select(s => s.SessionId));
        Assert.Equal(seen.OrderBy(s => s.JoinedAt).Select(s => s.SessionId), seen.Select(s => s.SessionId));
    }

    [Fact]
    public async Task The_last_page_has_no_cursor_and_an_empty_list_is_one_empty_page()
    {
        var user = await NewUserAsync();
        var empty = await user.ListSessionsAsync(null, 10);
        Assert.Empty(empty.Items);
        Assert.Null(empty.NextCursor);

        await user.AddSessionAsync(Ids.New("s"), SessionRoles.Owner);
        await user.AddSessionAsync(Ids.New("s"), SessionRoles.Owner);

        var page = await user.ListSessionsAsync(null, 2);
        Assert.Equal(2, page.Items.Length);
        Assert.Null(page.NextCursor);
    }

    [Fact]
    public async Task A_limit_above_one_hundred_is_clamped_and_a_limit_of_zero_or_less_is_validation_failed()
    {
        var user = await NewUserAsync();
        for (var i = 0; i < 101; i++)
        {
            await user.AddSessionAsync(Ids.New("s"), SessionRoles.Member);
        }

        var page = await user.ListSessionsAsync(null, 1000);
        Assert.Equal(100, page.Items.Length);
        Assert.NotNull(page.NextCursor);
        Assert.Single((await user.ListSessionsAsync(page.NextCursor, int.MaxValue)).Items);
        Assert.Single((await user.ListSessionsAsync(null, 1)).Items);

        foreach (var limit in new[] { 0, -1, int.MinValue })
        {
            var error = await ThrowsDomainAsync(ErrorCodes.ValidationFailed, () => user.ListSessionsAsync(null, limit));
            Assert.Contains("limit", error.Fields.Keys);
        }
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("bm9jb2xvbg")]
    [InlineData("eDpzZXNzaW9u")]
    public async Task A_cursor_that_was_not_issued_by_the_list_is_validation_failed(string cursor)
    {
        var user = await NewUserAsync();

        var error = await ThrowsDomainAsync(ErrorCodes.ValidationFailed, () => user.ListSessionsAsync(cursor, 10));

        Assert.Contains("cursor", error.Fields.Keys);
    }

    [Fact]
    public async Task Adding_is_idempotent_keeps_the_join_time_and_updates_the_role()
    {
        var user = await NewUserAsync();
        var session = Ids.New("s");
        var joinedAt = fixture.Time.GetUtcNow();

        await user.AddSessionAsync(session, SessionRoles.Viewer);
        fixture.Time.Advance(TimeSpan.FromSeconds(3));
        await user.AddSessionAsync(session, SessionRoles.Viewer);
        await user.AddSessionAsync(session, SessionRoles.Member);

        var item = Assert.Single((await user.ListSessionsAsync(null, 10)).Items);
        Assert.Equal(new SessionMembership(session, SessionRoles.Member, joinedAt), item);
    }

    [Fact]
    public async Task Removing_is_idempotent_and_persists()
    {
        var id = await RegisterAsync(fixture.Grains, NewEmail());
        var user = fixture.Grains.GetGrain<IUserGrain>(id);
        var (kept, removed) = (Ids.New("s"), Ids.New("s"));
        await user.AddSessionAsync(kept, SessionRoles.Owner);
        await user.AddSessionAsync(removed, SessionRoles.Member);

        await user.RemoveSessionAsync(removed);
        await user.RemoveSessionAsync(removed);
        await user.RemoveSessionAsync(Ids.New("s"));

        Assert.Equal([kept], (await user.ListSessionsAsync(null, 10)).Items.Select(s => s.SessionId));
        using var stored = await StoredUserAsync(fixture.ConnectionString, id);
        var sessions = stored!.RootElement.GetProperty("sessions");
        Assert.Equal([kept], sessions.EnumerateObject().Select(p => p.Name));
        Assert.Equal(SessionRoles.Owner, sessions.GetProperty(kept).GetProperty("role").GetString());
    }

    [Fact]
    public async Task A_bad_role_or_session_id_is_validation_failed_and_an_unknown_user_is_not_found()
    {
        var user = await NewUserAsync();

        await ThrowsDomainAsync(ErrorCodes.ValidationFailed, () => user.AddSessionAsync(Ids.New("s"), "admin"));
        await ThrowsDomainAsync(ErrorCodes.ValidationFailed, () => user.AddSessionAsync("bad id!", SessionRoles.Member));
        await ThrowsDomainAsync(ErrorCodes.NotFound, () => fixture.Grains.GetGrain<IUserGrain>(Ids.New("u")).AddSessionAsync(Ids.New("s"), SessionRoles.Member));
        Assert.Empty((await user.ListSessionsAsync(null, 10)).Items);
    }
}
