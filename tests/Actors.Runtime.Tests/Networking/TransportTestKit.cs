using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Actors.Runtime.Networking;

namespace Actors.Runtime.Tests.Networking;

/// <summary>Records what a connection delivers; optionally echoes every frame back.</summary>
internal sealed class RecordingHandler(bool echo = false) : IFrameHandler
{
    private readonly TaskCompletionSource<Exception?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _count;
    private int _closedCalls;

    public ConcurrentQueue<byte[]> Frames { get; } = new();

    public int Count => Volatile.Read(ref _count);

    public int ClosedCalls => Volatile.Read(ref _closedCalls);

    /// <summary>Set before the first frame to react to frames (after they are recorded).</summary>
    public Action<Connection, byte[]>? OnFrameHook { get; set; }

    /// <summary>True if a frame arrived after OnClosed.</summary>
    public bool FrameAfterClose { get; private set; }

    /// <summary>Completes with the OnClosed error.</summary>
    public Task<Exception?> Closed => _closed.Task;

    public void OnFrame(Connection connection, ReadOnlySequence<byte> payload)
    {
        if (ClosedCalls > 0)
        {
            FrameAfterClose = true;
        }

        var bytes = payload.ToArray();
        Frames.Enqueue(bytes);
        Interlocked.Increment(ref _count);
        if (echo)
        {
            connection.Send(bytes);
        }

        OnFrameHook?.Invoke(connection, bytes);
    }

    public void OnClosed(Connection connection, Exception? error)
    {
        Interlocked.Increment(ref _closedCalls);
        _closed.TrySetResult(error);
    }
}

/// <summary>Server side of a test: a listener on 127.0.0.1 and the handlers of the connections it accepted.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    private readonly ConcurrentQueue<(Connection Connection, RecordingHandler Handler)> _accepted = new();

    public TestServer(bool echo = false, TransportOptions? options = null)
    {
        Listener = TransportListener.Start(new IPEndPoint(IPAddress.Loopback, 0), connection =>
        {
            var handler = new RecordingHandler(echo);
            _accepted.Enqueue((connection, handler));
            return handler;
        }, options);
    }

    public TransportListener Listener { get; }

    public IPEndPoint EndPoint => Listener.BoundEndPoint;

    public IReadOnlyList<(Connection Connection, RecordingHandler Handler)> Accepted => [.. _accepted];

    public async Task<(Connection Connection, RecordingHandler Handler)> WaitForAcceptedAsync(int index = 0)
    {
        await Wait.UntilAsync(() => _accepted.Count > index, $"connection #{index} to be accepted");
        return Accepted[index];
    }

    public async ValueTask DisposeAsync() => await Listener.StopAsync();
}

internal static class Wait
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    /// <summary>Polls <paramref name="condition"/> until it holds; fails the test after <paramref name="timeout"/>.</summary>
    public static async Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? Bound;
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > limit)
            {
                Assert.Fail($"Timed out after {limit} waiting for {what}.");
            }

            await Task.Delay(5);
        }
    }

    public static Task<T> Within<T>(this Task<T> task, TimeSpan? timeout = null) => task.WaitAsync(timeout ?? Bound);

    public static Task Within(this Task task, TimeSpan? timeout = null) => task.WaitAsync(timeout ?? Bound);
}

internal static class Payloads
{
    /// <summary>Deterministic bytes for (seed, length), so the receiver can verify content.</summary>
    public static byte[] Make(int seed, int length)
    {
        var bytes = new byte[length];
        Fill(bytes, seed);
        return bytes;
    }

    public static void Fill(Span<byte> bytes, int seed)
    {
        var x = (uint)seed * 2654435761u + 1;
        for (var i = 0; i < bytes.Length; i++)
        {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            bytes[i] = (byte)x;
        }
    }

    /// <summary>A raw socket connected to <paramref name="endPoint"/>, for peers that misbehave.</summary>
    public static async Task<Socket> ConnectRawAsync(IPEndPoint endPoint)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endPoint);
        return socket;
    }
}
