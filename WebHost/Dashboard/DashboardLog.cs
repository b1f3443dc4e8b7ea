namespace Actors.WebHost.Dashboard;

internal static partial class DashboardLog
{
    [LoggerMessage(4300, LogLevel.Information, "Dashboard sampling started ({Watchers} watching)")]
    public static partial void SamplingStarted(ILogger logger, int watchers);

    [LoggerMessage(4301, LogLevel.Information, "Dashboard sampling stopped: nobody is watching")]
    public static partial void SamplingStopped(ILogger logger);

    [LoggerMessage(4302, LogLevel.Debug, "A dashboard sample failed; the next one is due in a second")]
    public static partial void SampleFailed(ILogger logger, Exception exception);
}
