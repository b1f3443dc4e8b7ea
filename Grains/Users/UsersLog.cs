using Microsoft.Extensions.Logging;

namespace Actors.Grains.Users;

/// <summary>Log messages of the user and email-index grains. Event ids 2000–2099.</summary>
internal static partial class UsersLog
{
    [LoggerMessage(EventId = 2001, EventName = "UserPresencePersistFailed", Level = LogLevel.Warning,
        Message = "Could not persist lastSeenAt of user {UserId}")]
    public static partial void PresencePersistFailed(ILogger logger, Exception exception, string userId);

    [LoggerMessage(EventId = 2002, EventName = "UserPasswordRehashFailed", Level = LogLevel.Warning,
        Message = "Could not persist the upgraded password hash of user {UserId}; the old hash stays valid")]
    public static partial void RehashPersistFailed(ILogger logger, Exception exception, string userId);

    [LoggerMessage(EventId = 2003, EventName = "UserStateReloadFailed", Level = LogLevel.Warning,
        Message = "A state write of user {UserId} failed and the state could not be re-read; the activation will be replaced")]
    public static partial void ReloadFailed(ILogger logger, Exception exception, string userId);

    [LoggerMessage(EventId = 2004, EventName = "UserRefreshFamilyRevokedOnReuse", Level = LogLevel.Information,
        Message = "A rotated refresh token of user {UserId} was presented again; family {FamilyId} is revoked")]
    public static partial void FamilyRevokedOnReuse(ILogger logger, string userId, string familyId);

    [LoggerMessage(EventId = 2005, EventName = "UserPasswordRehashed", Level = LogLevel.Debug,
        Message = "Password hash of user {UserId} was upgraded to the current format")]
    public static partial void PasswordRehashed(ILogger logger, string userId);

    [LoggerMessage(EventId = 2006, EventName = "UserNodeLeaseExpired", Level = LogLevel.Information,
        Message = "User {UserId}: the lease of node {NodeId} lapsed; its {Count} connection(s) were dropped")]
    public static partial void NodeLeaseExpired(ILogger logger, string userId, string nodeId, int count);

    [LoggerMessage(EventId = 2010, EventName = "EmailClaimRaced", Level = LogLevel.Debug,
        Message = "Claim of an email address by {UserId} raced another activation; the stored owner is {OwnerId}")]
    public static partial void ClaimRaced(ILogger logger, string userId, string? ownerId);
}
