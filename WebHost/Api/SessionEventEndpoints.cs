using System.Security.Claims;
using Actors.Grains;
using Actors.WebHost.Api.Contracts;
using Actors.WebHost.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Actors.WebHost.Api;

/// <summary>/api/sessions/{id}/events: publish to and read the session's ordered, durable event log.</summary>
internal static class SessionEventEndpoints
{
    public const int PageDefault = 100;

    public static IEndpointRouteBuilder MapSessionEventEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapSessionsGroup();

        group.MapPost("/{id}/events", PublishAsync)
            .WithName("PublishEvent").WithSummary("Appends an event; acknowledged once committed (members and owner)")
            .WithDescription("type matches [a-z0-9._-]{1,64}; payload is any JSON up to 16 KiB. Repeating a clientMsgId answers 200 with the original seq.")
            .ProducesCommonProblems().ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);

        group.MapGet("/{id}/events", ReadAsync)
            .WithName("ReadEvents").WithSummary("Events after a seq, in order (viewers and up)")
            .WithDescription($"after defaults to 0; limit defaults to {PageDefault} and is clamped to {Limits.EventsPageMax}.")
            .ProducesCommonProblems().ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        return app;
    }

    private static async Task<Results<Created<PublishResponse>, Ok<PublishResponse>>> PublishAsync(
        string id, PublishRequest request, ClaimsPrincipal user, IGrainFactory grains)
    {
        var result = await grains.GetGrain<ISessionGrain>(id).PublishAsync(user.GetUserId(), request.Type!, request.Payload, request.ClientMsgId);
        var response = new PublishResponse(result.Seq, result.At);
        return result.Duplicate
            ? TypedResults.Ok(response)
            : TypedResults.Created($"/api/sessions/{id}/events?after={result.Seq - 1}&limit=1", response);
    }

    private static async Task<Ok<EventList>> ReadAsync(string id, string? after, string? limit, ClaimsPrincipal user, IGrainFactory grains)
    {
        var page = await grains.GetGrain<ISessionGrain>(id).ReadEventsAsync(
            user.GetUserId(), QueryValues.NonNegative(after, "after"), QueryValues.Limit(limit, PageDefault, Limits.EventsPageMax));
        return TypedResults.Ok(new EventList(page.Items, page.LastSeq));
    }
}
