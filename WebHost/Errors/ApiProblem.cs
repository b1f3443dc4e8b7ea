using Actors.Grains;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Actors.WebHost.Errors;

/// <summary>
/// An RFC 7807 problem with the contract's <c>code</c>: built here for every error the web layer
/// produces itself (the rest pass through <see cref="ProblemCodes"/> in CustomizeProblemDetails).
/// </summary>
public static class ApiProblem
{
    public const string CodeKey = "code";
    public const string ErrorsKey = "errors";
    public const string CurrentVersionKey = "currentVersion";

    public static ProblemDetails Create(string code, string detail, int? status = null)
    {
        var problem = new ProblemDetails
        {
            Status = status ?? ErrorCodeMap.StatusOf(code),
            Title = ErrorCodeMap.TitleOf(code),
            Detail = detail,
        };
        problem.Extensions[CodeKey] = code;
        return problem;
    }

    /// <summary>validation_failed with <c>errors</c>: field → messages.</summary>
    public static HttpValidationProblemDetails Validation(IDictionary<string, string[]> errors, string? detail = null)
    {
        var problem = new HttpValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status400BadRequest,
            Title = ErrorCodeMap.TitleOf(ErrorCodes.ValidationFailed),
            Detail = detail ?? string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")),
        };
        problem.Extensions[CodeKey] = ErrorCodes.ValidationFailed;
        return problem;
    }

    public static ProblemHttpResult Result(string code, string detail) => TypedResults.Problem(Create(code, detail));

    /// <summary>The problem a domain error becomes: its code, sentence, fields and current version.</summary>
    public static ProblemDetails FromDomain(DomainException exception)
    {
        if (exception.Code == ErrorCodes.ValidationFailed && exception.Fields.Count > 0)
        {
            return Validation(exception.Fields.ToDictionary(f => f.Key, f => new[] { f.Value }), exception.Sentence);
        }

        var problem = Create(exception.Code, exception.Sentence);
        if (exception.CurrentVersion is { } version)
        {
            problem.Extensions[CurrentVersionKey] = version;
        }

        return problem;
    }
}
