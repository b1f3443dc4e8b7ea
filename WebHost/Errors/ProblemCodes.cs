using Microsoft.AspNetCore.Mvc;

namespace Actors.WebHost.Errors;

/// <summary>
/// Completes every problem the host writes (ours, validation, status-code pages, the JWT handler's
/// challenge) so that each carries a <c>code</c> and a title, and no exception details.
/// </summary>
internal static class ProblemCodes
{
    public static void Complete(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        var status = problem.Status ?? context.HttpContext.Response.StatusCode;
        problem.Status = status;
        if (!problem.Extensions.TryGetValue(ApiProblem.CodeKey, out var code) || code is not string)
        {
            code = ErrorCodeMap.CodeOf(status);
            problem.Extensions[ApiProblem.CodeKey] = code;
        }

        problem.Title = ErrorCodeMap.TitleOf((string)code!);
        problem.Extensions.Remove("exception");
        if (problem is HttpValidationProblemDetails { Errors.Count: > 0 } validation)
        {
            CamelCaseFields(validation.Errors);
            if (problem.Detail is null or "One or more validation errors occurred.")
            {
                problem.Detail = string.Join("; ", validation.Errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}"));
            }
        }

        problem.Detail ??= DefaultDetail(status, context.HttpContext);
    }

    /// <summary>Field names as they appear in the JSON body ("Title" → "title", "Members[0].Role" → "members[0].role").</summary>
    private static void CamelCaseFields(IDictionary<string, string[]> errors)
    {
        foreach (var key in errors.Keys.ToList())
        {
            var camel = string.Join('.', key.Split('.').Select(part => part.Length > 0 && char.IsUpper(part[0]) ? char.ToLowerInvariant(part[0]) + part[1..] : part));
            if (camel != key)
            {
                var messages = errors[key];
                errors.Remove(key);
                errors[camel] = errors.TryGetValue(camel, out var existing) ? [.. existing, .. messages] : messages;
            }
        }
    }

    private static string DefaultDetail(int status, HttpContext context) => status switch
    {
        StatusCodes.Status404NotFound => $"no route matches {context.Request.Method} {context.Request.Path}",
        StatusCodes.Status405MethodNotAllowed => $"{context.Request.Method} is not allowed on {context.Request.Path}",
        StatusCodes.Status401Unauthorized => "sign in: send a valid access token as 'Authorization: Bearer <token>'",
        StatusCodes.Status403Forbidden => "you are not allowed to do this",
        StatusCodes.Status415UnsupportedMediaType => "send the body as application/json",
        _ => ReasonPhrase(status),
    };

    private static string ReasonPhrase(int status) =>
        Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase.ToLowerInvariant() : "error";
}
