using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Actors.Runtime.Networking;

/// <summary>
/// One TCP connection carrying length-prefixed frames (4-byte little-endian payload length, then the payload) in both
/// directions, multiplexing any number of concurrent senders.
/// </summary>
/// <remarks>
/// <para><b>Sending.</b> <see cref="Send(ReadOnlySpan{byte})"/> and <see cref="Send{TState}"/> are thread-safe and never
/// wait for the network: under a short lock the frame is written into the connection's <see cref="SendBuffer"/> (pooled
/// 64 KiB chunks), and if no send is in progress one is queued to the thread pool. That single send loop takes
/// everything written so far and hands it to the socket in one gather send, then repeats until the buffer is empty, so
/// frames written while a send is in flight go out together (coalescing). A frame is visible to the send loop only when
/// complete, so a failing write callback or an oversized payload is rolled back and fails only that send.</para>
/// <para><b>Backpressure.</b> When the unsent bytes (queued plus in flight) reach
/// <see cref="TransportOptions.HighWaterMark"/>, sends fail fast with <see cref="TransportBackpressureException"/> and
/// nothing is queued; the connection stays open and accepts sends again once the peer reads. Memory per connection is
/// bounded by the high-water mark plus one frame.</para>
/// <para><b>Receiving.</b> A receive loop fills a <see cref="Pipe"/> from the socket; a frame loop parses frames from it
/// and calls <see cref="IFrameHandler.OnFrame"/> for each, in order. A length prefix above
/// <see cref="TransportOptions.MaxFrameSize"/> closes the connection with an <see cref="InvalidDataException"/>.</para>
/// <para><b>Closing.</b> <see cref="IFrameHandler.OnClosed"/> runs exactly once, after the last frame, whatever ended the
/// connection; then <see cref="Closed"/> completes. <see cref="Close"/> is graceful (sends what is queued, then a FIN,
/// and waits for the peer's FIN, up to <see cref="TransportOptions.CloseTimeout"/>); <see cref="Abort"/> resets the
/// connection at once.</para>
/// </remarks>
internal sealed class Connection : IAsyncDisposable
{
    private const int StateOpen = 0;
    private const int StateClosing = 1;
    private const int StateClosed = 2;

    // A gather send hands at most this many chunks (64 × 64 KiB = 4 MiB) to the socket; the rest follows.
    private const int MaxSegmentsPerSend = 64;
    private const int ReceiveBufferSize = 16 * 1024;

    private readonly Socket _socket;
    private readonly TransportOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly SendBuffer _output = new();
    private readonly List<ArraySegment<byte>> _sendSegments = new(MaxSegmentsPerSend);
    private readonly Pipe _input;
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Guarded by _lock.
    private volatile int _state;
    private bool _sendScheduled;
    private bool _shutdownSent;
    private bool _backpressureLogged;
    private IFrameHandler? _handler;
    private Timer? _closeTimer;
    private Exception? _closeReason;
    private long _framesSent;
    private long _bytesSent;

    private long _sendOperations;
    private long _framesReceived;
    private int _completed;
    private int _handlerNotified;
    private Action<Connection>? _onCompleted;

    /// <summary>Wraps a connected socket. Nothing is received until <see cref="Start"/>.</summary>
    internal Connection(Socket socket, TransportOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(socket);
        _socket = socket;
        _options = options ?? TransportOptions.Default;
        _options.Validate();
        _logger = logger ?? NullLogger.Instance;
        _socket.NoDelay = true;
        RemoteEndPoint = socket.RemoteEndPoint ?? throw new ArgumentException("The socket is not connected.", nameof(socket));
        LocalEndPoint = socket.LocalEndPoint!;

        // The reader must be able to hold a whole maximum-size frame before it can consume anything, so the receive
        // loop pauses only above that (the handler being slow then pushes back on the peer through TCP).
        var pause = (long)_options.MaxFrameSize + 4 + ReceiveBufferSize;
        _input = new Pipe(new PipeOptions(
            pool: MemoryPool<byte>.Shared,
            readerScheduler: PipeScheduler.ThreadPool,
            writerScheduler: PipeScheduler.Inline,
            pauseWriterThreshold: pause,
            resumeWriterThreshold: pause / 2,
            minimumSegmentSize: ReceiveBufferSize,
            useSynchronizationContext: false));
    }

    /// <summary>The peer's address.</summary>
    public EndPoint RemoteEndPoint { get; }

    /// <summary>This side's address.</summary>
    public EndPoint LocalEndPoint { get; }

    /// <summary>Free for the owner (e.g. handshake state); the transport never reads it.</summary>
    public object? Tag { get; set; }

    /// <summary>Completes (never faults) once the connection has ended and <see cref="IFrameHandler.OnClosed"/> has run.</summary>
    public Task Closed => _closed.Task;

    /// <summary>Why the connection ended (null if this side closed it or it is still open).</summary>
    public Exception? CloseReason
    {
        get
        {
            lock (_lock)
            {
                return _closeReason;
            }
        }
    }

    /// <summary>True until <see cref="Close"/>, <see cref="Abort"/> or a failure.</summary>
    public bool IsOpen => _state == StateOpen;

    /// <summary>Socket send operations so far; with coalescing, far fewer than <see cref="FramesSent"/>.</summary>
    internal long SendOperations => Interlocked.Read(ref _sendOperations);

    /// <summary>Frames accepted by <c>Send</c>.</summary>
    internal long FramesSent
    {
        get
        {
            lock (_lock)
            {
                return _framesSent;
            }
        }
    }

    /// <summary>Bytes (prefixes included) the socket has taken.</summary>
    internal long BytesSent
    {
        get
        {
            lock (_lock)
            {
                return _bytesSent;
            }
        }
    }

    /// <summary>Bytes queued or in flight, not yet taken by the socket.</summary>
    internal long UnsentBytes
    {
        get
        {
            lock (_lock)
            {
                return _output.Length;
            }
        }
    }

    /// <summary>Frames handed to the handler.</summary>
    internal long FramesReceived => Interlocked.Read(ref _framesReceived);

    /// <summary>Starts receiving: frames go to <paramref name="handler"/>, which also gets <see cref="IFrameHandler.OnClosed"/>.</summary>
    internal void Start(IFrameHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        bool alreadyClosed;
        lock (_lock)
        {
            if (_handler is not null)
            {
                throw new InvalidOperationException("The connection is already started.");
            }

            _handler = handler;
            alreadyClosed = _state == StateClosed;
        }

        if (alreadyClosed)
        {
            NotifyHandler();
            return;
        }

        // On the thread pool, without the caller's ExecutionContext (see NoFlow).
        ThreadPool.UnsafeQueueUserWorkItem(
            static c =>
            {
                _ = c.ReceiveLoopAsync();
                _ = c.FrameLoopAsync();
            },
            this,
            preferLocal: false);
    }

    /// <summary>
    /// Queues one frame carrying a copy of <paramref name="payload"/>. Returns at once; the frame goes out with the
    /// next socket send.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The payload is larger than <see cref="TransportOptions.MaxFrameSize"/>.</exception>
    /// <exception cref="ConnectionClosedException">The connection is closed or closing.</exception>
    /// <exception cref="TransportBackpressureException">The unsent bytes are at the high-water mark.</exception>
    public void Send(ReadOnlySpan<byte> payload)
    {
        if (payload.Length > _options.MaxFrameSize)
        {
            throw new ArgumentOutOfRangeException(nameof(payload), payload.Length,
                $"The payload of {payload.Length} bytes is larger than the maximum frame size of {_options.MaxFrameSize} bytes.");
        }

        Exception? rejected;
        bool logBackpressure;
        var schedule = false;
        lock (_lock)
        {
            rejected = CheckCanSend(out logBackpressure);
            if (rejected is null)
            {
                _output.BeginFrame(payload.Length, _options.MaxFrameSize);
                _output.Write(payload);
                _output.EndFrame();
                schedule = OnFrameQueued();
            }
        }

        Finish(rejected, logBackpressure, schedule);
    }

    /// <summary>
    /// Queues one frame whose payload <paramref name="write"/> writes straight into the connection's output buffer
    /// (no intermediate copy); the length prefix is filled in afterwards. <paramref name="write"/> runs under the
    /// connection's send lock, so keep it short and do not call <c>Send</c> from it or keep the writer. If it throws,
    /// or writes more than <see cref="TransportOptions.MaxFrameSize"/>, the partial frame is discarded, the exception
    /// propagates and the connection is unaffected.
    /// </summary>
    /// <param name="sizeHint">Expected payload size; small frames up to it are kept contiguous.</param>
    /// <exception cref="ConnectionClosedException">The connection is closed or closing.</exception>
    /// <exception cref="TransportBackpressureException">The unsent bytes are at the high-water mark.</exception>
    public void Send<TState>(TState state, int sizeHint, Action<IBufferWriter<byte>, TState> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        Exception? rejected;
        bool logBackpressure;
        var schedule = false;
        lock (_lock)
        {
            rejected = CheckCanSend(out logBackpressure);
            if (rejected is null)
            {
                _output.BeginFrame(sizeHint, _options.MaxFrameSize);
                try
                {
                    write(_output, state);
                }
                catch
                {
                    _output.AbortFrame();
                    throw;
                }

                _output.EndFrame();
                schedule = OnFrameQueued();
            }
        }

        Finish(rejected, logBackpressure, schedule);
    }

    /// <summary>
    /// Closes gracefully: sends refuse new frames at once, queued frames are still sent, then the peer is told (FIN)
    /// and the connection ends when the peer closes too, or after <see cref="TransportOptions.CloseTimeout"/>.
    /// Frames keep arriving until then. Returns at once; await <see cref="Closed"/> (or use <see cref="DisposeAsync"/>).
    /// </summary>
    public void Close()
    {
        bool shutdownNow;
        bool started;
        lock (_lock)
        {
            if (_state != StateOpen)
            {
                return;
            }

            _state = StateClosing;
            started = _handler is not null;
            shutdownNow = !_sendScheduled && !_shutdownSent;
            _shutdownSent |= shutdownNow;
            if (_options.CloseTimeout != Timeout.InfiniteTimeSpan)
            {
                _closeTimer = NoFlow.Run(() => new Timer(
                    static s => ((Connection)s!).OnCloseTimeout(), this, _options.CloseTimeout, Timeout.InfiniteTimeSpan));
            }
        }

        if (!started)
        {
            Terminate(null, abortive: false, closingIsGraceful: true);
        }
        else if (shutdownNow)
        {
            ShutdownSend();
        }
    }

    /// <summary>Drops the connection at once with a TCP reset, discarding unsent bytes (a crash, as the peer sees it).</summary>
    public void Abort(Exception? reason = null) => Terminate(reason, abortive: true, closingIsGraceful: false);

    /// <summary><see cref="Close"/>, then waits for <see cref="Closed"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        Close();
        await Closed.ConfigureAwait(false);
    }

    public override string ToString() => $"{LocalEndPoint} → {RemoteEndPoint}";

    private Exception? CheckCanSend(out bool logBackpressure)
    {
        logBackpressure = false;
        if (_state != StateOpen)
        {
            var reason = _closeReason;
            var what = _state == StateClosing ? "closing" : "closed";
            return new ConnectionClosedException(
                reason is null
                    ? $"The connection to {RemoteEndPoint} is {what}."
                    : $"The connection to {RemoteEndPoint} is {what}: {reason.Message}",
                reason);
        }

        var unsent = _output.Length;
        if (unsent >= _options.HighWaterMark)
        {
            logBackpressure = !_backpressureLogged;
            _backpressureLogged = true;
            return new TransportBackpressureException(
                $"The connection to {RemoteEndPoint} has {unsent} unsent bytes, at or over its high-water mark of " +
                $"{_options.HighWaterMark} bytes: the peer is not reading fast enough. The frame was not sent.");
        }

        return null;
    }

    private bool OnFrameQueued()
    {
        _framesSent++;
        _backpressureLogged = false;
        if (_sendScheduled)
        {
            return false;
        }

        _sendScheduled = true;
        return true;
    }

    private void Finish(Exception? rejected, bool logBackpressure, bool schedule)
    {
        if (rejected is not null)
        {
            if (logBackpressure)
            {
                TransportLog.Backpressure(_logger, RemoteEndPoint, UnsentBytes, _options.HighWaterMark);
            }

            throw rejected;
        }

        if (schedule)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static c => _ = c.SendLoopAsync(), this, preferLocal: false);
        }
    }

    // The one send loop: while there are unsent bytes, hand them all to the socket in one (gather) send.
    private async Task SendLoopAsync()
    {
        var segments = _sendSegments;
        try
        {
            while (true)
            {
                int total;
                var shutdown = false;
                lock (_lock)
                {
                    if (_state == StateClosed)
                    {
                        _sendScheduled = false;
                        _output.Release();
                        return;
                    }

                    segments.Clear();
                    total = _output.Snapshot(segments, MaxSegmentsPerSend);
                    if (total == 0)
                    {
                        _sendScheduled = false;
                        if (_state == StateClosing && !_shutdownSent)
                        {
                            _shutdownSent = true;
                            shutdown = true;
                        }
                    }
                }

                if (total == 0)
                {
                    if (shutdown)
                    {
                        ShutdownSend();
                    }

                    return;
                }

                var sent = segments.Count == 1
                    ? await _socket.SendAsync(segments[0], SocketFlags.None).ConfigureAwait(false)
                    : await _socket.SendAsync(segments, SocketFlags.None).ConfigureAwait(false);
                if (sent <= 0)
                {
                    throw new IOException($"The socket took none of {total} bytes.");
                }

                Interlocked.Increment(ref _sendOperations);
                lock (_lock)
                {
                    _output.Consume(sent);
                    _bytesSent += sent;
                }
            }
        }
        catch (Exception ex)
        {
            lock (_lock)
            {
                _sendScheduled = false;
                if (_state == StateClosed)
                {
                    _output.Release();
                }
            }

            Terminate(ex, abortive: false, closingIsGraceful: false);
        }
    }

    private void ShutdownSend()
    {
        try
        {
            // FIN after everything sent; the peer's FIN (receive loop sees 0 bytes) then ends the connection.
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            Terminate(null, abortive: true, closingIsGraceful: true);
        }
    }

    private void OnCloseTimeout()
    {
        long unsent;
        lock (_lock)
        {
            if (_state != StateClosing)
            {
                return;
            }

            unsent = _output.Length;
        }

        TransportLog.CloseTimedOut(_logger, RemoteEndPoint, _options.CloseTimeout, unsent);
        Terminate(
            unsent == 0 ? null : new TimeoutException(
                $"Closing the connection to {RemoteEndPoint} did not finish within {_options.CloseTimeout}; {unsent} unsent bytes were dropped."),
            abortive: true,
            closingIsGraceful: false);
    }

    /// <summary>Ends the connection (first caller wins): records why, refuses sends, disposes the socket.</summary>
    private void Terminate(Exception? reason, bool abortive, bool closingIsGraceful)
    {
        Timer? timer;
        bool started;
        lock (_lock)
        {
            if (_state == StateClosed)
            {
                return;
            }

            // Whatever ends a connection we were closing ends it as we asked, unless queued bytes were lost.
            if (_state == StateClosing && closingIsGraceful && _output.Length == 0)
            {
                reason = null;
            }

            _state = StateClosed;
            _closeReason = reason;
            timer = _closeTimer;
            _closeTimer = null;
            started = _handler is not null;
            if (!_sendScheduled)
            {
                _output.Release();
            }
        }

        timer?.Dispose();
        if (abortive)
        {
            try
            {
                _socket.LingerState = new LingerOption(true, 0);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // Already gone.
            }
        }

        _socket.Dispose();

        if (!started)
        {
            // No loops to finish: complete now (Start, if it comes, still tells its handler).
            Complete();
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var writer = _input.Writer;
        Exception? error = null;
        try
        {
            while (true)
            {
                var memory = writer.GetMemory(ReceiveBufferSize);
                var received = await _socket.ReceiveAsync(memory, SocketFlags.None).ConfigureAwait(false);
                if (received == 0)
                {
                    break;
                }

                writer.Advance(received);
                var flush = await writer.FlushAsync().ConfigureAwait(false);
                if (flush.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception ex)
        {
            error = ex;
        }

        await writer.CompleteAsync(error).ConfigureAwait(false);
    }

    private async Task FrameLoopAsync()
    {
        var reader = _input.Reader;
        Exception? error = null;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                bool stop;
                try
                {
                    while (_state != StateClosed && TryReadFrame(ref buffer, out var payload))
                    {
                        Deliver(payload);
                    }

                    stop = _state == StateClosed;
                }
                finally
                {
                    reader.AdvanceTo(buffer.Start, buffer.End);
                }

                if (stop)
                {
                    break;
                }

                if (result.IsCompleted)
                {
                    error = new ConnectionClosedException(buffer.IsEmpty
                        ? $"The peer {RemoteEndPoint} closed the connection."
                        : $"The peer {RemoteEndPoint} closed the connection in the middle of a frame ({buffer.Length} bytes of it received).");
                    break;
                }
            }
        }
        catch (Exception ex)
        {
            error = ex;
        }

        await reader.CompleteAsync().ConfigureAwait(false);
        Terminate(error, abortive: false, closingIsGraceful: true);
        Complete();
    }

    private bool TryReadFrame(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> payload)
    {
        payload = default;
        if (buffer.Length < 4)
        {
            return false;
        }

        uint length;
        if (buffer.FirstSpan.Length >= 4)
        {
            length = BinaryPrimitives.ReadUInt32LittleEndian(buffer.FirstSpan);
        }
        else
        {
            Span<byte> prefix = stackalloc byte[4];
            buffer.Slice(0, 4).CopyTo(prefix);
            length = BinaryPrimitives.ReadUInt32LittleEndian(prefix);
        }

        if (length > (uint)_options.MaxFrameSize)
        {
            TransportLog.FrameTooLarge(_logger, RemoteEndPoint, length, _options.MaxFrameSize);
            throw new InvalidDataException(
                $"The peer {RemoteEndPoint} sent a frame of {length} bytes, over the maximum frame size of {_options.MaxFrameSize} bytes; " +
                "the connection was closed (corrupt stream or not a peer of this protocol).");
        }

        if (buffer.Length - 4 < length)
        {
            return false;
        }

        payload = buffer.Slice(4, length);
        buffer = buffer.Slice(payload.End);
        return true;
    }

    private void Deliver(ReadOnlySequence<byte> payload)
    {
        Interlocked.Increment(ref _framesReceived);
        try
        {
            _handler!.OnFrame(this, payload);
        }
        catch (Exception ex)
        {
            TransportLog.FrameHandlerFailed(_logger, ex, RemoteEndPoint);
            throw;
        }
    }

    private void Complete()
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return;
        }

        var reason = CloseReason;
        switch (reason)
        {
            case null:
                TransportLog.ConnectionClosed(_logger, LocalEndPoint, RemoteEndPoint);
                break;
            case ConnectionClosedException:
                TransportLog.ConnectionClosedByPeer(_logger, LocalEndPoint, RemoteEndPoint);
                break;
            default:
                TransportLog.ConnectionFailed(_logger, reason, LocalEndPoint, RemoteEndPoint);
                break;
        }

        NotifyHandler();
        Volatile.Read(ref _onCompleted)?.Invoke(this);
        _closed.TrySetResult();
    }

    /// <summary>For the owner's bookkeeping: runs once, after OnClosed and before <see cref="Closed"/> completes. Set before <see cref="Start"/>.</summary>
    internal void SetCompletedCallback(Action<Connection> callback) => Volatile.Write(ref _onCompleted, callback);

    private void NotifyHandler()
    {
        IFrameHandler? handler;
        lock (_lock)
        {
            handler = _handler;
        }

        if (handler is null || Interlocked.Exchange(ref _handlerNotified, 1) != 0)
        {
            return;
        }

        try
        {
            handler.OnClosed(this, CloseReason);
        }
        catch (Exception ex)
        {
            TransportLog.CloseHandlerFailed(_logger, ex, RemoteEndPoint);
        }
    }
}
