namespace Actors.WebHost.Api;

/// <summary>Shared OpenAPI metadata for the endpoint classes.</summary>
internal static class EndpointMetadata
{
    /// <summary>Documents the problem responses an endpoint can give (every one carries a code).</summary>
    public static RouteHandlerBuilder ProducesProblems(this RouteHandlerBuilder builder, params int[] statuses)
    {
        foreach (var status in statuses)
        {
            builder.ProducesProblem(status);
        }

        return builder;
    }

    /// <summary>Signed-in routes: 400 for bad input or ids, 401 without a token, 429 over the rate limit, 503 when the cluster is away.</summary>
    public static RouteHandlerBuilder ProducesCommonProblems(this RouteHandlerBuilder builder) =>
        builder.ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status429TooManyRequests, StatusCodes.Status503ServiceUnavailable);
}
