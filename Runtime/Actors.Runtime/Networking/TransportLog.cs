using System.Net;
using Microsoft.Extensions.Logging;

namespace Actors.Runtime.Networking;

/// <summary>Log lines of the TCP transport, with stable event ids (1100–1199).</summary>
internal static partial class TransportLog
{
    [LoggerMessage(1100, LogLevel.Information, "Transport listening on {EndPoint}")]
    public static partial void ListenerStarted(ILogger logger, EndPoint endPoint);

    [LoggerMessage(1101, LogLevel.Information, "Transport listener on {EndPoint} stopped; closed {Count} connections")]
    public static partial void ListenerStopped(ILogger logger, EndPoint endPoint, int count);

    [LoggerMessage(1102, LogLevel.Warning, "Accepting a connection on {EndPoint} failed")]
    public static partial void AcceptFailed(ILogger logger, Exception exception, EndPoint endPoint);

    [LoggerMessage(1103, LogLevel.Error, "Setting up the connection from {Remote} failed; it was dropped")]
    public static partial void AcceptSetupFailed(ILogger logger, Exception exception, EndPoint? remote);

    [LoggerMessage(1104, LogLevel.Debug, "Accepted a connection from {Remote} on {Local}")]
    public static partial void ConnectionAccepted(ILogger logger, EndPoint remote, EndPoint local);

    [LoggerMessage(1105, LogLevel.Debug, "Connected to {Remote} from {Local}")]
    public static partial void ConnectionEstablished(ILogger logger, EndPoint remote, EndPoint local);

    [LoggerMessage(1106, LogLevel.Debug, "Connection {Local} → {Remote} closed")]
    public static partial void ConnectionClosed(ILogger logger, EndPoint local, EndPoint remote);

    [LoggerMessage(1107, LogLevel.Debug, "Connection {Local} → {Remote} was closed by the peer")]
    public static partial void ConnectionClosedByPeer(ILogger logger, EndPoint local, EndPoint remote);

    [LoggerMessage(1108, LogLevel.Warning, "Connection {Local} → {Remote} failed")]
    public static partial void ConnectionFailed(ILogger logger, Exception exception, EndPoint local, EndPoint remote);

    [LoggerMessage(1109, LogLevel.Warning, "Peer {Remote} sent a frame of {Length} bytes, over the maximum of {MaxFrameSize}; closing the connection")]
    public static partial void FrameTooLarge(ILogger logger, EndPoint remote, long length, int maxFrameSize);

    [LoggerMessage(1110, LogLevel.Error, "The frame handler failed on a frame from {Remote}; closing the connection")]
    public static partial void FrameHandlerFailed(ILogger logger, Exception exception, EndPoint remote);

    [LoggerMessage(1111, LogLevel.Error, "The frame handler's OnClosed failed for the connection to {Remote}")]
    public static partial void CloseHandlerFailed(ILogger logger, Exception exception, EndPoint remote);

    [LoggerMessage(1112, LogLevel.Warning, "Connection to {Remote} holds {Unsent} unsent bytes, at or over the high-water mark of {HighWaterMark}; sends fail until the peer catches up")]
    public static partial void Backpressure(ILogger logger, EndPoint remote, long unsent, long highWaterMark);

    [LoggerMessage(1113, LogLevel.Warning, "Graceful close of the connection to {Remote} did not finish within {Timeout}; resetting it with {Unsent} bytes unsent")]
    public static partial void CloseTimedOut(ILogger logger, EndPoint remote, TimeSpan timeout, long unsent);
}
