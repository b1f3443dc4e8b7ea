namespace Actors.Runtime.Networking;

/// <summary>Limits and timeouts of the framed TCP transport.</summary>
internal sealed record TransportOptions
{
    /// <summary>The shared default options.</summary>
    public static TransportOptions Default { get; } = new();

    /// <summary>
    /// Largest payload a frame may carry, in bytes (default 16 MiB). An incoming length prefix above it closes the
    /// connection; an outgoing payload above it fails that send only.
    /// </summary>
    public int MaxFrameSize { get; init; } = 16 * 1024 * 1024;

    /// <summary>
    /// Unsent bytes one connection may hold before <see cref="Connection.Send(ReadOnlySpan{byte})"/> fails fast with
    /// <see cref="TransportBackpressureException"/> (default 64 MiB). Memory per connection stays below this plus one frame.
    /// </summary>
    public long HighWaterMark { get; init; } = 64L * 1024 * 1024;

    /// <summary>How long <see cref="TransportClient.ConnectAsync"/> waits for the TCP handshake (default 5 s).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a graceful <see cref="Connection.Close"/> may take to send what is queued and see the peer close
    /// (default 5 s); after it the socket is reset and unsent bytes are dropped.
    /// </summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(5);

    internal void Validate()
    {
        if (MaxFrameSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxFrameSize), MaxFrameSize, "The maximum frame size must be positive.");
        }

        if (HighWaterMark < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(HighWaterMark), HighWaterMark, "The high-water mark must be positive.");
        }

        if (ConnectTimeout <= TimeSpan.Zero && ConnectTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(ConnectTimeout), ConnectTimeout, "The connect timeout must be positive or infinite.");
        }

        if (CloseTimeout < TimeSpan.Zero && CloseTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(CloseTimeout), CloseTimeout, "The close timeout must not be negative.");
        }
    }
}
