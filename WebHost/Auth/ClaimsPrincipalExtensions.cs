using System.Security.Claims;
using Actors.Grains;

namespace Actors.WebHost.Auth;

/// <summary>The signed-in user's id (the token's <c>sub</c>).</summary>
public static class ClaimsPrincipalExtensions
{
    public static string? FindUserId(this ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true ? user.FindFirst(TokenClaims.Subject)?.Value : null;

    /// <summary>For endpoints that require authentication.</summary>
    public static string GetUserId(this ClaimsPrincipal user) =>
        user.FindUserId() ?? throw new DomainException(ErrorCodes.Unauthorized, "sign in first");

    public static string GetDisplayName(this ClaimsPrincipal user) => user.FindFirst(TokenClaims.Name)?.Value ?? "";
}

/// <summary>Claim names in our access tokens (not mapped to WS-* URIs).</summary>
public static class TokenClaims
{
    public const string Subject = "sub";
    public const string Name = "name";
    public const string Email = "email";
    public const string Role = "role";
}
