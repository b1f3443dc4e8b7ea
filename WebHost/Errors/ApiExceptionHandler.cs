using System.Text.Json;
using Actors.Grains;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;

namespace Actors.WebHost.Errors;

/// <summary>
/// Turns every exception into a problem with a code: domain errors by their code, bad requests
/// (malformed JSON, wrong content type, oversized body) by their status, an unreachable cluster or
/// storage as 503 unavailable, anything else as a 500 without details.
/// </summary>
internal sealed class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (httpContext.Response.HasStarted)
        {
            return false;
        }

        if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
        {
            // The client went away: nobody reads an answer (499 is what proxies log for this).
            httpContext.Response.StatusCode = 499;
            return true;
        }

        var problem = ToProblem(httpContext, exception);
        httpContext.Response.StatusCode = problem.Status ?? StatusCodes.Status500InternalServerError;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    private ProblemDetails ToProblem(HttpContext context, Exception exception)
    {
        switch (exception)
        {
            case DomainException domain:
                return ApiProblem.FromDomain(domain);
            case BadHttpRequestException bad:
                return FromBadRequest(bad);
            case SiloUnavailableException or TimeoutException or GrainStorageException or GrainRoutingException or InconsistentStateException:
                ErrorsLog.Unavailable(logger, context.Request.Method, context.Request.Path, exception.Message);
                return ApiProblem.Create(ErrorCodes.Unavailable, "the cluster did not answer in time; retry shortly");
            default:
                ErrorsLog.Unhandled(logger, exception, context.Request.Method, context.Request.Path);
                return ApiProblem.Create(ErrorCodeMap.InternalError, "an unexpected error occurred", StatusCodes.Status500InternalServerError);
        }
    }

    private static ProblemDetails FromBadRequest(BadHttpRequestException bad)
    {
        var code = ErrorCodeMap.CodeOf(bad.StatusCode);
        if (bad.InnerException is JsonException json)
        {
            var field = FieldOf(json.Path);
            var message = json.Path is null or "$" ? "is not valid JSON" : "has the wrong type or is not valid JSON";
            return ApiProblem.Validation(new Dictionary<string, string[]> { [field] = [message] },
                $"the request body is not valid JSON ({field} {message})");
        }

        var detail = bad.StatusCode switch
        {
            StatusCodes.Status415UnsupportedMediaType => "send the body as application/json",
            StatusCodes.Status413PayloadTooLarge => "the request body is larger than this server accepts",
            StatusCodes.Status400BadRequest when bad.Message.Contains("body", StringComparison.OrdinalIgnoreCase) && bad.Message.Contains("provided", StringComparison.OrdinalIgnoreCase)
                => "a JSON request body is required",
            StatusCodes.Status400BadRequest when bad.Message.StartsWith("Required parameter", StringComparison.Ordinal) || bad.Message.StartsWith("Failed to bind", StringComparison.Ordinal)
                => "a required parameter is missing or malformed",
            _ => ReasonPhrases.GetReasonPhrase(bad.StatusCode).ToLowerInvariant(),
        };
        return ApiProblem.Create(code, detail, bad.StatusCode);
    }

    /// <summary>"$.members[0].role" → "members[0].role"; the whole body is "body".</summary>
    private static string FieldOf(string? path) =>
        path is null or "$" || !path.StartsWith("$.", StringComparison.Ordinal) ? "body" : path[2..];
}
