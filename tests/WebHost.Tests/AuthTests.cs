namespace Actors.WebHost.Tests;

[Collection(AuthCollection.Name)]
public sealed class AuthTests(ApiFactory factory)
{
    private readonly HttpClient anonymous = factory.CreateApiClient();

    [Fact]
    public async Task Register_answers_201_with_the_profile_a_token_pair_and_expiresIn_in_seconds()
    {
        var email = TestApi.NewEmail("reg");
        var response = await anonymous.PostAsJsonAsync("/api/auth/register", new { email = "  " + email.ToUpperInvariant() + " ", password = TestApi.Password, displayName = " Ada " });

        var body = await Expect.OkJsonAsync(response, HttpStatusCode.Created);
        var user = body.GetProperty("user");
        var id = user.GetProperty("id").GetString()!;
        Assert.Matches("^[A-Za-z0-9_-]{22}$", id);
        Assert.Equal($"/api/users/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal("Ada", user.GetProperty("displayName").GetString());
        Assert.Equal(["member"], user.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.True(user.TryGetProperty("createdAt", out _));
        Assert.Equal(900, body.GetProperty("expiresIn").GetInt32());
        Assert.StartsWith(id + ".", body.GetProperty("refreshToken").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("accessToken").GetString()));
    }

    [Fact]
    public async Task Registering_an_email_again_in_another_case_is_409_email_taken()
    {
        var user = await factory.RegisterAsync("first");

        var response = await anonymous.PostAsJsonAsync("/api/auth/register", new { email = user.Email.ToUpperInvariant(), password = TestApi.Password, displayName = "Second" });

        await Expect.ProblemAsync(response, HttpStatusCode.Conflict, "email_taken");
    }

    [Fact]
    public async Task A_failed_registration_releases_the_email_for_a_later_one()
    {
        var email = TestApi.NewEmail("retry");
        var bad = await anonymous.PostAsJsonAsync("/api/auth/register", new { email, password = TestApi.Password, displayName = "bad\u0001name" });
        await Expect.ValidationAsync(bad, "displayName");

        var good = await anonymous.PostAsJsonAsync("/api/auth/register", new { email, password = TestApi.Password, displayName = "Good" });

        await Expect.StatusAsync(good, HttpStatusCode.Created);
    }

    [Theory]
    [InlineData("email", null, "correct horse battery", "Name")]
    [InlineData("email", "not-an-email", "correct horse battery", "Name")]
    [InlineData("password", "x@example.test", "short", "Name")]
    [InlineData("password", "x@example.test", null, "Name")]
    [InlineData("displayName", "x@example.test", "correct horse battery", "")]
    [InlineData("displayName", "x@example.test", "correct horse battery", null)]
    public async Task Register_with_a_bad_field_is_400_validation_failed_naming_it(string field, string? email, string? password, string? displayName)
    {
        var response = await anonymous.PostAsJsonAsync("/api/auth/register", new { email = email?.Replace("x@", Guid.NewGuid().ToString("N") + "@", StringComparison.Ordinal), password, displayName });

        await Expect.ValidationAsync(response, field);
    }

    [Fact]
    public async Task Register_rejects_over_limit_fields()
    {
        var response = await anonymous.PostAsJsonAsync("/api/auth/register", new
        {
            email = new string('a', 250) + "@example.test",
            password = new string('p', 257),
            displayName = new string('n', 101),
        });

        var body = await Expect.ProblemAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        var fields = body.GetProperty("errors").EnumerateObject().Select(e => e.Name).ToList();
        Assert.Contains("email", fields);
        Assert.Contains("password", fields);
        Assert.Contains("displayName", fields);
    }

    [Fact]
    public async Task Login_with_the_right_password_returns_200_tokens_whatever_the_email_case()
    {
        var user = await factory.RegisterAsync("login");

        var response = await anonymous.PostAsJsonAsync("/api/auth/login", new { email = user.Email.ToUpperInvariant(), password = user.Password });

        var body = await Expect.OkJsonAsync(response);
        Assert.Equal(user.Id, body.GetProperty("user").GetProperty("id").GetString());
        Assert.Equal(900, body.GetProperty("expiresIn").GetInt32());
        using var client = factory.CreateApiClient(body.GetProperty("accessToken").GetString());
        await Expect.StatusAsync(await client.GetAsync("/api/users/me"), HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_wrong_password_and_an_unknown_email_get_the_same_401_invalid_credentials()
    {
        var user = await factory.RegisterAsync("victim");

        var wrong = await Expect.ProblemAsync(await anonymous.PostAsJsonAsync("/api/auth/login", new { email = user.Email, password = "wrong password" }),
            HttpStatusCode.Unauthorized, "invalid_credentials");
        var unknown = await Expect.ProblemAsync(await anonymous.PostAsJsonAsync("/api/auth/login", new { email = TestApi.NewEmail("nobody"), password = "wrong password" }),
            HttpStatusCode.Unauthorized, "invalid_credentials");

        Assert.Equal(wrong.GetProperty("title").GetString(), unknown.GetProperty("title").GetString());
        Assert.Equal(wrong.GetProperty("detail").GetString(), unknown.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task The_access_token_carries_sub_name_email_roles_and_a_15_minute_lifetime()
    {
        var user = await factory.RegisterAsync("claims");

        var payload = Jwt.Payload(user.AccessToken);

        Assert.Equal(user.Id, payload.GetProperty("sub").GetString());
        Assert.Equal("claims", payload.GetProperty("name").GetString());
        Assert.Equal(user.Email, payload.GetProperty("email").GetString());
        Assert.Equal("member", payload.GetProperty("role").ValueKind == JsonValueKind.Array
            ? payload.GetProperty("role")[0].GetString() : payload.GetProperty("role").GetString());
        Assert.Equal(900, payload.GetProperty("exp").GetInt64() - payload.GetProperty("iat").GetInt64());
    }

    [Fact]
    public async Task Refresh_rotates_the_pair_and_the_new_tokens_work()
    {
        var user = await factory.RegisterAsync("rotate");

        var first = await Expect.OkJsonAsync(await anonymous.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = user.RefreshToken }));
        var rotated = first.GetProperty("refreshToken").GetString();
        Assert.NotEqual(user.RefreshToken, rotated);
        Assert.Equal(user.Id, first.GetProperty("user").GetProperty("id").GetString());
        Assert.Equal(900, first.GetProperty("expiresIn").GetInt32());

        var second = await Expect.OkJsonAsync(await anonymous.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = rotated }));
        using var client = factory.CreateApiClient(second.GetProperty("accessToken").GetString());
        await Expect.StatusAsync(await client.GetAsync("/api/users/me"), HttpStatusCode.OK);
    }

    [Fact]
    public async Task Reusing_a_rotated_refresh_token_is_401_token_reused_and_revokes_the_family()
    {
        var user = await factory.RegisterAsync("reuse");
        var rotated = await Expect.OkJsonAsync(await anonymous.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = user.RefreshToken }));
        var newest = rotated.GetProperty("refreshToken").GetString();

        await Expect.ProblemAsync(await anonymous.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = user.RefreshToken }), HttpStatusCode.Unauthorized, "token_reused");

        await Expect.ProblemAsync(await anonymous.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = newest }), HttpStatusCode.Unauthorized, "token_reused");
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("no-such-user.family.secret")]
    [InlineData("bad id!.family.secret")]
    public async Task Refreshing_with_a_token_that_was_never_issued_is_401_unauthorized(string token)
    {
        var response = await anonymous.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = token });

        await Expect.ProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Logout_answers_204_and_the_refresh_token_no_longer_works()
    {
        var user = await factory.RegisterAsync("logout");

        var response = await user.Client.PostAsJsonAsync("/api/auth/logout", new { refreshToken = user.RefreshToken });

        await Expect.StatusAsync(response, HttpStatusCode.NoContent);
        var refresh = await anonymous.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = user.RefreshToken });
        await Expect.ProblemAsync(refresh, HttpStatusCode.Unauthorized, "token_reused");
    }

    [Fact]
    public async Task Logout_needs_a_signed_in_user_and_ignores_someone_elses_token()
    {
        var owner = await factory.RegisterAsync("owner");
        var other = await factory.RegisterAsync("other");

        await Expect.ProblemAsync(await anonymous.PostAsJsonAsync("/api/auth/logout", new { refreshToken = owner.RefreshToken }), HttpStatusCode.Unauthorized, "unauthorized");
        await Expect.StatusAsync(await other.Client.PostAsJsonAsync("/api/auth/logout", new { refreshToken = owner.RefreshToken }), HttpStatusCode.NoContent);

        await Expect.StatusAsync(await anonymous.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = owner.RefreshToken }), HttpStatusCode.OK);
    }

    [Fact]
    public async Task Registering_with_a_bootstrap_operator_email_in_any_case_grants_member_and_operator()
    {
        var operatorUser = await factory.RegisterAsync("ops", factory.SecondOperatorEmail.ToUpperInvariant());

        var me = await Expect.OkJsonAsync(await operatorUser.Client.GetAsync("/api/users/me"));

        Assert.Equal(["member", "operator"], me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(["member", "operator"], Jwt.Payload(operatorUser.AccessToken).GetProperty("role").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public async Task The_cluster_view_is_for_operators_only()
    {
        var operatorUser = await factory.RegisterAsync("ops", factory.OperatorEmail);
        var member = await factory.RegisterAsync("member");

        var cluster = await Expect.OkJsonAsync(await operatorUser.Client.GetAsync("/api/admin/cluster"));
        var silo = Assert.Single(cluster.GetProperty("silos").EnumerateArray());
        Assert.Equal(JsonValueKind.Object, silo.GetProperty("statistics").ValueKind);
        Assert.Equal(JsonValueKind.Object, cluster.GetProperty("activationsByType").ValueKind);
        Assert.Equal(JsonValueKind.Array, cluster.GetProperty("methods").ValueKind);

        await Expect.ProblemAsync(await member.Client.GetAsync("/api/admin/cluster"), HttpStatusCode.Forbidden, "forbidden");
        await Expect.ProblemAsync(await anonymous.GetAsync("/api/admin/cluster"), HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task A_tampered_access_token_is_401_unauthorized_with_an_invalid_token_challenge()
    {
        var user = await factory.RegisterAsync("tamper");
        var parts = user.AccessToken.Split('.');
        var forged = parts[0] + "." + parts[1] + "." + new string('A', parts[2].Length);
        using var client = factory.CreateApiClient(forged);

        var response = await client.GetAsync("/api/users/me");

        await Expect.ProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_hub_path_accepts_the_access_token_from_the_query_string()
    {
        var user = await factory.RegisterAsync("hub");

        var withToken = await anonymous.PostAsync($"/hubs/realtime/negotiate?negotiateVersion=1&access_token={user.AccessToken}", null);
        var without = await anonymous.PostAsync("/hubs/realtime/negotiate?negotiateVersion=1", null);

        await Expect.StatusAsync(withToken, HttpStatusCode.OK);
        await Expect.ProblemAsync(without, HttpStatusCode.Unauthorized, "unauthorized");
    }
}
