using System.Buffers;

namespace Actors.Runtime.Networking;

/// <summary>Receives the frames of a <see cref="Connection"/> and learns when it ends.</summary>
internal interface IFrameHandler
{
    /// <summary>
    /// One frame's payload, in arrival order, on the connection's receive loop. The sequence is only valid during the
    /// call: copy or decode it before returning. Keep it short — the next frame waits. An exception closes the
    /// connection with that exception.
    /// </summary>
    void OnFrame(Connection connection, ReadOnlySequence<byte> payload);

    /// <summary>
    /// Called exactly once, after the last <see cref="OnFrame"/>, when the connection ends for any reason.
    /// <paramref name="error"/> is null when this side closed it (<see cref="Connection.Close"/>,
    /// <see cref="Connection.DisposeAsync"/>, <see cref="Connection.Abort"/>); otherwise it says why
    /// (<see cref="ConnectionClosedException"/> when the peer closed, a <see cref="System.Net.Sockets.SocketException"/>
    /// on reset, <see cref="InvalidDataException"/> on a bad frame, the handler's own exception, …).
    /// </summary>
    void OnClosed(Connection connection, Exception? error);
}
