namespace Actors.Runtime.Networking;

/// <summary>
/// Starts background work without the caller's <see cref="ExecutionContext"/>, so AsyncLocal state of whoever opened
/// or closed a connection (a grain's RequestContext, the current Activity) does not leak into the transport's loops,
/// timers and handler callbacks.
/// </summary>
internal static class NoFlow
{
    public static T Run<T>(Func<T> start)
    {
        if (ExecutionContext.IsFlowSuppressed())
        {
            return start();
        }

        var flow = ExecutionContext.SuppressFlow();
        try
        {
            return start();
        }
        finally
        {
            flow.Undo();
        }
    }
}
