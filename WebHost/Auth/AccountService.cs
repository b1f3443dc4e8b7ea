using Actors.Grains;
using Actors.WebHost.Api;
using Actors.WebHost.Api.Contracts;
using Microsoft.AspNetCore.Identity;

namespace Actors.WebHost.Auth;

/// <summary>Register, login, refresh and logout on top of the email index and user grains.</summary>
internal sealed class AccountService(IGrainFactory grains, AccessTokenIssuer tokens, OperatorBootstrap bootstrap, ILogger<AccountService> logger)
{
    private static readonly PasswordHasher<object> Decoys = new();

    /// <summary>Verified against for unknown emails, so an unknown address costs the same time as a wrong password.</summary>
    private static readonly Lazy<string> DecoyHash = new(() => Decoys.HashPassword(new object(), Guid.NewGuid().ToString()));

    /// <summary>Claims the email for a new id, creates the user (releasing the claim if that fails), signs in.</summary>
    public async Task<AuthResponse> RegisterAsync(RegisterRequest request)
    {
        var email = AccountEmails.Normalize(request.Email!);
        var userId = NewId.Create();
        var owner = await grains.GetGrain<IEmailIndexGrain>(email).ClaimAsync(userId);
        if (!string.Equals(owner, userId, StringComparison.Ordinal))
        {
            throw new DomainException(ErrorCodes.EmailTaken, "this email address is already registered");
        }

        var user = grains.GetGrain<IUserGrain>(userId);
        var roles = bootstrap.RolesFor(email);
        UserProfile profile;
        try
        {
            profile = await user.CreateAsync(request.Email!.Trim(), request.Password!, request.DisplayName!, roles);
        }
        catch (Exception exception)
        {
            await ReleaseAsync(email, userId, exception);
            throw;
        }

        AuthLog.Registered(logger, userId, string.Join(",", profile.Roles));
        return await SignInAsync(user, profile);
    }

    /// <summary>An unknown email and a wrong password get the same answer: invalid_credentials.</summary>
    public async Task<AuthResponse> LoginAsync(LoginRequest request)
    {
        var email = AccountEmails.Normalize(request.Email!);
        var userId = await grains.GetGrain<IEmailIndexGrain>(email).GetUserIdAsync();
        if (userId is null)
        {
            Decoys.VerifyHashedPassword(new object(), DecoyHash.Value, request.Password!);
            throw new DomainException(ErrorCodes.InvalidCredentials, "the email or password is wrong");
        }

        var user = grains.GetGrain<IUserGrain>(userId);
        var profile = await user.VerifyPasswordAsync(request.Password!);
        return await SignInAsync(user, profile);
    }

    /// <summary>Rotates "userId.familyId.secret"; a reused token revokes its family (token_reused).</summary>
    public async Task<AuthResponse> RefreshAsync(RefreshRequest request)
    {
        var token = request.RefreshToken!;
        var userId = UserIdOf(token) ?? throw InvalidRefreshToken();
        var user = grains.GetGrain<IUserGrain>(userId);
        try
        {
            // Read first: once rotated, the old token is spent, so nothing may fail after the rotation.
            var profile = await user.GetProfileAsync();
            var issue = await user.RotateRefreshTokenAsync(token);
            return new AuthResponse(profile, tokens.Issue(profile), issue.Token, ExpiresIn);
        }
        catch (DomainException exception) when (exception.Code == ErrorCodes.TokenReused)
        {
            AuthLog.RefreshTokenReused(logger, userId);
            throw;
        }
        catch (DomainException exception) when (exception.Code == ErrorCodes.NotFound)
        {
            throw InvalidRefreshToken();
        }
    }

    /// <summary>Revokes the token's family when it is the caller's; anything else is ignored (logout always succeeds).</summary>
    public async Task LogoutAsync(string callerId, string refreshToken)
    {
        if (string.Equals(UserIdOf(refreshToken), callerId, StringComparison.Ordinal))
        {
            await grains.GetGrain<IUserGrain>(callerId).RevokeRefreshTokenAsync(refreshToken);
        }
    }

    private int ExpiresIn => (int)tokens.Lifetime.TotalSeconds;

    private async Task<AuthResponse> SignInAsync(IUserGrain user, UserProfile profile)
    {
        var refresh = await user.IssueRefreshTokenAsync();
        return new AuthResponse(profile, tokens.Issue(profile), refresh.Token, ExpiresIn);
    }

    private async Task ReleaseAsync(string email, string userId, Exception cause)
    {
        try
        {
            await grains.GetGrain<IEmailIndexGrain>(email).ReleaseAsync(userId);
        }
        finally
        {
            if (cause is not DomainException)
            {
                AuthLog.RegistrationRolledBack(logger, cause, userId);
            }
        }
    }

    private static string? UserIdOf(string token)
    {
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && Limits.Id().IsMatch(token[..dot]) ? token[..dot] : null;
    }

    private static DomainException InvalidRefreshToken() => new(ErrorCodes.Unauthorized, "the refresh token is invalid or expired");
}
