using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Actors.Runtime.Networking;

/// <summary>Opens outgoing transport connections with one set of options.</summary>
internal sealed class TransportClient(TransportOptions? options = null, ILogger? logger = null)
{
    private readonly TransportOptions _options = Validated(options ?? TransportOptions.Default);
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    /// <summary>
    /// Connects to <paramref name="endPoint"/> (an <see cref="IPEndPoint"/> or a <see cref="DnsEndPoint"/>) and returns
    /// a started connection whose frames go to <paramref name="handler"/>.
    /// </summary>
    /// <exception cref="TimeoutException">Not connected within <see cref="TransportOptions.ConnectTimeout"/>.</exception>
    /// <exception cref="SocketException">Refused, unreachable, unknown host, …</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    public Task<Connection> ConnectAsync(EndPoint endPoint, IFrameHandler handler, CancellationToken cancellationToken = default) =>
        ConnectAsync(endPoint, handler, tag: null, cancellationToken);

    /// <summary>As the other overload, with <see cref="Connection.Tag"/> set to <paramref name="tag"/> before the first frame can arrive.</summary>
    public async Task<Connection> ConnectAsync(EndPoint endPoint, IFrameHandler handler, object? tag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        ArgumentNullException.ThrowIfNull(handler);
        var socket = endPoint is IPEndPoint ip
            ? new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
            : new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.NoDelay = true;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(_options.ConnectTimeout);
                try
                {
                    await socket.ConnectAsync(endPoint, timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"Connecting to {endPoint} timed out after {_options.ConnectTimeout}.");
                }
            }

            var connection = new Connection(socket, _options, _logger) { Tag = tag };
            TransportLog.ConnectionEstablished(_logger, connection.RemoteEndPoint, connection.LocalEndPoint);
            connection.Start(handler);
            return connection;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static TransportOptions Validated(TransportOptions options)
    {
        options.Validate();
        return options;
    }
}
