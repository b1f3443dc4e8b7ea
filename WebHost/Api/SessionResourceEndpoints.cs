using System.Security.Claims;
using Actors.Grains;
using Actors.WebHost.Api.Contracts;
using Actors.WebHost.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Actors.WebHost.Api;

/// <summary>/api/sessions/{id}/resources: create a shared JSON document in a session, list them.</summary>
internal static class SessionResourceEndpoints
{
    public static IEndpointRouteBuilder MapSessionResourceEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapSessionsGroup();

        group.MapPost("/{id}/resources", CreateAsync)
            .WithName("CreateResource").WithSummary("Creates a resource at version 1 (members and owner)")
            .WithDescription("name 1–200 characters, kind matches [a-z0-9._-]{1,64}, data any JSON up to 256 KiB and 32 levels deep. The ETag header carries the version.")
            .ProducesCommonProblems().ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);

        group.MapGet("/{id}/resources", ListAsync)
            .WithName("ListResources").WithSummary("The session's resources (viewers and up)")
            .ProducesCommonProblems().ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        return app;
    }

    private static async Task<Created<ResourceView>> CreateAsync(string id, CreateResourceRequest request, ClaimsPrincipal user, IGrainFactory grains, HttpResponse response)
    {
        var resourceId = NewId.Create();
        var view = await grains.GetGrain<IResourceGrain>(resourceId).CreateAsync(user.GetUserId(), id, request.Name!, request.Kind!, request.Data);
        response.Headers.ETag = ETags.Format(view.Version);
        return TypedResults.Created($"/api/resources/{resourceId}", view);
    }

    private static async Task<Ok<ItemList<ResourceView>>> ListAsync(string id, ClaimsPrincipal user, IGrainFactory grains)
    {
        var callerId = user.GetUserId();
        var ids = await grains.GetGrain<ISessionGrain>(id).ListResourceIdsAsync(callerId);
        var views = await Task.WhenAll(ids.Select(resourceId => TryGetAsync(grains, resourceId, callerId)));
        return TypedResults.Ok(new ItemList<ResourceView>(SessionEndpoints.Present(views)));
    }

    /// <summary>A resource deleted while the list was read is left out.</summary>
    private static async Task<ResourceView?> TryGetAsync(IGrainFactory grains, string resourceId, string callerId)
    {
        try
        {
            return await grains.GetGrain<IResourceGrain>(resourceId).GetAsync(callerId);
        }
        catch (DomainException exception) when (exception.Code == ErrorCodes.NotFound)
        {
            return null;
        }
    }
}
