namespace Actors.WebHost.Tests.Infrastructure;

/// <summary>A session with one user of each standing: owner, member, viewer, and an outsider.</summary>
public sealed record SessionCast(string SessionId, TestUser Owner, TestUser Member, TestUser Viewer, TestUser Outsider)
{
    public static async Task<SessionCast> CreateAsync(ApiFactory factory, string visibility = "private")
    {
        var owner = await factory.RegisterAsync("owner");
        var member = await factory.RegisterAsync("member");
        var viewer = await factory.RegisterAsync("viewer");
        var outsider = await factory.RegisterAsync("outsider");
        var sessionId = await owner.CreateSessionIdAsync(visibility);
        await owner.SetMemberAsync(sessionId, member, "member");
        await owner.SetMemberAsync(sessionId, viewer, "viewer");
        return new SessionCast(sessionId, owner, member, viewer, outsider);
    }

    public TestUser this[string who] => who switch
    {
        "owner" => Owner,
        "member" => Member,
        "viewer" => Viewer,
        "outsider" => Outsider,
        _ => throw new ArgumentOutOfRangeException(nameof(who), who, null),
    };
}
