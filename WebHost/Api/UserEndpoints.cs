using System.Security.Claims;
using Actors.Grains;
using Actors.WebHost.Api.Contracts;
using Actors.WebHost.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Actors.WebHost.Api;

/// <summary>/api/users: the caller's profile, and other users' public cards with presence.</summary>
internal static class UserEndpoints
{
    public static IEndpointRouteBuilder MapUserEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/users").WithTags("Users").RequireAuthorization().AddEndpointFilter<RouteIdFilter>();

        group.MapGet("/me", GetMeAsync)
            .WithName("GetMe").WithSummary("The caller's profile")
            .ProducesCommonProblems();

        group.MapPatch("/me", UpdateMeAsync)
            .WithName("UpdateMe").WithSummary("Changes the caller's display name")
            .ProducesCommonProblems();

        group.MapGet("/{id}", GetUserAsync)
            .WithName("GetUser").WithSummary("Another user's display name and platform presence")
            .ProducesCommonProblems().ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }

    private static async Task<Ok<UserProfile>> GetMeAsync(ClaimsPrincipal user, IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<IUserGrain>(user.GetUserId()).GetProfileAsync());

    private static async Task<Ok<UserProfile>> UpdateMeAsync(UpdateMeRequest request, ClaimsPrincipal user, IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<IUserGrain>(user.GetUserId()).UpdateDisplayNameAsync(request.DisplayName!));

    private static async Task<Ok<UserCard>> GetUserAsync(string id, IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<IUserGrain>(id).GetCardAsync());
}
