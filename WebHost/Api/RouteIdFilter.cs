using Actors.Grains;
using Actors.WebHost.Errors;

namespace Actors.WebHost.Api;

/// <summary>Ids in routes must match <c>[A-Za-z0-9_-]{1,64}</c>; anything else is 400 validation_failed (never 404 or 5xx).</summary>
internal sealed class RouteIdFilter : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        foreach (var (key, value) in context.HttpContext.Request.RouteValues)
        {
            if (IsId(key) && (value is not string id || !Limits.Id().IsMatch(id)))
            {
                return ValueTask.FromResult<object?>(TypedResults.Problem(
                    ApiProblem.Validation(new Dictionary<string, string[]> { [key] = ["must match [A-Za-z0-9_-]{1,64}"] })));
            }
        }

        return next(context);
    }

    private static bool IsId(string key) =>
        key.Equals("id", StringComparison.OrdinalIgnoreCase) || key.EndsWith("Id", StringComparison.Ordinal);
}
