namespace Actors.Runtime.Networking;

/// <summary>Base of the transport's own failures.</summary>
internal class TransportException : IOException
{
    public TransportException()
    {
    }

    public TransportException(string message)
        : base(message)
    {
    }

    public TransportException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The connection is closed or closing: nothing more can be sent on it.</summary>
internal sealed class ConnectionClosedException : TransportException
{
    public ConnectionClosedException()
    {
    }

    public ConnectionClosedException(string message)
        : base(message)
    {
    }

    public ConnectionClosedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// The peer is not reading fast enough: the connection's unsent bytes are over the high-water mark. The frame was not
/// queued; the connection stays open and accepts sends again once the peer catches up.
/// </summary>
internal sealed class TransportBackpressureException : TransportException
{
    public TransportBackpressureException()
    {
    }

    public TransportBackpressureException(string message)
        : base(message)
    {
    }

    public TransportBackpressureException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
