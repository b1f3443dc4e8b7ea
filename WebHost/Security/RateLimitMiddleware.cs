using System.Globalization;
using Actors.Grains;
using Actors.WebHost.Auth;
using Actors.WebHost.Errors;

namespace Actors.WebHost.Security;

/// <summary>Applies <see cref="IUserRateLimiter"/> to <c>/api</c> calls (after authentication, so a signed-in caller spends their own budget).</summary>
internal sealed class RateLimitMiddleware(RequestDelegate next, IUserRateLimiter limiter, IProblemDetailsService problems)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
        {
            var decision = context.User.FindUserId() is { } userId
                ? limiter.TryAcquire(userId)
                : limiter.TryAcquireAnonymous(context.Connection.RemoteIpAddress);
            if (!decision.Allowed)
            {
                context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                context.Response.Headers.RetryAfter = decision.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                await problems.WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context,
                    ProblemDetails = ApiProblem.Create(ErrorCodes.RateLimited, $"too many requests; retry after {decision.RetryAfterSeconds} s"),
                });
                return;
            }
        }

        await next(context);
    }
}
