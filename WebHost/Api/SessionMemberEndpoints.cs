using System.Security.Claims;
using Actors.Grains;
using Actors.WebHost.Api.Contracts;
using Actors.WebHost.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Actors.WebHost.Api;

/// <summary>/api/sessions/{id}/members and /presence: who belongs to a session, and who is there now.</summary>
internal static class SessionMemberEndpoints
{
    public static IEndpointRouteBuilder MapSessionMemberEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapSessionsGroup();

        group.MapPut("/{id}/members/{userId}", SetMemberAsync)
            .WithName("SetSessionMember").WithSummary("Adds a user with a role, or changes their role (owner)")
            .WithDescription("role is owner, member or viewer.")
            .ProducesCommonProblems().ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);

        group.MapDelete("/{id}/members/{userId}", RemoveMemberAsync)
            .WithName("RemoveSessionMember").WithSummary("Removes a member (owner, or the member themself)")
            .ProducesCommonProblems().ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);

        group.MapGet("/{id}/presence", GetPresenceAsync)
            .WithName("GetSessionPresence").WithSummary("Who is connected to the session now (viewers and up)")
            .ProducesCommonProblems().ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        return app;
    }

    /// <summary>The user must exist (404 otherwise): a session never lists a member nobody can sign in as.</summary>
    private static async Task<Ok<SessionView>> SetMemberAsync(string id, string userId, SetMemberRequest request, ClaimsPrincipal user, IGrainFactory grains)
    {
        var session = grains.GetGrain<ISessionGrain>(id);
        var callerId = user.GetUserId();
        if (callerId != userId)
        {
            await grains.GetGrain<IUserGrain>(userId).GetCardAsync();
        }

        return TypedResults.Ok(await session.SetMemberAsync(callerId, userId, request.Role!));
    }

    private static async Task<NoContent> RemoveMemberAsync(string id, string userId, ClaimsPrincipal user, IGrainFactory grains)
    {
        await grains.GetGrain<ISessionGrain>(id).RemoveMemberAsync(user.GetUserId(), userId);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<ItemList<PresenceEntry>>> GetPresenceAsync(string id, ClaimsPrincipal user, IGrainFactory grains)
    {
        var snapshot = await grains.GetGrain<ISessionGrain>(id).GetPresenceAsync(user.GetUserId());
        return TypedResults.Ok(new ItemList<PresenceEntry>(snapshot.Items));
    }
}
