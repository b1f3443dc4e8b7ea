using System.Security.Claims;
using System.Text.Json;
using Actors.Grains;
using Actors.WebHost.Api.Contracts;
using Actors.WebHost.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Actors.WebHost.Api;

/// <summary>
/// /api/resources/{id}: versioned JSON documents with optimistic concurrency over HTTP — the version
/// is the ETag, reads honour If-None-Match, writes need If-Match — plus an edit lock and history.
/// </summary>
internal static class ResourceEndpoints
{
    public const string MergePatchMediaType = "application/merge-patch+json";

    public static IEndpointRouteBuilder MapResourceEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/resources").WithTags("Resources").RequireAuthorization().AddEndpointFilter<RouteIdFilter>();

        group.MapGet("/{id}", GetAsync)
            .WithName("GetResource").WithSummary("A resource, with its version as ETag (viewers and up)")
            .WithDescription("If-None-Match with the current ETag answers 304 Not Modified.")
            .Produces(StatusCodes.Status304NotModified)
            .ProducesCommonProblems().ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPut("/{id}", ReplaceAsync)
            .WithName("ReplaceResource").WithSummary("Replaces the data (members and owner); needs If-Match")
            .WithDescription("Without If-Match: 428 precondition_required. A stale version: 412 version_conflict with currentVersion. Locked by someone else: 409 locked.")
            .ProducesCommonProblems()
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed, StatusCodes.Status428PreconditionRequired);

        group.MapPatch("/{id}", PatchAsync)
            .WithName("PatchResource").WithSummary("Applies an RFC 7396 JSON merge patch to the data (members and owner); needs If-Match")
            .Accepts<JsonElement>(MergePatchMediaType)
            .ProducesCommonProblems()
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed,
                StatusCodes.Status415UnsupportedMediaType, StatusCodes.Status428PreconditionRequired);

        group.MapDelete("/{id}", DeleteAsync)
            .WithName("DeleteResource").WithSummary("Deletes the resource (members and owner)")
            .ProducesCommonProblems().ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);

        group.MapPost("/{id}/lock", LockAsync)
            .WithName("LockResource").WithSummary("Takes or extends the edit lock for ttlSeconds (1–300)")
            .ProducesCommonProblems().ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);

        group.MapDelete("/{id}/lock", UnlockAsync)
            .WithName("UnlockResource").WithSummary("Releases the caller's edit lock")
            .ProducesCommonProblems().ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);

        group.MapGet("/{id}/history", HistoryAsync)
            .WithName("GetResourceHistory").WithSummary("Past versions, newest (current) first (viewers and up)")
            .WithDescription($"limit defaults to and is clamped to {Limits.HistoryKept}.")
            .ProducesCommonProblems().ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }

    private static async Task<Results<Ok<ResourceView>, StatusCodeHttpResult>> GetAsync(string id, ClaimsPrincipal user, IGrainFactory grains, HttpContext context)
    {
        var view = await grains.GetGrain<IResourceGrain>(id).GetAsync(user.GetUserId());
        context.Response.Headers.ETag = ETags.Format(view.Version);
        return ETags.NoneMatchHits(context.Request.Headers.IfNoneMatch, view.Version)
            ? TypedResults.StatusCode(StatusCodes.Status304NotModified)
            : TypedResults.Ok(view);
    }

    private static async Task<Ok<ResourceView>> ReplaceAsync(string id, ReplaceResourceRequest request, ClaimsPrincipal user, IGrainFactory grains, HttpContext context)
    {
        var callerId = user.GetUserId();
        var resource = grains.GetGrain<IResourceGrain>(id);
        var expected = await ExpectedVersionAsync(resource, callerId, context.Request);
        return Written(context, await resource.ReplaceAsync(callerId, expected, request.Data));
    }

    private static async Task<Ok<ResourceView>> PatchAsync(string id, JsonElement patch, ClaimsPrincipal user, IGrainFactory grains, HttpContext context)
    {
        if (!MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals(MergePatchMediaType, StringComparison.OrdinalIgnoreCase))
        {
            throw new DomainException(ErrorCodes.UnsupportedMediaType, $"send the patch as {MergePatchMediaType} (RFC 7396)");
        }

        if (JsonLimits.Check(patch, "patch", Limits.ResourceDataMaxBytes, required: true).FirstOrDefault() is { } problem)
        {
            throw DomainException.Validation("patch", problem.ErrorMessage ?? "is not valid");
        }

        var callerId = user.GetUserId();
        var resource = grains.GetGrain<IResourceGrain>(id);
        var expected = await ExpectedVersionAsync(resource, callerId, context.Request);
        return Written(context, await resource.MergePatchAsync(callerId, expected, patch));
    }

    private static async Task<NoContent> DeleteAsync(string id, ClaimsPrincipal user, IGrainFactory grains)
    {
        await grains.GetGrain<IResourceGrain>(id).DeleteAsync(user.GetUserId());
        return TypedResults.NoContent();
    }

    private static async Task<Ok<ResourceLock>> LockAsync(string id, LockRequest request, ClaimsPrincipal user, IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<IResourceGrain>(id).LockAsync(user.GetUserId(), request.TtlSeconds!.Value));

    private static async Task<NoContent> UnlockAsync(string id, ClaimsPrincipal user, IGrainFactory grains)
    {
        await grains.GetGrain<IResourceGrain>(id).UnlockAsync(user.GetUserId());
        return TypedResults.NoContent();
    }

    private static async Task<Ok<ItemList<ResourceVersion>>> HistoryAsync(string id, string? limit, ClaimsPrincipal user, IGrainFactory grains)
    {
        var versions = await grains.GetGrain<IResourceGrain>(id)
            .GetHistoryAsync(user.GetUserId(), QueryValues.Limit(limit, Limits.HistoryKept, Limits.HistoryKept));
        return TypedResults.Ok(new ItemList<ResourceVersion>(versions));
    }

    /// <summary>If-Match's version; <c>*</c> means whatever is current now.</summary>
    private static async Task<long> ExpectedVersionAsync(IResourceGrain resource, string callerId, HttpRequest request) =>
        ETags.ExpectedVersion(request.Headers.IfMatch) ?? (await resource.GetAsync(callerId)).Version;

    private static Ok<ResourceView> Written(HttpContext context, ResourceView view)
    {
        context.Response.Headers.ETag = ETags.Format(view.Version);
        return TypedResults.Ok(view);
    }
}
