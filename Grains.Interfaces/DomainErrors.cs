using System.Globalization;

namespace Actors.Grains;

/// <summary>The stable error codes of the public contract (DESIGN §5); each maps to one HTTP status.</summary>
public static class ErrorCodes
{
    public const string ValidationFailed = "validation_failed";
    public const string Unauthorized = "unauthorized";
    public const string Forbidden = "forbidden";
    public const string NotFound = "not_found";
    public const string EmailTaken = "email_taken";
    public const string InvalidCredentials = "invalid_credentials";
    public const string TokenReused = "token_reused";
    public const string VersionConflict = "version_conflict";
    public const string PreconditionRequired = "precondition_required";
    public const string Locked = "locked";
    public const string SessionClosed = "session_closed";
    public const string RateLimited = "rate_limited";
    public const string PayloadTooLarge = "payload_too_large";
    public const string UnsupportedMediaType = "unsupported_media_type";
    public const string MethodNotAllowed = "method_not_allowed";
    public const string Unavailable = "unavailable";
}

/// <summary>
/// A typed domain error: <see cref="Code"/> is one of <see cref="ErrorCodes"/>. The message is
/// "code: human sentence", the same text a hub error carries, so the code survives any hop that
/// only keeps the message. Extra facts (current version, field names) travel in <see cref="Exception.Data"/>.
/// </summary>
public sealed class DomainException : Exception
{
    public DomainException() : this(ErrorCodes.ValidationFailed, "invalid request") { }

    /// <summary>Rebuilds from "code: sentence" (how remote hops recreate it).</summary>
    public DomainException(string message) : base(message) => Code = ParseCode(message);

    public DomainException(string message, Exception inner) : base(message, inner) => Code = ParseCode(message);

    public DomainException(string code, string sentence) : base($"{code}: {sentence}") => Code = code;

    public string Code { get; }

    /// <summary>The sentence without the code prefix.</summary>
    public string Sentence => Message.StartsWith(Code + ": ", StringComparison.Ordinal) ? Message[(Code.Length + 2)..] : Message;

    /// <summary>For version_conflict: the resource's current version.</summary>
    public long? CurrentVersion =>
        Data["currentVersion"] is { } v && long.TryParse(Convert.ToString(v, CultureInfo.InvariantCulture), NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? l : null;

    /// <summary>For validation_failed: field → problem.</summary>
    public IReadOnlyDictionary<string, string> Fields =>
        Data.Keys.OfType<string>().Where(k => k.StartsWith("field:", StringComparison.Ordinal))
            .ToDictionary(k => k["field:".Length..], k => Convert.ToString(Data[k], CultureInfo.InvariantCulture) ?? "");

    public static DomainException Validation(string field, string problem)
    {
        var error = new DomainException(ErrorCodes.ValidationFailed, $"{field}: {problem}");
        error.Data["field:" + field] = problem;
        return error;
    }

    public static DomainException Forbidden(string sentence) => new(ErrorCodes.Forbidden, sentence);

    public static DomainException NotFound(string sentence) => new(ErrorCodes.NotFound, sentence);

    public static DomainException Closed(string sessionId) => new(ErrorCodes.SessionClosed, $"session {sessionId} is closed");

    public static DomainException Conflict(long currentVersion, long expectedVersion)
    {
        var error = new DomainException(ErrorCodes.VersionConflict, $"expected version {expectedVersion} but the resource is at version {currentVersion}");
        error.Data["currentVersion"] = currentVersion;
        return error;
    }

    private static string ParseCode(string message)
    {
        var colon = message.IndexOf(": ", StringComparison.Ordinal);
        return colon > 0 && message[..colon].All(c => c is '_' or (>= 'a' and <= 'z')) ? message[..colon] : ErrorCodes.ValidationFailed;
    }
}
