using System.Collections.Immutable;
using Actors.Runtime.Testing;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using static Actors.Grains.Tests.Users.UserTestKit;

namespace Actors.Grains.Tests.Users;

[Collection(DomainCollection.Name)]
public sealed class UserAccountTests(DomainClusterFixture fixture)
{
    private IUserGrain User(string id) => fixture.Grains.GetGrain<IUserGrain>(id);

    [Fact]
    public async Task A_new_user_has_the_trimmed_name_the_member_role_and_the_creation_time()
    {
        var id = Ids.New("u");
        var email = NewEmail();
        var now = fixture.Time.GetUtcNow();

        var created = await User(id).CreateAsync("  " + email + " ", Password, "  Ada Lovelace  ", []);

        Assert.Equal(new UserProfile(id, email, "Ada Lovelace", created.Roles, now), created);
        Assert.Equal<string>([Roles.Member], created.Roles);
        var profile = await User(id).GetProfileAsync();
        Assert.Equal(created.Email, profile.Email);
        Assert.Equal(created.CreatedAt, profile.CreatedAt);
        Assert.Equal(id, await fixture.Grains.GetGrain<IEmailIndexGrain>(Normalize(email)).GetUserIdAsync());
    }

    [Fact]
    public async Task Stored_state_keeps_the_address_as_entered_and_normalised_and_only_a_password_hash()
    {
        var email = NewEmail();
        var id = await RegisterAsync(fixture.Grains, email);

        using var stored = await StoredUserAsync(fixture.ConnectionString, id);

        var root = stored!.RootElement;
        Assert.Equal(email, root.GetProperty("email").GetString());
        Assert.Equal(Normalize(email), root.GetProperty("normalizedEmail").GetString());
        Assert.DoesNotContain(Password, root.GetRawText(), StringComparison.Ordinal);
        Assert.StartsWith("AQAAAA", root.GetProperty("passwordHash").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_user_is_not_found_and_its_empty_activation_does_not_linger()
    {
        var id = Ids.New("u");

        await ThrowsDomainAsync(ErrorCodes.NotFound, () => User(id).GetProfileAsync());
        await TestWait.UntilAsync(() => !fixture.Cluster.Primary.IsActive(UserGrainId(id)), Bound, "the empty activation should go");
        await ThrowsDomainAsync(ErrorCodes.NotFound, () => User(id).GetCardAsync());
        await ThrowsDomainAsync(ErrorCodes.NotFound, () => User(id).GetPresenceAsync());
        await ThrowsDomainAsync(ErrorCodes.NotFound, () => User(id).UpdateDisplayNameAsync("Nobody"));
        await ThrowsDomainAsync(ErrorCodes.NotFound, () => User(id).ListSessionsAsync(null, 10));
        await ThrowsDomainAsync(ErrorCodes.NotFound, () => User(id).IssueRefreshTokenAsync());
    }

    [Fact]
    public async Task The_right_password_verifies_and_a_wrong_one_is_invalid_credentials()
    {
        var email = NewEmail();
        var id = await RegisterAsync(fixture.Grains, email);

        Assert.Equal(id, (await User(id).VerifyPasswordAsync(Password)).Id);
        await ThrowsDomainAsync(ErrorCodes.InvalidCredentials, () => User(id).VerifyPasswordAsync(Password + "!"));
        await ThrowsDomainAsync(ErrorCodes.InvalidCredentials, () => User(id).VerifyPasswordAsync(""));
        Assert.Equal(id, (await LoginAsync(fixture.Grains, email, Password)).Id);
    }

    [Fact]
    public async Task An_unknown_user_or_address_gets_the_same_invalid_credentials_as_a_wrong_password()
    {
        var id = await RegisterAsync(fixture.Grains, NewEmail());

        var wrongPassword = await ThrowsDomainAsync(ErrorCodes.InvalidCredentials, () => User(id).VerifyPasswordAsync("not the password"));
        var unknownUser = await ThrowsDomainAsync(ErrorCodes.InvalidCredentials, () => User(Ids.New("u")).VerifyPasswordAsync(Password));
        var unknownEmail = await ThrowsDomainAsync(ErrorCodes.InvalidCredentials, () => LoginAsync(fixture.Grains, NewEmail(), Password));

        Assert.Equal(wrongPassword.Message, unknownUser.Message);
        Assert.Equal(wrongPassword.Message, unknownEmail.Message);
    }

    [Fact]
    public async Task A_current_format_hash_is_not_rewritten_on_login()
    {
        var id = await RegisterAsync(fixture.Grains, NewEmail());
        var before = await StoredHashAsync(id);

        await User(id).VerifyPasswordAsync(Password);

        Assert.Equal(before, await StoredHashAsync(id));
    }

    [Fact]
    public async Task An_old_format_hash_is_upgraded_on_the_next_successful_login()
    {
        var email = NewEmail();
        var id = Ids.New("u");
        await using (var other = await StartSeparateClusterAsync(fixture.ConnectionString))
        {
            await RegisterAsync(other.GrainFactory, email, userId: id);
        }

        // Replace the hash with an Identity v2 one, as a user registered long ago would have.
        var v2 = new PasswordHasher<object>(Options.Create(new PasswordHasherOptions { CompatibilityMode = PasswordHasherCompatibilityMode.IdentityV2 }))
            .HashPassword(new object(), Password);
        await ScalarAsync<object>(
            fixture.ConnectionString,
            "update actors_grain_state set state = jsonb_set(state, '{passwordHash}', to_jsonb(@p1::text)) where grain_type = 'user' and grain_key = @p0 and state_name = 'user'",
            id,
            v2);

        Assert.Equal(id, (await User(id).VerifyPasswordAsync(Password)).Id);

        var upgraded = await StoredHashAsync(id);
        Assert.NotEqual(v2, upgraded);
        Assert.StartsWith("AQAAAA", upgraded, StringComparison.Ordinal);
        Assert.Equal(id, (await User(id).VerifyPasswordAsync(Password)).Id);
        await ThrowsDomainAsync(ErrorCodes.InvalidCredentials, () => User(id).VerifyPasswordAsync("wrong password"));
    }

    public static TheoryData<string, string, string, string[], string> InvalidRegistrations()
    {
        var ok = (Email: "someone@example.com", Password, Name: "Ada");
        return new()
        {
            { EmailOfLength(255), ok.Password, ok.Name, [], "email" },
            { "", ok.Password, ok.Name, [], "email" },
            { "no-at-sign.example.com", ok.Password, ok.Name, [], "email" },
            { "ada@localhost", ok.Password, ok.Name, [], "email" },
            { "ada lovelace@example.com", ok.Password, ok.Name, [], "email" },
            { "@example.com", ok.Password, ok.Name, [], "email" },
            { "ada@example..com", ok.Password, ok.Name, [], "email" },
            { "ada..l@example.com", ok.Password, ok.Name, [], "email" },
            { ok.Email, new string('p', 7), ok.Name, [], "password" },
            { ok.Email, new string('p', 257), ok.Name, [], "password" },
            { ok.Email, ok.Password, "", [], "displayName" },
            { ok.Email, ok.Password, "    ", [], "displayName" },
            { ok.Email, ok.Password, new string('n', 101), [], "displayName" },
            { ok.Email, ok.Password, "Ada\u0007", [], "displayName" },
            { ok.Email, ok.Password, ok.Name, ["root"], "roles" },
            { ok.Email, ok.Password, ok.Name, [Roles.Member, "Admin"], "roles" },
        };
    }

    [Theory]
    [MemberData(nameof(InvalidRegistrations))]
    public async Task Every_limit_on_registration_gives_validation_failed_naming_the_field(string email, string password, string displayName, string[] roles, string field)
    {
        var id = Ids.New("u");

        var error = await ThrowsDomainAsync(ErrorCodes.ValidationFailed, () => User(id).CreateAsync(email, password, displayName, [.. roles]));

        Assert.Equal(field, Assert.Single(error.Fields.Keys));
        await ThrowsDomainAsync(ErrorCodes.NotFound, () => User(id).GetProfileAsync());
    }

    [Fact]
    public async Task Values_exactly_at_the_limits_are_accepted()
    {
        var email = EmailOfLength(254, Guid.NewGuid().ToString("N"));
        var name = new string('n', 100);

        var profile = await User(Ids.New("u")).CreateAsync(email, new string('p', 256), name, [Roles.Admin]);

        Assert.Equal(email, profile.Email);
        Assert.Equal(name, profile.DisplayName);
        var shortPassword = await User(Ids.New("u")).CreateAsync(NewEmail(), new string('p', 8), "A", []);
        Assert.Equal("A", shortPassword.DisplayName);
    }

    [Fact]
    public async Task Roles_are_deduplicated_in_canonical_order_and_unknown_roles_are_refused()
    {
        var id = Ids.New("u");
        var created = await User(id).CreateAsync(NewEmail(), Password, "Ada", [Roles.Admin, Roles.Member, Roles.Admin]);
        Assert.Equal<string>([Roles.Member, Roles.Admin], created.Roles);

        var updated = await User(id).SetRolesAsync([Roles.Operator]);
        Assert.Equal<string>([Roles.Operator], updated.Roles);

        var error = await ThrowsDomainAsync(ErrorCodes.ValidationFailed, () => User(id).SetRolesAsync(["superuser"]));
        Assert.Contains("roles", error.Fields.Keys);
        Assert.Equal<string>([Roles.Operator], (await User(id).GetProfileAsync()).Roles);
    }

    [Fact]
    public async Task A_display_name_update_is_validated_and_persists_for_a_fresh_activation()
    {
        var id = await RegisterAsync(fixture.Grains, NewEmail());

        var updated = await User(id).UpdateDisplayNameAsync("  Countess of Lovelace ");
        await ThrowsDomainAsync(ErrorCodes.ValidationFailed, () => User(id).UpdateDisplayNameAsync(new string('x', 101)));

        Assert.Equal("Countess of Lovelace", updated.DisplayName);
        using (var stored = await StoredUserAsync(fixture.ConnectionString, id))
        {
            Assert.Equal("Countess of Lovelace", stored!.RootElement.GetProperty("displayName").GetString());
        }

        await using var other = await StartSeparateClusterAsync(fixture.ConnectionString);
        var reloaded = await other.GrainFactory.GetGrain<IUserGrain>(id).GetProfileAsync();
        Assert.Equal<string>(updated.Roles, reloaded.Roles);
        Assert.Equal(updated with { Roles = reloaded.Roles }, reloaded);
    }

    [Fact]
    public async Task A_card_shows_the_display_name_and_presence_but_not_the_email()
    {
        var id = await RegisterAsync(fixture.Grains, NewEmail(), displayName: "Grace");

        var card = await User(id).GetCardAsync();

        Assert.Equal(new UserCard(id, "Grace", new UserPresence(UserPresence.Offline, null)), card);
    }

    private async Task<string?> StoredHashAsync(string id) =>
        await ScalarAsync<string>(
            fixture.ConnectionString,
            "select state->>'passwordHash' from actors_grain_state where grain_type = 'user' and grain_key = @p0 and state_name = 'user'",
            id);

    /// <summary>A plausible address of exactly <paramref name="length"/> characters.</summary>
    private static string EmailOfLength(int length, string? unique = null)
    {
        var local = (unique ?? "") + new string('a', 64 - (unique?.Length ?? 0));
        var domain = new List<string>();
        var remaining = length - local.Length - 1 - ".com".Length;
        while (remaining > 0)
        {
            var label = Math.Min(63, remaining);
            if (remaining - label == 1)
            {
                label--;
            }

            domain.Add(new string('d', label));
            remaining -= label + 1;
        }

        var email = local + "@" + string.Join('.', domain) + ".com";
        return email.Length == length ? email : throw new InvalidOperationException($"built {email.Length} characters, wanted {length}");
    }
}
