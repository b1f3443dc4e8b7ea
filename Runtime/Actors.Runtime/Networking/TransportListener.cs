using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Actors.Runtime.Networking;

/// <summary>
/// Accepts TCP connections on one endpoint and wraps each in a started <see cref="Connection"/> whose frames go to the
/// handler the factory returns for it.
/// </summary>
internal sealed class TransportListener : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly Func<Connection, IFrameHandler> _handlerFactory;
    private readonly TransportOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<Connection, byte> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();
    private readonly Task _acceptLoop;
    private bool _stopped;
    private Task? _stopTask;

    private TransportListener(Socket socket, Func<Connection, IFrameHandler> handlerFactory, TransportOptions options, ILogger logger)
    {
        _socket = socket;
        _handlerFactory = handlerFactory;
        _options = options;
        _logger = logger;
        BoundEndPoint = (IPEndPoint)socket.LocalEndPoint!;
        TransportLog.ListenerStarted(_logger, BoundEndPoint);
        _acceptLoop = NoFlow.Run(() => Task.Run(AcceptLoopAsync));
    }

    /// <summary>The endpoint actually bound (the real port when port 0 was asked for).</summary>
    public IPEndPoint BoundEndPoint { get; }

    /// <summary>The accepted connections still open.</summary>
    public IReadOnlyCollection<Connection> Connections => [.. _connections.Keys];

    /// <summary>
    /// Binds <paramref name="endPoint"/> (port 0: any free port) and starts accepting; a port in use fails here.
    /// </summary>
    /// <param name="handlerFactory">
    /// Called once per accepted connection, before it receives anything (so it may set <see cref="Connection.Tag"/>);
    /// returns the handler of that connection's frames. If it throws, the connection is dropped.
    /// </param>
    public static TransportListener Start(
        IPEndPoint endPoint, Func<Connection, IFrameHandler> handlerFactory, TransportOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        ArgumentNullException.ThrowIfNull(handlerFactory);
        options ??= TransportOptions.Default;
        options.Validate();
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (!OperatingSystem.IsWindows())
            {
                // Rebind at once after a restart despite connections in TIME_WAIT (on Windows this would mean port sharing).
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            }

            if (endPoint.AddressFamily == AddressFamily.InterNetworkV6 && endPoint.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.Bind(endPoint);
            socket.Listen(512);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new TransportListener(socket, handlerFactory, options, logger ?? NullLogger.Instance);
    }

    /// <summary>As the other overload, with one handler for every connection (it tells them apart by the connection argument).</summary>
    public static TransportListener Start(IPEndPoint endPoint, IFrameHandler handler, TransportOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Start(endPoint, _ => handler, options, logger);
    }

    /// <summary>
    /// Stops accepting (the port is released), then closes every accepted connection gracefully and waits for them to
    /// end; if <paramref name="cancellationToken"/> fires first, the rest are aborted. Safe to call more than once.
    /// </summary>
    public Task StopAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            _stopTask ??= StopCoreAsync(cancellationToken);
            return _stopTask;
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private async Task StopCoreAsync(CancellationToken cancellationToken)
    {
        List<Connection> connections;
        lock (_lock)
        {
            _stopped = true;
            connections = [.. _connections.Keys];
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        await _acceptLoop.ConfigureAwait(false);

        foreach (var connection in connections)
        {
            connection.Close();
        }

        var all = Task.WhenAll(connections.Select(c => c.Closed));
        try
        {
            await all.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            foreach (var connection in connections)
            {
                connection.Abort();
            }

            await all.ConfigureAwait(false);
            throw;
        }
        finally
        {
            _stopping.Dispose();
            TransportLog.ListenerStopped(_logger, BoundEndPoint, connections.Count);
        }
    }

    private async Task AcceptLoopAsync()
    {
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _socket.AcceptAsync(token).ConfigureAwait(false);
            }
            catch (Exception) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A connection reset before we took it, or out of descriptors: log and keep listening.
                TransportLog.AcceptFailed(_logger, ex, BoundEndPoint);
                if (ex is not SocketException { SocketErrorCode: SocketError.ConnectionAborted or SocketError.ConnectionReset })
                {
                    try
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(50), token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }

                continue;
            }

            Accept(socket);
        }
    }

    private void Accept(Socket socket)
    {
        Connection? connection = null;
        try
        {
            connection = new Connection(socket, _options, _logger);
            connection.SetCompletedCallback(c => _connections.TryRemove(c, out _));
            var handler = _handlerFactory(connection);
            lock (_lock)
            {
                if (_stopped)
                {
                    connection.Abort();
                    return;
                }

                _connections.TryAdd(connection, 0);
            }

            TransportLog.ConnectionAccepted(_logger, connection.RemoteEndPoint, connection.LocalEndPoint);
            connection.Start(handler);
            if (connection.Closed.IsCompleted)
            {
                // Closed before it was tracked (the factory aborted it).
                _connections.TryRemove(connection, out _);
            }
        }
        catch (Exception ex)
        {
            EndPoint? remote = null;
            try
            {
                remote = connection?.RemoteEndPoint ?? socket.RemoteEndPoint;
            }
            catch (Exception inner) when (inner is SocketException or ObjectDisposedException)
            {
                // Unknown.
            }

            TransportLog.AcceptSetupFailed(_logger, ex, remote);
            if (connection is not null)
            {
                connection.Abort(ex);
            }
            else
            {
                socket.Dispose();
            }
        }
    }
}
