using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Actors.Runtime.Networking;

namespace Actors.Runtime.Tests.Networking;

public sealed class TransportTests
{
    private static readonly TransportClient Client = new();

    [Fact]
    public async Task Frames_round_trip_in_order_including_empty_payloads_and_payloads_larger_than_a_socket_buffer()
    {
        await using var server = new TestServer(echo: true);
        var received = new RecordingHandler();
        await using var connection = await Client.ConnectAsync(server.EndPoint, received);

        int[] sizes = [0, 1, 3, 4, 5, 100, 0, 65_531, 65_532, 65_536, 70_000, 1024 * 1024, 4 * 1024 * 1024 + 7, 0, 2];
        var sent = sizes.Select((size, i) => Payloads.Make(i, size)).ToList();
        foreach (var payload in sent)
        {
            connection.Send(payload);
        }

        await Wait.UntilAsync(() => received.Count == sent.Count, "every frame to be echoed back");
        var (_, serverHandler) = server.Accepted[0];
        Assert.Equal(sent, serverHandler.Frames);
        Assert.Equal(sent, received.Frames);
        Assert.True(connection.IsOpen);
    }

    [Fact]
    public async Task Zero_copy_send_writes_the_payload_in_pieces_and_the_length_prefix_afterwards()
    {
        await using var server = new TestServer();
        await using var connection = await Client.ConnectAsync(server.EndPoint, new RecordingHandler());
        var expected = Payloads.Make(7, 300_000);

        // Many GetSpan/Advance calls, crossing the 64 KiB chunks of the output buffer.
        connection.Send(expected, 16, static (writer, source) =>
        {
            for (var offset = 0; offset < source.Length; offset += 1000)
            {
                var piece = source.AsSpan(offset, Math.Min(1000, source.Length - offset));
                piece.CopyTo(writer.GetSpan(piece.Length));
                writer.Advance(piece.Length);
            }
        });
        connection.Send(0, 0, static (_, _) => { });

        var (_, handler) = await server.WaitForAcceptedAsync();
        await Wait.UntilAsync(() => handler.Count == 2, "both frames");
        Assert.Equal([expected, Array.Empty<byte>()], handler.Frames);
    }

    [Fact]
    public async Task Eight_threads_sending_ten_thousand_frames_each_over_one_connection_all_arrive_intact_and_in_per_thread_order()
    {
        const int threads = 8;
        const int perThread = 10_000;
        await using var server = new TestServer();
        await using var connection = await Client.ConnectAsync(server.EndPoint, new RecordingHandler());

        using var start = new Barrier(threads);
        var senders = Enumerable.Range(0, threads).Select(thread => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            for (var seq = 0; seq < perThread; seq++)
            {
                // Header: thread, sequence; then content derived from both, of varying length (0–299 bytes).
                var length = 8 + (seq * 7 + thread) % 300;
                if (seq % 2 == 0)
                {
                    var payload = new byte[length];
                    Encode(payload, thread, seq);
                    connection.Send(payload);
                }
                else
                {
                    connection.Send((thread, seq, length), length, static (writer, s) =>
                    {
                        var span = writer.GetSpan(s.length)[..s.length];
                        Encode(span, s.thread, s.seq);
                        writer.Advance(s.length);
                    });
                }
            }
        }, TaskCreationOptions.LongRunning)).ToArray();
        await Task.WhenAll(senders).Within();

        var (_, handler) = await server.WaitForAcceptedAsync();
        await Wait.UntilAsync(() => handler.Count == threads * perThread, "all 80,000 frames");

        var next = new int[threads];
        foreach (var frame in handler.Frames)
        {
            var thread = BinaryPrimitives.ReadInt32LittleEndian(frame);
            var seq = BinaryPrimitives.ReadInt32LittleEndian(frame.AsSpan(4));
            Assert.InRange(thread, 0, threads - 1);
            Assert.Equal(next[thread], seq);
            Assert.Equal(8 + (seq * 7 + thread) % 300, frame.Length);
            var expected = new byte[frame.Length];
            Encode(expected, thread, seq);
            Assert.Equal(expected, frame);
            next[thread]++;
        }

        Assert.All(next, count => Assert.Equal(perThread, count));
        Assert.Equal(threads * perThread, connection.FramesSent);

        static void Encode(Span<byte> payload, int thread, int seq)
        {
            BinaryPrimitives.WriteInt32LittleEndian(payload, thread);
            BinaryPrimitives.WriteInt32LittleEndian(payload[4..], seq);
            Payloads.Fill(payload[8..], thread * 1_000_003 + seq);
        }
    }

    [Fact]
    public async Task Many_small_frames_sent_in_a_concurrent_burst_go_out_in_far_fewer_socket_sends()
    {
        const int threads = 4;
        const int perThread = 20_000;
        await using var server = new TestServer();
        await using var connection = await Client.ConnectAsync(server.EndPoint, new RecordingHandler());
        var payload = Payloads.Make(1, 32);

        using var start = new Barrier(threads);
        await Task.WhenAll(Enumerable.Range(0, threads).Select(_ => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < perThread; i++)
            {
                connection.Send(payload);
            }
        }, TaskCreationOptions.LongRunning))).Within();

        var (_, handler) = await server.WaitForAcceptedAsync();
        await Wait.UntilAsync(() => handler.Count == threads * perThread, "every frame");
        await Wait.UntilAsync(() => connection.UnsentBytes == 0, "the send loop to go idle");

        const int frames = threads * perThread;
        Assert.True(connection.SendOperations < frames / 2,
            $"{frames} frames took {connection.SendOperations} socket sends; expected coalescing to need fewer than {frames / 2}.");
        Assert.Equal(frames * (4L + payload.Length), connection.BytesSent);
    }

    [Theory]
    [InlineData(0x7FFF_FFFFu)]
    [InlineData(0xFFFF_FFFFu)]
    [InlineData(16u * 1024 * 1024 + 1)]
    public async Task Oversized_length_prefix_closes_the_connection_with_an_error_and_the_listener_keeps_accepting(uint length)
    {
        await using var server = new TestServer(echo: true);
        using var raw = await Payloads.ConnectRawAsync(server.EndPoint);
        var prefix = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(prefix, length);
        await raw.SendAsync(prefix);

        var (serverConnection, serverHandler) = await server.WaitForAcceptedAsync();
        var error = await serverHandler.Closed.Within();
        var invalid = Assert.IsType<InvalidDataException>(error);
        Assert.Contains("maximum frame size", invalid.Message, StringComparison.Ordinal);
        Assert.Contains(length.ToString(System.Globalization.CultureInfo.InvariantCulture), invalid.Message, StringComparison.Ordinal);
        await serverConnection.Closed.Within();
        Assert.Same(error, serverConnection.CloseReason);

        // The garbage peer is disconnected…
        var read = await ReceiveUntilClosedAsync(raw).Within();
        Assert.True(read == 0 || read == -1);

        // …and the listener still serves well-behaved peers.
        var echoed = new RecordingHandler();
        await using var good = await Client.ConnectAsync(server.EndPoint, echoed);
        good.Send("hello"u8);
        await Wait.UntilAsync(() => echoed.Count == 1, "the echo");
        Assert.Equal("hello"u8.ToArray(), echoed.Frames.Single());
    }

    [Fact]
    public async Task Peer_abort_fires_OnClosed_promptly_on_the_other_side_and_later_sends_fail_fast()
    {
        await using var server = new TestServer();
        var clientHandler = new RecordingHandler();
        var connection = await Client.ConnectAsync(server.EndPoint, clientHandler);
        connection.Send("before"u8);
        var (serverConnection, serverHandler) = await server.WaitForAcceptedAsync();
        await Wait.UntilAsync(() => serverHandler.Count == 1, "the first frame");

        var clock = Stopwatch.StartNew();
        connection.Abort();
        var error = await serverHandler.Closed.Within(TimeSpan.FromSeconds(5));
        clock.Stop();

        Assert.NotNull(error);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"OnClosed took {clock.Elapsed}");
        Assert.False(serverConnection.IsOpen);
        Assert.Null(await clientHandler.Closed.Within());

        var sendClock = Stopwatch.StartNew();
        var failure = Assert.Throws<ConnectionClosedException>(() => serverConnection.Send("after"u8));
        Assert.True(sendClock.Elapsed < TimeSpan.FromSeconds(1));
        Assert.Contains("closed", failure.Message, StringComparison.Ordinal);
        Assert.Contains(serverConnection.RemoteEndPoint.ToString()!, failure.Message, StringComparison.Ordinal);
        Assert.Same(error, failure.InnerException);
        Assert.Throws<ConnectionClosedException>(() => connection.Send(3, 8, static (_, _) => { }));
        Assert.Equal(1, serverHandler.ClosedCalls);
    }

    [Fact]
    public async Task Sends_to_a_peer_that_never_reads_fail_fast_at_the_high_water_mark_and_resume_once_it_reads()
    {
        const int highWaterMark = 1024 * 1024;
        const int frameSize = 16 * 1024;
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        silent.Listen(1);
        var accepting = silent.AcceptAsync();

        var client = new TransportClient(new TransportOptions { HighWaterMark = highWaterMark });
        await using var connection = await client.ConnectAsync(silent.LocalEndPoint!, new RecordingHandler());
        using var peer = await accepting.Within();
        var payload = Payloads.Make(3, frameSize);

        // 10,000 × 16 KiB = 160 MiB attempted: far more than the kernel buffers plus the high-water mark.
        var rejected = 0;
        long maxUnsent = 0;
        TransportBackpressureException? firstRejection = null;
        for (var i = 0; i < 10_000; i++)
        {
            try
            {
                connection.Send(payload);
            }
            catch (TransportBackpressureException ex)
            {
                firstRejection ??= ex;
                rejected++;
            }

            maxUnsent = Math.Max(maxUnsent, connection.UnsentBytes);
        }

        Assert.True(rejected > 0, "no send was rejected");
        Assert.NotNull(firstRejection);
        Assert.Contains("high-water mark", firstRejection.Message, StringComparison.Ordinal);
        Assert.InRange(maxUnsent, 0, highWaterMark + frameSize + 4);
        Assert.True(connection.IsOpen, "backpressure fails sends, it does not close the connection");

        // The peer starts reading: the backlog drains and sends are accepted again.
        using var drain = new CancellationTokenSource();
        var reading = Task.Run(async () =>
        {
            var buffer = new byte[256 * 1024];
            try
            {
                while (await peer.ReceiveAsync(buffer, drain.Token) > 0)
                {
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
        await Wait.UntilAsync(() => connection.UnsentBytes < highWaterMark, "the backlog to drain");
        connection.Send(payload);
        await Wait.UntilAsync(() => connection.UnsentBytes == 0, "the last frame to be sent");
        await drain.CancelAsync();
        await reading.Within();
        connection.Abort();
    }

    [Fact]
    public async Task Listener_StopAsync_closes_accepted_connections_and_stops_accepting()
    {
        var server = new TestServer();
        var clients = new List<(Connection Connection, RecordingHandler Handler)>();
        for (var i = 0; i < 3; i++)
        {
            var handler = new RecordingHandler();
            clients.Add((await Client.ConnectAsync(server.EndPoint, handler), handler));
        }

        await Wait.UntilAsync(() => server.Listener.Connections.Count == 3, "three accepted connections");
        await server.Listener.StopAsync().Within();

        foreach (var (connection, handler) in clients)
        {
            var error = await handler.Closed.Within();
            Assert.IsType<ConnectionClosedException>(error);
            Assert.False(connection.IsOpen);
        }

        foreach (var (connection, handler) in server.Accepted)
        {
            Assert.True(connection.Closed.IsCompleted);
            Assert.Null(await handler.Closed.Within());
        }

        Assert.Empty(server.Listener.Connections);
        await Assert.ThrowsAsync<SocketException>(() => Client.ConnectAsync(server.EndPoint, new RecordingHandler()));
    }

    [Fact]
    public async Task Graceful_close_sends_every_queued_frame_before_the_connection_ends()
    {
        await using var server = new TestServer();
        var handler = new RecordingHandler();
        var connection = await Client.ConnectAsync(server.EndPoint, handler);
        for (var i = 0; i < 10_000; i++)
        {
            connection.Send(Payloads.Make(i, 200));
        }

        connection.Close();
        Assert.Throws<ConnectionClosedException>(() => connection.Send("late"u8));
        await connection.Closed.Within();

        var (_, serverHandler) = await server.WaitForAcceptedAsync();
        Assert.IsType<ConnectionClosedException>(await serverHandler.Closed.Within());
        Assert.Equal(10_000, serverHandler.Count);
        Assert.Equal(Enumerable.Range(0, 10_000).Select(i => Payloads.Make(i, 200)), serverHandler.Frames);
        Assert.Null(await handler.Closed.Within());
        Assert.Null(connection.CloseReason);
    }

    [Fact]
    public async Task A_failed_or_oversized_send_is_discarded_and_the_connection_keeps_working()
    {
        var options = new TransportOptions { MaxFrameSize = 256 * 1024 };
        await using var server = new TestServer(options: options);
        await using var connection = await new TransportClient(options).ConnectAsync(server.EndPoint, new RecordingHandler());

        Assert.Throws<ArgumentOutOfRangeException>(() => connection.Send(new byte[256 * 1024 + 1]));

        // The callback writes half a payload (across chunks) and fails: nothing of it may reach the peer.
        var failure = Assert.Throws<FormatException>(() => connection.Send(0, 0, static (writer, _) =>
        {
            writer.Write(new byte[70_000]);
            writer.Write(new byte[70_000]);
            throw new FormatException("cannot encode");
        }));
        Assert.Equal("cannot encode", failure.Message);

        Assert.Throws<InvalidOperationException>(() => connection.Send(0, 0, static (writer, _) =>
        {
            for (var i = 0; i < 30; i++)
            {
                writer.Write(new byte[10_000]);
            }
        }));

        Assert.Throws<InvalidOperationException>(() => connection.Send(connection, 0, static (writer, c) => c.Send("nested"u8)));

        connection.Send("intact"u8);
        var (_, handler) = await server.WaitForAcceptedAsync();
        await Wait.UntilAsync(() => handler.Count >= 1, "the good frame");
        connection.Send("second"u8);
        await Wait.UntilAsync(() => handler.Count >= 2, "the second frame");
        Assert.Equal(["intact"u8.ToArray(), "second"u8.ToArray()], handler.Frames);
        Assert.Equal(2, connection.FramesSent);
    }

    [Fact]
    public async Task An_exception_from_the_frame_handler_closes_the_connection_with_that_exception()
    {
        await using var server = new TestServer();
        var clientHandler = new RecordingHandler();
        await using var connection = await Client.ConnectAsync(server.EndPoint, clientHandler);
        var (_, serverHandler) = await server.WaitForAcceptedAsync();
        var boom = new InvalidOperationException("handler bug");
        serverHandler.OnFrameHook = (_, frame) =>
        {
            if (frame.Length == 4)
            {
                throw boom;
            }
        };

        connection.Send("ok"u8);
        connection.Send("boom"u8);
        connection.Send("never"u8);

        Assert.Same(boom, await serverHandler.Closed.Within());
        Assert.Equal(2, serverHandler.Count);
        Assert.NotNull(await clientHandler.Closed.Within());
        Assert.False(serverHandler.FrameAfterClose);
    }

    [Fact]
    public async Task OnClosed_runs_exactly_once_when_close_abort_and_dispose_race()
    {
        await using var server = new TestServer();
        for (var round = 0; round < 20; round++)
        {
            var handler = new RecordingHandler();
            var connection = await Client.ConnectAsync(server.EndPoint, handler);
            connection.Send(Payloads.Make(round, 10_000));

            using var start = new Barrier(3);
            await Task.WhenAll(
                Task.Run(() => { start.SignalAndWait(); connection.Close(); }),
                Task.Run(() => { start.SignalAndWait(); connection.Abort(); }),
                Task.Run(async () => { start.SignalAndWait(); await connection.DisposeAsync(); })).Within();

            await connection.Closed.Within();
            connection.Close();
            connection.Abort();
            Assert.Equal(1, handler.ClosedCalls);
        }

        await Wait.UntilAsync(() => server.Accepted.Count == 20 && server.Accepted.All(a => a.Handler.ClosedCalls == 1), "every server side to close");
        Assert.All(server.Accepted, a => Assert.Equal(1, a.Handler.ClosedCalls));
    }

    [Fact]
    public async Task Connecting_to_a_listener_that_never_accepts_times_out_with_the_configured_timeout()
    {
        // A backlog of 1 that is never drained: once the accept queue is full, the kernel drops further handshakes.
        using var stuck = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        stuck.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        stuck.Listen(1);
        var client = new TransportClient(new TransportOptions { ConnectTimeout = TimeSpan.FromMilliseconds(300) });

        var opened = new List<Connection>();
        TimeoutException? timeout = null;
        try
        {
            for (var i = 0; i < 16 && timeout is null; i++)
            {
                try
                {
                    opened.Add(await client.ConnectAsync(stuck.LocalEndPoint!, new RecordingHandler()).Within());
                }
                catch (TimeoutException ex)
                {
                    timeout = ex;
                }
            }
        }
        finally
        {
            foreach (var connection in opened)
            {
                connection.Abort();
            }
        }

        Assert.NotNull(timeout);
        Assert.Contains("timed out", timeout.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handler_factory_sees_the_connection_first_and_its_tag_survives_to_OnFrame()
    {
        var seen = new List<object?>();
        var handler = new TagHandler(seen);
        var listener = TransportListener.Start(new IPEndPoint(IPAddress.Loopback, 0), c =>
        {
            c.Tag = "server-state";
            return handler;
        });
        try
        {
            Assert.NotEqual(0, listener.BoundEndPoint.Port);
            await using var connection = await Client.ConnectAsync(listener.BoundEndPoint, new RecordingHandler(), tag: "client-state");
            Assert.Equal("client-state", connection.Tag);
            Assert.Equal(listener.BoundEndPoint, connection.RemoteEndPoint);
            connection.Send("x"u8);
            await Wait.UntilAsync(() => { lock (seen) { return seen.Count == 1; } }, "the frame");
            Assert.Equal("server-state", seen[0]);
        }
        finally
        {
            await listener.StopAsync().Within();
        }
    }

    [Fact]
    public async Task Frames_are_delivered_without_the_AsyncLocal_state_of_whoever_connected()
    {
        await using var server = new TestServer(echo: true);
        var ambient = new AsyncLocal<string>();
        var seen = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new RecordingHandler { OnFrameHook = (_, _) => seen.TrySetResult(ambient.Value) };

        ambient.Value = "caller-context";
        await using var connection = await Client.ConnectAsync(server.EndPoint, handler);
        connection.Send("ping"u8);

        Assert.Null(await seen.Task.Within());
    }

    private sealed class TagHandler(List<object?> seen) : IFrameHandler
    {
        public void OnFrame(Connection connection, ReadOnlySequence<byte> payload)
        {
            lock (seen)
            {
                seen.Add(connection.Tag);
            }
        }

        public void OnClosed(Connection connection, Exception? error)
        {
        }
    }

    // Reads until the peer closes: 0 for a FIN, -1 for a reset.
    private static async Task<int> ReceiveUntilClosedAsync(Socket socket)
    {
        var buffer = new byte[1024];
        try
        {
            while (await socket.ReceiveAsync(buffer) > 0)
            {
            }

            return 0;
        }
        catch (SocketException)
        {
            return -1;
        }
    }
}
