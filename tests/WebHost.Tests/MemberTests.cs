namespace Actors.WebHost.Tests;

[Collection(SessionsCollection.Name)]
public sealed class MemberTests(ApiFactory factory)
{
    [Fact]
    public async Task Putting_a_member_adds_them_and_putting_again_changes_the_role()
    {
        var owner = await factory.RegisterAsync("owner");
        var user = await factory.RegisterAsync("user");
        var id = await owner.CreateSessionIdAsync();

        var added = await Expect.OkJsonAsync(await owner.Client.PutAsJsonAsync($"/api/sessions/{id}/members/{user.Id}", new { role = "viewer" }));
        Assert.Equal("viewer", RoleOf(added, user.Id));

        var changed = await Expect.OkJsonAsync(await owner.Client.PutAsJsonAsync($"/api/sessions/{id}/members/{user.Id}", new { role = "member" }));
        Assert.Equal("member", RoleOf(changed, user.Id));

        var listed = await Expect.OkJsonAsync(await user.Client.GetAsync("/api/sessions"));
        Assert.Contains(listed.GetProperty("items").EnumerateArray(), s => s.GetProperty("id").GetString() == id);
    }

    [Theory]
    [InlineData("member", HttpStatusCode.Forbidden, "forbidden")]
    [InlineData("viewer", HttpStatusCode.Forbidden, "forbidden")]
    [InlineData("outsider", HttpStatusCode.NotFound, "not_found")]
    public async Task Only_the_owner_manages_members(string who, HttpStatusCode status, string code)
    {
        var cast = await SessionCast.CreateAsync(factory);
        var newcomer = await factory.RegisterAsync("newcomer");

        var response = await cast[who].Client.PutAsJsonAsync($"/api/sessions/{cast.SessionId}/members/{newcomer.Id}", new { role = "member" });

        await Expect.ProblemAsync(response, status, code);
    }

    [Fact]
    public async Task Adding_an_unknown_user_is_404_and_a_bad_role_is_400()
    {
        var owner = await factory.RegisterAsync("owner");
        var user = await factory.RegisterAsync("user");
        var id = await owner.CreateSessionIdAsync();

        await Expect.ProblemAsync(await owner.Client.PutAsJsonAsync($"/api/sessions/{id}/members/NoSuchUser", new { role = "member" }), HttpStatusCode.NotFound, "not_found");
        await Expect.ValidationAsync(await owner.Client.PutAsJsonAsync($"/api/sessions/{id}/members/{user.Id}", new { role = "admin" }), "role");
        await Expect.ValidationAsync(await owner.Client.PutAsJsonAsync($"/api/sessions/{id}/members/{user.Id}", new { }), "role");
        await Expect.ValidationAsync(await owner.Client.PutAsJsonAsync($"/api/sessions/{id}/members/bad.id", new { role = "member" }), "userId");
    }

    [Fact]
    public async Task The_owner_removes_a_member_with_204()
    {
        var cast = await SessionCast.CreateAsync(factory);

        await Expect.StatusAsync(await cast.Owner.Client.DeleteAsync($"/api/sessions/{cast.SessionId}/members/{cast.Member.Id}"), HttpStatusCode.NoContent);

        var session = await Expect.OkJsonAsync(await cast.Owner.Client.GetAsync($"/api/sessions/{cast.SessionId}"));
        Assert.Null(RoleOf(session, cast.Member.Id));
        await Expect.ProblemAsync(await cast.Member.Client.GetAsync($"/api/sessions/{cast.SessionId}"), HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task A_member_can_leave_but_cannot_remove_others()
    {
        var cast = await SessionCast.CreateAsync(factory);

        await Expect.ProblemAsync(await cast.Member.Client.DeleteAsync($"/api/sessions/{cast.SessionId}/members/{cast.Viewer.Id}"), HttpStatusCode.Forbidden, "forbidden");
        await Expect.StatusAsync(await cast.Viewer.Client.DeleteAsync($"/api/sessions/{cast.SessionId}/members/{cast.Viewer.Id}"), HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task The_owner_cannot_be_removed()
    {
        var cast = await SessionCast.CreateAsync(factory);

        await Expect.ProblemAsync(await cast.Owner.Client.DeleteAsync($"/api/sessions/{cast.SessionId}/members/{cast.Owner.Id}"), HttpStatusCode.BadRequest, "validation_failed");
    }

    [Theory]
    [InlineData("owner", HttpStatusCode.OK, null)]
    [InlineData("member", HttpStatusCode.OK, null)]
    [InlineData("viewer", HttpStatusCode.OK, null)]
    [InlineData("outsider", HttpStatusCode.NotFound, "not_found")]
    public async Task Presence_is_readable_by_viewers_and_up(string who, HttpStatusCode status, string? code)
    {
        var cast = await SessionCast.CreateAsync(factory);

        var response = await cast[who].Client.GetAsync($"/api/sessions/{cast.SessionId}/presence");

        if (code is null)
        {
            var body = await Expect.OkJsonAsync(response);
            Assert.Equal(JsonValueKind.Array, body.GetProperty("items").ValueKind);
        }
        else
        {
            await Expect.ProblemAsync(response, status, code);
        }
    }

    private static string? RoleOf(JsonElement session, string userId) =>
        session.GetProperty("members").EnumerateArray().Where(m => m.GetProperty("userId").GetString() == userId)
            .Select(m => m.GetProperty("role").GetString()).FirstOrDefault();
}
