using Actors.Grains;
using Actors.WebHost.Errors;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace Actors.WebHost.Auth;

/// <summary>
/// The JWT handler's events: the hub's token from the <c>access_token</c> query string, and 401/403
/// answered as problems with the codes unauthorized/forbidden.
/// </summary>
internal static class JwtBearerProblemEvents
{
    public const string HubPathPrefix = "/hubs";

    public static JwtBearerEvents Create() => new()
    {
        OnMessageReceived = context =>
        {
            // Browsers cannot set headers on WebSocket and SSE requests: the hub takes the token from the query.
            if (context.HttpContext.Request.Path.StartsWithSegments(HubPathPrefix, StringComparison.OrdinalIgnoreCase)
                && context.Request.Query["access_token"] is [{ Length: > 0 } token])
            {
                context.Token = token;
            }

            return Task.CompletedTask;
        },
        OnChallenge = async context =>
        {
            context.HandleResponse();
            var response = context.Response;
            if (response.HasStarted)
            {
                return;
            }

            var expired = context.AuthenticateFailure is SecurityTokenExpiredException;
            response.StatusCode = StatusCodes.Status401Unauthorized;
            response.Headers.WWWAuthenticate = context.AuthenticateFailure is null
                ? "Bearer"
                : $"Bearer error=\"invalid_token\", error_description=\"{(expired ? "the token expired" : "the token is invalid")}\"";
            var detail = context.AuthenticateFailure is null
                ? "sign in: send an access token as 'Authorization: Bearer <token>'"
                : expired ? "the access token expired: refresh it" : "the access token is invalid";
            await WriteAsync(context.HttpContext, ErrorCodes.Unauthorized, detail);
        },
        OnForbidden = context =>
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return WriteAsync(context.HttpContext, ErrorCodes.Forbidden, "your roles do not allow this");
        },
    };

    private static Task WriteAsync(HttpContext context, string code, string detail) =>
        context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = ApiProblem.Create(code, detail),
        }).AsTask();
}
