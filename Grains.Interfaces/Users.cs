using System.Collections.Immutable;

namespace Actors.Grains;

public static class Roles
{
    public const string Member = "member";
    public const string Operator = "operator";
    public const string Admin = "admin";
}

public sealed record UserProfile(string Id, string Email, string DisplayName, ImmutableArray<string> Roles, DateTimeOffset CreatedAt);

public sealed record UserPresence(string Status, DateTimeOffset? LastSeenAt)
{
    public const string Online = "online";
    public const string Offline = "offline";
}

/// <summary>A public view of another user.</summary>
public sealed record UserCard(string Id, string DisplayName, UserPresence Presence);

/// <summary>A refresh token as issued to the client: "userId.familyId.secret" (only its hash is stored).</summary>
public sealed record RefreshTokenIssue(string Token, DateTimeOffset ExpiresAt);

public sealed record SessionMembership(string SessionId, string Role, DateTimeOffset JoinedAt);

public sealed record SessionMembershipPage(ImmutableArray<SessionMembership> Items, string? NextCursor);

/// <summary>One user: profile, password hash, refresh-token families, sessions, platform presence.</summary>
[GrainType("user")]
public interface IUserGrain : IGrainWithStringKey
{
    /// <summary>Creates the user (the email must already be claimed for this id); validation_failed on bad input.</summary>
    Task<UserProfile> CreateAsync(string email, string password, string displayName, ImmutableArray<string> roles);

    /// <summary>not_found when the user does not exist.</summary>
    Task<UserProfile> GetProfileAsync();

    Task<UserCard> GetCardAsync();

    Task<UserProfile> UpdateDisplayNameAsync(string displayName);

    Task<UserProfile> SetRolesAsync(ImmutableArray<string> roles);

    /// <summary>invalid_credentials on a wrong password (or no such user).</summary>
    Task<UserProfile> VerifyPasswordAsync(string password);

    /// <summary>Starts a new refresh-token family (login, register).</summary>
    Task<RefreshTokenIssue> IssueRefreshTokenAsync();

    /// <summary>
    /// Rotates: the presented token must be its family's newest; then a new one is returned. A
    /// rotated (old) token revokes the family and fails with token_reused; so does any token of a
    /// revoked family.
    /// </summary>
    Task<RefreshTokenIssue> RotateRefreshTokenAsync(string token);

    /// <summary>Revokes the token's family (logout). Unknown tokens are ignored.</summary>
    Task RevokeRefreshTokenAsync(string token);

    Task AddSessionAsync(string sessionId, string role);

    Task RemoveSessionAsync(string sessionId);

    Task<SessionMembershipPage> ListSessionsAsync(string? cursor, int limit);

    /// <summary>
    /// A live connection of this user through WebHost node <paramref name="nodeId"/> (online while at
    /// least one exists). The connect also renews that node's lease; connections of a node whose lease
    /// lapses (its WebHost died) are dropped. validation_failed on a bad connection or node id.
    /// </summary>
    Task ConnectAsync(string connectionId, string nodeId);

    /// <summary>
    /// Renews the lease of node <paramref name="nodeId"/> on this user's connections. False when this
    /// activation knows no connection of that node (connections live in memory: the grain was
    /// deactivated or moved, or the lease lapsed); the node then sends <see cref="ConnectAsync"/> again
    /// for each live connection of the user it holds.
    /// </summary>
    Task<bool> RenewNodeAsync(string nodeId);

    /// <summary>The connection ended; the user goes offline after the grace period if no other connection remains.</summary>
    Task DisconnectAsync(string connectionId);

    Task<UserPresence> GetPresenceAsync();
}

/// <summary>Claims an email address (normalised, the key) for exactly one user id.</summary>
[GrainType("email")]
public interface IEmailIndexGrain : IGrainWithStringKey
{
    /// <summary>Returns the owner after the claim: <paramref name="userId"/> when it won, else the existing owner.</summary>
    Task<string> ClaimAsync(string userId);

    /// <summary>The owning user id, or null.</summary>
    Task<string?> GetUserIdAsync();

    /// <summary>Frees the address if <paramref name="userId"/> owns it (a failed registration).</summary>
    Task ReleaseAsync(string userId);
}
