using Actors.Grains;

namespace Actors.WebHost.Errors;

/// <summary>The one mapping between the contract's error codes (DESIGN §5) and HTTP statuses.</summary>
public static class ErrorCodeMap
{
    /// <summary>The code of a 500: not a contract code, and never produced on purpose.</summary>
    public const string InternalError = "internal_error";

    private static readonly Dictionary<string, int> Statuses = new(StringComparer.Ordinal)
    {
        [ErrorCodes.ValidationFailed] = StatusCodes.Status400BadRequest,
        [ErrorCodes.Unauthorized] = StatusCodes.Status401Unauthorized,
        [ErrorCodes.Forbidden] = StatusCodes.Status403Forbidden,
        [ErrorCodes.NotFound] = StatusCodes.Status404NotFound,
        [ErrorCodes.EmailTaken] = StatusCodes.Status409Conflict,
        [ErrorCodes.InvalidCredentials] = StatusCodes.Status401Unauthorized,
        [ErrorCodes.TokenReused] = StatusCodes.Status401Unauthorized,
        [ErrorCodes.VersionConflict] = StatusCodes.Status412PreconditionFailed,
        [ErrorCodes.PreconditionRequired] = StatusCodes.Status428PreconditionRequired,
        [ErrorCodes.Locked] = StatusCodes.Status409Conflict,
        [ErrorCodes.SessionClosed] = StatusCodes.Status409Conflict,
        [ErrorCodes.RateLimited] = StatusCodes.Status429TooManyRequests,
        [ErrorCodes.PayloadTooLarge] = StatusCodes.Status413PayloadTooLarge,
        [ErrorCodes.UnsupportedMediaType] = StatusCodes.Status415UnsupportedMediaType,
        [ErrorCodes.MethodNotAllowed] = StatusCodes.Status405MethodNotAllowed,
        [ErrorCodes.Unavailable] = StatusCodes.Status503ServiceUnavailable,
    };

    /// <summary>The status of a code; an unknown code is a client error (400).</summary>
    public static int StatusOf(string code) => Statuses.GetValueOrDefault(code, StatusCodes.Status400BadRequest);

    /// <summary>The code an error response with this status carries when nothing more specific is known.</summary>
    public static string CodeOf(int status) => status switch
    {
        StatusCodes.Status401Unauthorized => ErrorCodes.Unauthorized,
        StatusCodes.Status403Forbidden => ErrorCodes.Forbidden,
        StatusCodes.Status404NotFound => ErrorCodes.NotFound,
        StatusCodes.Status405MethodNotAllowed => ErrorCodes.MethodNotAllowed,
        StatusCodes.Status409Conflict => ErrorCodes.Locked,
        StatusCodes.Status412PreconditionFailed => ErrorCodes.VersionConflict,
        StatusCodes.Status413PayloadTooLarge => ErrorCodes.PayloadTooLarge,
        StatusCodes.Status415UnsupportedMediaType => ErrorCodes.UnsupportedMediaType,
        StatusCodes.Status428PreconditionRequired => ErrorCodes.PreconditionRequired,
        StatusCodes.Status429TooManyRequests => ErrorCodes.RateLimited,
        StatusCodes.Status503ServiceUnavailable or StatusCodes.Status502BadGateway or StatusCodes.Status504GatewayTimeout => ErrorCodes.Unavailable,
        >= 400 and < 500 => ErrorCodes.ValidationFailed,
        _ => InternalError,
    };

    /// <summary>A short title per code (RFC 7807 <c>title</c>: the same for every occurrence of the code).</summary>
    public static string TitleOf(string code) => code switch
    {
        ErrorCodes.ValidationFailed => "The request is not valid.",
        ErrorCodes.Unauthorized => "Authentication is required.",
        ErrorCodes.Forbidden => "You are not allowed to do this.",
        ErrorCodes.NotFound => "Not found.",
        ErrorCodes.EmailTaken => "This email address is already registered.",
        ErrorCodes.InvalidCredentials => "The email or password is wrong.",
        ErrorCodes.TokenReused => "The refresh token was already used.",
        ErrorCodes.VersionConflict => "The resource has changed.",
        ErrorCodes.PreconditionRequired => "A precondition header is required.",
        ErrorCodes.Locked => "The resource is locked.",
        ErrorCodes.SessionClosed => "The session is closed.",
        ErrorCodes.RateLimited => "Too many requests.",
        ErrorCodes.PayloadTooLarge => "The request body is too large.",
        ErrorCodes.UnsupportedMediaType => "The content type is not supported.",
        ErrorCodes.MethodNotAllowed => "The method is not allowed on this route.",
        ErrorCodes.Unavailable => "The service is unavailable.",
        _ => "An unexpected error occurred.",
    };
}
