using System.Security.Claims;
using Actors.WebHost.Api.Contracts;
using Actors.WebHost.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Actors.WebHost.Api;

/// <summary>/api/auth: register, login and refresh (anonymous), logout (signed in).</summary>
internal static class AuthEndpoints
{
    public static IEndpointRouteBuilder MapAuthEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/auth").WithTags("Auth");

        group.MapPost("/register", RegisterAsync).AllowAnonymous()
            .WithName("Register").WithSummary("Creates an account and signs in")
            .WithDescription("Emails are compared case-insensitively; password 8–256 characters, displayName 1–100. Emails listed in Actors:Bootstrap:OperatorEmails become operators.")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status409Conflict, StatusCodes.Status429TooManyRequests);

        group.MapPost("/login", LoginAsync).AllowAnonymous()
            .WithName("Login").WithSummary("Signs in with email and password")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status429TooManyRequests);

        group.MapPost("/refresh", RefreshAsync).AllowAnonymous()
            .WithName("Refresh").WithSummary("Rotates a refresh token into a new token pair")
            .WithDescription("Presenting a rotated token again is 401 token_reused and revokes the whole family.")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status429TooManyRequests);

        group.MapPost("/logout", LogoutAsync).RequireAuthorization()
            .WithName("Logout").WithSummary("Revokes the refresh token's family")
            .ProducesCommonProblems();

        return app;
    }

    private static async Task<Created<AuthResponse>> RegisterAsync(RegisterRequest request, AccountService accounts)
    {
        var response = await accounts.RegisterAsync(request);
        return TypedResults.Created($"/api/users/{response.User.Id}", response);
    }

    private static async Task<Ok<AuthResponse>> LoginAsync(LoginRequest request, AccountService accounts) =>
        TypedResults.Ok(await accounts.LoginAsync(request));

    private static async Task<Ok<AuthResponse>> RefreshAsync(RefreshRequest request, AccountService accounts) =>
        TypedResults.Ok(await accounts.RefreshAsync(request));

    private static async Task<NoContent> LogoutAsync(RefreshRequest request, ClaimsPrincipal user, AccountService accounts)
    {
        await accounts.LogoutAsync(user.GetUserId(), request.RefreshToken!);
        return TypedResults.NoContent();
    }
}
