using System.Buffers.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static Actors.Grains.Tests.Users.UserTestKit;

namespace Actors.Grains.Tests.Users;

[Collection(DomainCollection.Name)]
public sealed class RefreshTokenTests(DomainClusterFixture fixture)
{
    private TimeSpan Lifetime => fixture.Cluster.Services.GetRequiredService<IOptions<DomainOptions>>().Value.RefreshTokenLifetime;

    private async Task<IUserGrain> NewUserAsync() => fixture.Grains.GetGrain<IUserGrain>(await RegisterAsync(fixture.Grains, NewEmail()));

    [Fact]
    public async Task An_issued_token_is_user_family_and_32_byte_secret_and_only_its_hash_is_stored()
    {
        var id = await RegisterAsync(fixture.Grains, NewEmail());
        var now = fixture.Time.GetUtcNow();

        var issue = await fixture.Grains.GetGrain<IUserGrain>(id).IssueRefreshTokenAsync();

        var parts = issue.Token.Split('.');
        Assert.Equal(3, parts.Length);
        Assert.Equal(id, parts[0]);
        Assert.Equal(32, Base64Url.DecodeFromChars(parts[2]).Length);
        Assert.Equal(now + Lifetime, issue.ExpiresAt);
        using var stored = await StoredUserAsync(fixture.ConnectionString, id);
        var text = stored!.RootElement.GetRawText();
        Assert.DoesNotContain(parts[2], text, StringComparison.Ordinal);
        Assert.Contains(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(issue.Token))), text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotation_returns_a_new_token_that_works_and_the_next_rotation_works_too()
    {
        var user = await NewUserAsync();
        var first = await user.IssueRefreshTokenAsync();

        var second = await user.RotateRefreshTokenAsync(first.Token);
        var third = await user.RotateRefreshTokenAsync(second.Token);

        Assert.NotEqual(first.Token, second.Token);
        Assert.NotEqual(second.Token, third.Token);
        Assert.Equal(first.Token.Split('.')[1], third.Token.Split('.')[1]);
    }

    [Fact]
    public async Task Reusing_a_rotated_token_is_token_reused_and_revokes_the_family_so_its_newest_token_fails_too()
    {
        var user = await NewUserAsync();
        var first = await user.IssueRefreshTokenAsync();
        var second = await user.RotateRefreshTokenAsync(first.Token);

        await ThrowsDomainAsync(ErrorCodes.TokenReused, () => user.RotateRefreshTokenAsync(first.Token));

        await ThrowsDomainAsync(ErrorCodes.TokenReused, () => user.RotateRefreshTokenAsync(second.Token));
        await ThrowsDomainAsync(ErrorCodes.TokenReused, () => user.RotateRefreshTokenAsync(first.Token));
    }

    [Fact]
    public async Task Reuse_revokes_only_the_family_of_the_reused_token()
    {
        var user = await NewUserAsync();
        var phone = await user.IssueRefreshTokenAsync();
        var laptop = await user.IssueRefreshTokenAsync();
        await user.RotateRefreshTokenAsync(phone.Token);

        await ThrowsDomainAsync(ErrorCodes.TokenReused, () => user.RotateRefreshTokenAsync(phone.Token));

        var next = await user.RotateRefreshTokenAsync(laptop.Token);
        Assert.NotEqual(laptop.Token, next.Token);
    }

    [Fact]
    public async Task Logout_revokes_the_family_and_unknown_tokens_are_ignored()
    {
        var user = await NewUserAsync();
        var issue = await user.IssueRefreshTokenAsync();
        var other = await user.IssueRefreshTokenAsync();

        await user.RevokeRefreshTokenAsync("not-a-token");
        await user.RevokeRefreshTokenAsync($"{Ids.New("u")}.family.secret");
        await user.RevokeRefreshTokenAsync(issue.Token);
        await user.RevokeRefreshTokenAsync(issue.Token);

        await ThrowsDomainAsync(ErrorCodes.TokenReused, () => user.RotateRefreshTokenAsync(issue.Token));
        await user.RotateRefreshTokenAsync(other.Token);
    }

    [Fact]
    public async Task A_token_is_unauthorized_once_its_lifetime_has_passed_and_rotation_extends_the_lifetime()
    {
        // A silo of its own with a one-minute lifetime, so the shared clock does not jump 30 days.
        await using var cluster = await StartSeparateClusterAsync(fixture.ConnectionString, o => o.RefreshTokenLifetime = TimeSpan.FromMinutes(1));
        var user = cluster.GrainFactory.GetGrain<IUserGrain>(await RegisterAsync(cluster.GrainFactory, NewEmail()));
        var issue = await user.IssueRefreshTokenAsync();

        cluster.Time.Advance(TimeSpan.FromSeconds(40));
        var rotated = await user.RotateRefreshTokenAsync(issue.Token);
        Assert.Equal(cluster.Time.GetUtcNow() + TimeSpan.FromMinutes(1), rotated.ExpiresAt);

        cluster.Time.Advance(TimeSpan.FromSeconds(40));
        var again = await user.RotateRefreshTokenAsync(rotated.Token);

        cluster.Time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        await ThrowsDomainAsync(ErrorCodes.Unauthorized, () => user.RotateRefreshTokenAsync(again.Token));
        await ThrowsDomainAsync(ErrorCodes.Unauthorized, () => user.RotateRefreshTokenAsync(rotated.Token));
    }

    [Fact]
    public async Task A_token_of_another_user_is_unauthorized_and_does_not_harm_its_family()
    {
        var alice = await NewUserAsync();
        var bob = await NewUserAsync();
        var alicesToken = await alice.IssueRefreshTokenAsync();
        await bob.IssueRefreshTokenAsync();

        await ThrowsDomainAsync(ErrorCodes.Unauthorized, () => bob.RotateRefreshTokenAsync(alicesToken.Token));
        await bob.RevokeRefreshTokenAsync(alicesToken.Token);

        await alice.RotateRefreshTokenAsync(alicesToken.Token);
    }

    [Fact]
    public async Task A_token_with_a_forged_secret_is_unauthorized_and_does_not_revoke_the_family()
    {
        var user = await NewUserAsync();
        var issue = await user.IssueRefreshTokenAsync();
        var parts = issue.Token.Split('.');
        var forged = $"{parts[0]}.{parts[1]}.{Base64Url.EncodeToString(new byte[32])}";

        await ThrowsDomainAsync(ErrorCodes.Unauthorized, () => user.RotateRefreshTokenAsync(forged));
        await user.RevokeRefreshTokenAsync(forged);

        await user.RotateRefreshTokenAsync(issue.Token);
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("a.b")]
    [InlineData("a.b.c.d")]
    [InlineData("..")]
    public async Task A_malformed_token_is_unauthorized(string token)
    {
        var user = await NewUserAsync();
        await user.IssueRefreshTokenAsync();

        await ThrowsDomainAsync(ErrorCodes.Unauthorized, () => user.RotateRefreshTokenAsync(token));
    }

    [Fact]
    public async Task A_token_for_an_unknown_family_or_user_is_unauthorized()
    {
        var user = await NewUserAsync();
        var issue = await user.IssueRefreshTokenAsync();
        var parts = issue.Token.Split('.');
        var ghost = Ids.New("u");

        await ThrowsDomainAsync(ErrorCodes.Unauthorized, () => user.RotateRefreshTokenAsync($"{parts[0]}.otherfamily.{parts[2]}"));
        await ThrowsDomainAsync(ErrorCodes.Unauthorized, () => fixture.Grains.GetGrain<IUserGrain>(ghost).RotateRefreshTokenAsync($"{ghost}.{parts[1]}.{parts[2]}"));
    }

    [Fact]
    public async Task At_most_twenty_families_are_kept_and_the_oldest_goes_first()
    {
        var user = await NewUserAsync();
        var issues = new List<RefreshTokenIssue>();
        for (var i = 0; i < 22; i++)
        {
            issues.Add(await user.IssueRefreshTokenAsync());
        }

        await ThrowsDomainAsync(ErrorCodes.Unauthorized, () => user.RotateRefreshTokenAsync(issues[0].Token));
        await ThrowsDomainAsync(ErrorCodes.Unauthorized, () => user.RotateRefreshTokenAsync(issues[1].Token));
        await user.RotateRefreshTokenAsync(issues[2].Token);
        await user.RotateRefreshTokenAsync(issues[21].Token);
    }

    [Fact]
    public async Task A_revoked_family_is_dropped_before_any_live_one_when_the_cap_is_reached()
    {
        var user = await NewUserAsync();
        var issues = new List<RefreshTokenIssue>();
        for (var i = 0; i < 20; i++)
        {
            issues.Add(await user.IssueRefreshTokenAsync());
        }

        await user.RevokeRefreshTokenAsync(issues[10].Token);
        await user.IssueRefreshTokenAsync();

        // The revoked family was dropped (now simply unknown) and the oldest live one survived.
        await ThrowsDomainAsync(ErrorCodes.Unauthorized, () => user.RotateRefreshTokenAsync(issues[10].Token));
        await user.RotateRefreshTokenAsync(issues[0].Token);
    }
}
