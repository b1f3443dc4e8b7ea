namespace Actors.WebHost.Auth;

internal static partial class AuthLog
{
    [LoggerMessage(4200, LogLevel.Warning,
        "No signing key configured (Actors:Auth:SigningKey): using a random development key. Tokens stop working when this process exits and are not accepted by other nodes.")]
    public static partial void GeneratedSigningKey(ILogger logger);

    [LoggerMessage(4201, LogLevel.Information, "User {UserId} registered (roles {Roles})")]
    public static partial void Registered(ILogger logger, string userId, string roles);

    [LoggerMessage(4202, LogLevel.Warning, "Registration of user {UserId} failed after its email was claimed; the claim was released")]
    public static partial void RegistrationRolledBack(ILogger logger, Exception exception, string userId);

    [LoggerMessage(4203, LogLevel.Warning, "A rotated refresh token of user {UserId} was presented again: its family is revoked")]
    public static partial void RefreshTokenReused(ILogger logger, string userId);
}
