using System.Collections.Immutable;
using System.Security.Claims;
using Actors.Grains;
using Actors.WebHost.Api.Contracts;
using Actors.WebHost.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Actors.WebHost.Api;

/// <summary>/api/sessions: create, list the caller's, read, edit, close and join sessions.</summary>
internal static class SessionEndpoints
{
    public const int PageDefault = 20;
    public const int PageMax = 100;

    public static RouteGroupBuilder MapSessionsGroup(this IEndpointRouteBuilder app) =>
        app.MapGroup("/api/sessions").WithTags("Sessions").RequireAuthorization().AddEndpointFilter<RouteIdFilter>();

    public static IEndpointRouteBuilder MapSessionEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapSessionsGroup();

        group.MapPost("/", CreateAsync)
            .WithName("CreateSession").WithSummary("Creates a session owned by the caller")
            .WithDescription("visibility is private (the default) or public; title 1–200 characters.")
            .ProducesCommonProblems();

        group.MapGet("/", ListAsync)
            .WithName("ListSessions").WithSummary("The sessions the caller belongs to, a page at a time")
            .WithDescription($"limit defaults to {PageDefault} and is clamped to {PageMax}; pass nextCursor as cursor for the next page.")
            .ProducesCommonProblems();

        group.MapGet("/{id}", GetAsync)
            .WithName("GetSession").WithSummary("A session with its members (members, viewers, or anyone if public)")
            .ProducesCommonProblems().ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPatch("/{id}", UpdateAsync)
            .WithName("UpdateSession").WithSummary("Changes the title or visibility (owner)")
            .ProducesCommonProblems().ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);

        group.MapPost("/{id}/close", CloseAsync)
            .WithName("CloseSession").WithSummary("Closes the session: no more publishes or resource updates (owner)")
            .ProducesCommonProblems().ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        group.MapPost("/{id}/join", JoinAsync)
            .WithName("JoinSession").WithSummary("Joins a public session as member")
            .ProducesCommonProblems().ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);

        return app;
    }

    private static async Task<Created<SessionView>> CreateAsync(CreateSessionRequest request, ClaimsPrincipal user, IGrainFactory grains)
    {
        var id = NewId.Create();
        var view = await grains.GetGrain<ISessionGrain>(id).CreateAsync(user.GetUserId(), request.Title!, request.Visibility ?? Visibility.Private);
        return TypedResults.Created($"/api/sessions/{id}", view);
    }

    private static async Task<Ok<SessionList>> ListAsync(string? cursor, string? limit, ClaimsPrincipal user, IGrainFactory grains)
    {
        var callerId = user.GetUserId();
        var page = await grains.GetGrain<IUserGrain>(callerId)
            .ListSessionsAsync(QueryValues.Cursor(cursor), QueryValues.Limit(limit, PageDefault, PageMax));
        var views = await Task.WhenAll(page.Items.Select(m => TryGetAsync(grains, m.SessionId, callerId)));
        return TypedResults.Ok(new SessionList([.. views.OfType<SessionView>()], page.NextCursor));
    }

    private static async Task<Ok<SessionView>> GetAsync(string id, ClaimsPrincipal user, IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<ISessionGrain>(id).GetAsync(user.GetUserId()));

    private static async Task<Ok<SessionView>> UpdateAsync(string id, UpdateSessionRequest request, ClaimsPrincipal user, IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<ISessionGrain>(id).UpdateAsync(user.GetUserId(), request.Title, request.Visibility));

    private static async Task<Ok<SessionView>> CloseAsync(string id, ClaimsPrincipal user, IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<ISessionGrain>(id).CloseAsync(user.GetUserId()));

    private static async Task<Ok<SessionView>> JoinAsync(string id, ClaimsPrincipal user, IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<ISessionGrain>(id).JoinAsync(user.GetUserId()));

    /// <summary>A session listed on the user but gone (or no longer visible) is left out of the page.</summary>
    private static async Task<SessionView?> TryGetAsync(IGrainFactory grains, string sessionId, string callerId)
    {
        try
        {
            return await grains.GetGrain<ISessionGrain>(sessionId).GetAsync(callerId);
        }
        catch (DomainException exception) when (exception.Code is ErrorCodes.NotFound or ErrorCodes.Forbidden)
        {
            return null;
        }
    }

    internal static ImmutableArray<T> Present<T>(IEnumerable<T?> items) where T : class => [.. items.OfType<T>()];
}
