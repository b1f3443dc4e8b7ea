namespace Actors.WebHost.Errors;

internal static partial class ErrorsLog
{
    [LoggerMessage(4100, LogLevel.Error, "Unhandled error on {Method} {Path}")]
    public static partial void Unhandled(ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(4101, LogLevel.Warning, "The cluster was unavailable for {Method} {Path}: {Reason}")]
    public static partial void Unavailable(ILogger logger, string method, string path, string reason);
}
