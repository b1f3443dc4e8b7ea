using System.IO.Pipelines;
using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Actors.WebHost.Benchmarks;

/// <summary>
/// .NET SignalR clients (Microsoft.AspNetCore.SignalR.Client.Core) over a plain
/// <see cref="ClientWebSocket"/>: the client package's own transports are not on this feed, so
/// <see cref="WebSocketConnectionFactory"/> connects straight to the hub's WebSocket endpoint
/// (no negotiate, as the web client's <c>skipNegotiation</c>), JSON protocol. One protocol instance
/// and one service provider are shared by every connection of the process.
/// </summary>
internal static class HubClients
{
    // HubConnection disposes the provider it is given: each gets a non-disposable view of the shared one.
    private static readonly ServiceProvider SharedServices = new ServiceCollection().AddLogging().BuildServiceProvider();

    public static readonly IHubProtocol Protocol = new JsonHubProtocol(Options.Create(new JsonHubProtocolOptions()));

    /// <summary>A hub connection (not started) to <paramref name="hubUrl"/>, sending <paramref name="token"/> as a bearer token when given.</summary>
    public static HubConnection Create(Uri hubUrl, string? token)
    {
        var webSocketUrl = new UriBuilder(hubUrl) { Scheme = hubUrl.Scheme == "https" ? "wss" : "ws" }.Uri;
        return new HubConnection(new WebSocketConnectionFactory(token), Protocol, new UriEndPoint(webSocketUrl), new SharedServiceProvider(), NullLoggerFactory.Instance)
        {
            ServerTimeout = TimeSpan.FromSeconds(120),
            HandshakeTimeout = TimeSpan.FromSeconds(60),
        };
    }

    private sealed class SharedServiceProvider : IServiceProvider
    {
        public object? GetService(Type serviceType) => SharedServices.GetService(serviceType);
    }
}

internal sealed class WebSocketConnectionFactory(string? token) : IConnectionFactory
{
    public async ValueTask<ConnectionContext> ConnectAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        var uri = ((UriEndPoint)endpoint).Uri;
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero; // SignalR pings on its own
        if (token is not null)
        {
            socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
        }

        try
        {
            await socket.ConnectAsync(uri, cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new WebSocketConnection(socket);
    }
}

/// <summary>
/// A WebSocket as a <see cref="ConnectionContext"/>: one loop copies received frames into the input
/// pipe, another sends what the hub connection writes. The input pipe resumes its reader inline, so
/// the hub connection parses and dispatches each message on the receiving thread, without a
/// thread-pool hop per message.
/// </summary>
internal sealed class WebSocketConnection : ConnectionContext
{
    private static readonly PipeOptions InputOptions = new(
        readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline, pauseWriterThreshold: 1 << 20, resumeWriterThreshold: 1 << 19, useSynchronizationContext: false);

    private static readonly PipeOptions OutputOptions = new(
        readerScheduler: PipeScheduler.ThreadPool, writerScheduler: PipeScheduler.Inline, useSynchronizationContext: false);

    private readonly ClientWebSocket socket;
    private readonly Pipe input = new(InputOptions);
    private readonly Pipe output = new(OutputOptions);
    private readonly Task receiving;
    private readonly Task sending;

    public WebSocketConnection(ClientWebSocket socket)
    {
        this.socket = socket;
        Transport = new DuplexPipe(input.Reader, output.Writer);
        receiving = ReceiveLoopAsync();
        sending = SendLoopAsync();
    }

    public override string ConnectionId { get; set; } = Guid.NewGuid().ToString("N");

    public override IFeatureCollection Features { get; } = new FeatureCollection();

    public override IDictionary<object, object?> Items { get; set; } = new Dictionary<object, object?>();

    public override IDuplexPipe Transport { get; set; }

    private async Task ReceiveLoopAsync()
    {
        await Task.Yield();
        Exception? error = null;
        try
        {
            while (true)
            {
                var memory = input.Writer.GetMemory(4096);
                var result = await socket.ReceiveAsync(memory, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                input.Writer.Advance(result.Count);
                if (result.EndOfMessage)
                {
                    var flush = await input.Writer.FlushAsync();
                    if (flush.IsCompleted)
                    {
                        break;
                    }
                }
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            error = exception;
        }

        await input.Writer.CompleteAsync(error);
    }

    private async Task SendLoopAsync()
    {
        try
        {
            while (true)
            {
                var result = await output.Reader.ReadAsync();
                var buffer = result.Buffer;
                try
                {
                    if (!buffer.IsEmpty)
                    {
                        var position = buffer.Start;
                        var remaining = buffer.Length;
                        while (buffer.TryGet(ref position, out var segment))
                        {
                            remaining -= segment.Length;
                            await socket.SendAsync(segment, WebSocketMessageType.Text, endOfMessage: remaining == 0, CancellationToken.None);
                        }
                    }
                }
                finally
                {
                    output.Reader.AdvanceTo(buffer.End);
                }

                if (result.IsCompleted || result.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
        }

        await output.Reader.CompleteAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await output.Writer.CompleteAsync();
        socket.Abort();
        try
        {
            await Task.WhenAll(receiving, sending);
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
        }

        socket.Dispose();
        await base.DisposeAsync();
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
