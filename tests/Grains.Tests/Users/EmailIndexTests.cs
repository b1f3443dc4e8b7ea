using Actors.Runtime.Testing;
using static Actors.Grains.Tests.Users.UserTestKit;

namespace Actors.Grains.Tests.Users;

[Collection(DomainCollection.Name)]
public sealed class EmailIndexTests(DomainClusterFixture fixture)
{
    [Fact]
    public async Task Twenty_concurrent_claims_of_one_address_have_exactly_one_winner_and_everyone_sees_it()
    {
        var index = fixture.Grains.GetGrain<IEmailIndexGrain>(Normalize(NewEmail()));
        var ids = Enumerable.Range(0, 20).Select(_ => Ids.New("u")).ToList();

        var owners = await Task.WhenAll(ids.Select(id => index.ClaimAsync(id)));

        var winner = Assert.Single(owners.Distinct());
        Assert.Contains(winner, ids);
        Assert.Equal(winner, await index.GetUserIdAsync());
    }

    [Fact]
    public async Task Twenty_concurrent_registrations_with_one_email_create_exactly_one_user_and_the_rest_get_email_taken()
    {
        var email = NewEmail();
        var ids = Enumerable.Range(0, 20).Select(_ => Ids.New("u")).ToList();

        var outcomes = await Task.WhenAll(ids.Select(async id =>
        {
            try
            {
                await RegisterAsync(fixture.Grains, email, userId: id);
                return (Id: id, Code: "created");
            }
            catch (DomainException error)
            {
                return (Id: id, error.Code);
            }
        }));

        var created = Assert.Single(outcomes, o => o.Code == "created");
        Assert.All(outcomes.Where(o => o.Id != created.Id), o => Assert.Equal(ErrorCodes.EmailTaken, o.Code));
        Assert.Equal(created.Id, await fixture.Grains.GetGrain<IEmailIndexGrain>(Normalize(email)).GetUserIdAsync());
        Assert.Equal(email, (await fixture.Grains.GetGrain<IUserGrain>(created.Id).GetProfileAsync()).Email);
        foreach (var loser in outcomes.Where(o => o.Id != created.Id).Take(3))
        {
            await ThrowsDomainAsync(ErrorCodes.NotFound, () => fixture.Grains.GetGrain<IUserGrain>(loser.Id).GetProfileAsync());
        }
    }

    [Fact]
    public async Task An_address_differing_only_in_case_and_surrounding_spaces_is_the_same_address()
    {
        var email = NewEmail();
        var id = await RegisterAsync(fixture.Grains, email);

        await ThrowsDomainAsync(ErrorCodes.EmailTaken, () => RegisterAsync(fixture.Grains, "  " + email.ToUpperInvariant() + " "));

        var login = await LoginAsync(fixture.Grains, " " + email.ToLowerInvariant(), Password);
        Assert.Equal(id, login.Id);
        Assert.Equal(email, login.Email);
    }

    [Fact]
    public async Task A_claim_is_idempotent_for_its_owner_and_only_the_owner_can_release_it()
    {
        var index = fixture.Grains.GetGrain<IEmailIndexGrain>(Normalize(NewEmail()));
        var (owner, other) = (Ids.New("u"), Ids.New("u"));

        Assert.Equal(owner, await index.ClaimAsync(owner));
        Assert.Equal(owner, await index.ClaimAsync(owner));
        Assert.Equal(owner, await index.ClaimAsync(other));

        await index.ReleaseAsync(other);
        Assert.Equal(owner, await index.GetUserIdAsync());

        await index.ReleaseAsync(owner);
        Assert.Null(await index.GetUserIdAsync());
        Assert.Equal(other, await index.ClaimAsync(other));
    }

    [Fact]
    public async Task An_unclaimed_address_answers_null_and_its_activation_does_not_linger()
    {
        var key = Normalize(NewEmail());

        Assert.Null(await fixture.Grains.GetGrain<IEmailIndexGrain>(key).GetUserIdAsync());

        await TestWait.UntilAsync(() => !fixture.Cluster.Primary.IsActive(GrainId.Create("email", key)), Bound, "the empty activation should go");
    }

    [Fact]
    public async Task A_claim_racing_a_second_activation_of_the_address_returns_the_stored_owner()
    {
        await using var other = await StartSeparateClusterAsync(fixture.ConnectionString);
        var key = Normalize(NewEmail());
        var (first, second, late) = (Ids.New("u"), Ids.New("u"), Ids.New("u"));

        // The fixture's activation ends up holding an empty state (claimed, then released)...
        var here = fixture.Grains.GetGrain<IEmailIndexGrain>(key);
        await here.ClaimAsync(first);
        await here.ReleaseAsync(first);

        // ...while a second activation on another silo claims the address.
        Assert.Equal(second, await other.GrainFactory.GetGrain<IEmailIndexGrain>(key).ClaimAsync(second));

        // The stale activation's write loses on the ETag; it answers with the stored winner.
        Assert.Equal(second, await here.ClaimAsync(late));
        Assert.Equal(second, await here.GetUserIdAsync());
    }

    [Theory]
    [InlineData("Ada@example.com")]
    [InlineData(" ada@example.com")]
    [InlineData("no-at-sign")]
    public async Task An_index_key_that_is_not_a_normalised_address_is_rejected(string key)
    {
        var error = await ThrowsDomainAsync(ErrorCodes.ValidationFailed, () => fixture.Grains.GetGrain<IEmailIndexGrain>(key).ClaimAsync(Ids.New("u")));
        Assert.Contains("email", error.Fields.Keys);
    }

    [Fact]
    public async Task An_index_key_longer_than_254_characters_is_rejected()
    {
        var key = new string('a', 64) + "@" + new string('b', 186) + ".com";
        Assert.Equal(255, key.Length);

        await ThrowsDomainAsync(ErrorCodes.ValidationFailed, () => fixture.Grains.GetGrain<IEmailIndexGrain>(key).ClaimAsync(Ids.New("u")));
    }

    [Fact]
    public async Task Creating_a_user_whose_address_belongs_to_another_user_fails_with_email_taken()
    {
        var email = NewEmail();
        await RegisterAsync(fixture.Grains, email);
        var intruder = Ids.New("u");

        // Even a caller that skips the claim cannot create a second user with the address.
        await ThrowsDomainAsync(ErrorCodes.EmailTaken, () => fixture.Grains.GetGrain<IUserGrain>(intruder).CreateAsync(email, Password, "Eve", []));
        await ThrowsDomainAsync(ErrorCodes.NotFound, () => fixture.Grains.GetGrain<IUserGrain>(intruder).GetProfileAsync());
    }

    [Fact]
    public async Task Creating_a_user_that_already_exists_fails_with_email_taken()
    {
        var email = NewEmail();
        var id = await RegisterAsync(fixture.Grains, email);

        await ThrowsDomainAsync(ErrorCodes.EmailTaken, () => fixture.Grains.GetGrain<IUserGrain>(id).CreateAsync(email, Password, "Ada again", []));
        Assert.Equal("Ada", (await fixture.Grains.GetGrain<IUserGrain>(id).GetProfileAsync()).DisplayName);
    }
}
