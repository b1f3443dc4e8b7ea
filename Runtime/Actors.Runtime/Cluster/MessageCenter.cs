using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Actors.Invocation;
using Actors.Runtime.Membership;
using Actors.Runtime.Messaging;
using Actors.Runtime.Messaging.Wire;
using Actors.Runtime.Networking;
using Microsoft.Extensions.Logging;

namespace Actors.Runtime.Cluster;

/// <summary>
/// Remote calls over the transport: one outbound connection per peer silo, client connections on
/// the gateway, correlation of responses, probes, and failing in-flight calls when a connection
/// drops. Used by silos and by the cluster client alike.
/// </summary>
internal sealed partial class MessageCenter : IFrameHandler, ISiloProber, IAsyncDisposable
{
    private readonly RuntimeServices runtime;
    private readonly WireSerializer serializer;
    private readonly TransportOptions transportOptions;
    private readonly ILogger logger;
    private readonly ConcurrentDictionary<string, Lazy<Task<Connection>>> outbound = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Connection> clients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Connection, byte> accepted = new();
    private long nextCorrelation;
    private volatile bool disposed;

    public MessageCenter(RuntimeServices runtime, string identity, bool isClient, TransportOptions? transportOptions = null)
    {
        this.runtime = runtime;
        Identity = identity;
        IsClient = isClient;
        serializer = new WireSerializer(runtime.GrainRuntime);
        this.transportOptions = transportOptions ?? TransportOptions.Default;
        logger = runtime.Logger;
    }

    /// <summary>This node's id in handshakes: a silo address, or "client:&lt;id&gt;".</summary>
    public string Identity { get; private set; }

    public bool IsClient { get; }

    /// <summary>Routes calls that arrive from the network (set by the silo or client).</summary>
    public Action<Message>? IncomingRouter { get; set; }

    /// <summary>Interface name → grain type name, sent to clients in the handshake.</summary>
    public Func<IReadOnlyDictionary<string, string>>? Manifest { get; set; }

    /// <summary>The manifest the gateway sent (clients).</summary>
    public IReadOnlyDictionary<string, string> RemoteManifest { get; private set; } = new Dictionary<string, string>();

    public void SetIdentity(string identity) => Identity = identity;

    public int PendingCount => AllStates().Sum(s => s.Pending.Count);

    public static int PendingOn(Connection connection) => connection.Tag is PeerState state ? state.Pending.Count : 0;

    // ---- connections ----

    private sealed class PeerState
    {
        public string? PeerId;
        public bool PeerIsClient;
        public readonly ConcurrentDictionary<long, object> Pending = new();
        public readonly TaskCompletionSource<HandshakeBody> Welcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed record HandshakeBody(string Id, bool Client, Dictionary<string, string>? Manifest);

    private IEnumerable<PeerState> AllStates()
    {
        foreach (var lazy in outbound.Values)
        {
            if (lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully && lazy.Value.Result.Tag is PeerState s)
            {
                yield return s;
            }
        }

        foreach (var connection in accepted.Keys)
        {
            if (connection.Tag is PeerState s)
            {
                yield return s;
            }
        }
    }

    /// <summary>Called by a listener for every accepted connection.</summary>
    public IFrameHandler Accept(Connection connection)
    {
        connection.Tag = new PeerState();
        accepted[connection] = 0;
        return this;
    }

    public Task<Connection> GetConnectionAsync(string host, int port, CancellationToken cancellationToken = default)
    {
        var key = $"{host}:{port}";
        var lazy = outbound.GetOrAdd(key, k => new Lazy<Task<Connection>>(() => ConnectAsync(k, host, port)));
        var task = lazy.Value;
        if (task.IsFaulted || (task.IsCompletedSuccessfully && task.Result.Closed.IsCompleted))
        {
            outbound.TryRemove(new KeyValuePair<string, Lazy<Task<Connection>>>(key, lazy));
            return GetConnectionAsync(host, port, cancellationToken);
        }

        return task;
    }

    private async Task<Connection> ConnectAsync(string key, string host, int port)
    {
        try
        {
            var endpoint = IPAddress.TryParse(host, out var ip) ? (EndPoint)new IPEndPoint(ip, port) : new DnsEndPoint(host, port);
            var state = new PeerState();
            var connection = await new TransportClient(transportOptions, logger).ConnectAsync(endpoint, this, state, CancellationToken.None).ConfigureAwait(false);
            SendHandshake(connection, WireKind.Hello, includeManifest: false);
            var welcome = await state.Welcome.Task.WaitAsync(transportOptions.ConnectTimeout).ConfigureAwait(false);
            state.PeerId = welcome.Id;
            if (IsClient && welcome.Manifest is not null)
            {
                RemoteManifest = welcome.Manifest;
            }

            return connection;
        }
        catch (Exception exception)
        {
            outbound.TryRemove(key, out _);
            throw new SiloUnavailableException($"Could not connect to {host}:{port}: {exception.Message}", exception);
        }
    }

    private void SendHandshake(Connection connection, WireKind kind, bool includeManifest)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new HandshakeBody(
            Identity,
            IsClient,
            includeManifest ? new Dictionary<string, string>(Manifest?.Invoke() ?? new Dictionary<string, string>()) : null));
        Send(connection, new Envelope { Kind = kind, Target = default, Body = body });
    }

    private static void Send(Connection connection, Envelope envelope) =>
        connection.Send(envelope, 256 + envelope.Body.Length, static (writer, e) => EnvelopeCodec.Write(writer, e));

    // ---- sending calls ----

    /// <summary>Sends a call to a silo (or gateway); the message completes when the response arrives or the connection drops.</summary>
    public void SendRequest(string host, int port, Message message)
    {
        var connecting = GetConnectionAsync(host, port);
        if (connecting.IsCompletedSuccessfully)
        {
            SendRequest(connecting.Result, message);
            return;
        }

        _ = SendWhenConnectedAsync(connecting, message);
    }

    private async Task SendWhenConnectedAsync(Task<Connection> connecting, Message message)
    {
        Connection connection;
        try
        {
            connection = await connecting.ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            message.TryComplete(exception is SiloUnavailableException ? exception : new SiloUnavailableException(exception.Message, exception));
            return;
        }

        SendRequest(connection, message);
    }

    public void SendRequest(Connection connection, Message message)
    {
        var state = (PeerState)connection.Tag!;
        var correlation = Interlocked.Increment(ref nextCorrelation);
        var oneWay = message.Request.Method.IsOneWay;
        if (!oneWay)
        {
            state.Pending[correlation] = message;
        }

        try
        {
            var remaining = message.Deadline == 0
                ? 0
                : (int)Math.Clamp(runtime.TimeProvider.GetElapsedTime(runtime.TimeProvider.GetTimestamp(), message.Deadline).TotalMilliseconds, 1, int.MaxValue);
            Send(connection, new Envelope
            {
                Kind = WireKind.Request,
                CorrelationId = correlation,
                Target = message.Target,
                Sender = message.Sender,
                InterfaceName = message.Request.Method.InterfaceName,
                MethodId = message.Request.Method.MethodId,
                OneWay = oneWay,
                RemainingMs = remaining,
                Hops = message.Hops,
                Chain = message.Chain,
                RequestContext = message.RequestContext,
                Body = serializer.SerializeArguments(message.Request),
            });
        }
        catch (Exception exception)
        {
            state.Pending.TryRemove(correlation, out _);
            message.TryComplete(exception is TransportException
                ? new SiloUnavailableException($"Could not send {message.MethodName} to {state.PeerId}: {exception.Message}", exception)
                : exception);
        }
    }

    /// <summary>Sends a call to a client connected to this gateway.</summary>
    public bool TrySendToClient(string clientId, Message message)
    {
        if (!clients.TryGetValue(clientId, out var connection))
        {
            return false;
        }

        SendRequest(connection, message);
        return true;
    }

    public async Task<bool> ProbeAsync(SiloAddress silo, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            var connection = await GetConnectionAsync(silo.Host, silo.Port, cancellationToken).WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            var state = (PeerState)connection.Tag!;
            if (state.PeerId != silo.ToString())
            {
                // Someone else (a restarted silo) now listens on that port.
                return false;
            }

            var correlation = Interlocked.Increment(ref nextCorrelation);
            var pong = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            state.Pending[correlation] = pong;
            Send(connection, new Envelope { Kind = WireKind.Ping, CorrelationId = correlation, Target = default });
            try
            {
                return await pong.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                state.Pending.TryRemove(correlation, out _);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    // ---- receiving ----

    public void OnFrame(Connection connection, ReadOnlySequence<byte> payload)
    {
        var envelope = EnvelopeCodec.Read(payload);
        var state = (PeerState)connection.Tag!;
        switch (envelope.Kind)
        {
            case WireKind.Hello:
                var hello = JsonSerializer.Deserialize<HandshakeBody>(envelope.Body.Span)!;
                state.PeerId = hello.Id;
                state.PeerIsClient = hello.Client;
                if (hello.Client)
                {
                    clients[hello.Id] = connection;
                }

                SendHandshake(connection, WireKind.Welcome, includeManifest: hello.Client);
                break;
            case WireKind.Welcome:
                state.Welcome.TrySetResult(JsonSerializer.Deserialize<HandshakeBody>(envelope.Body.Span)!);
                break;
            case WireKind.Request:
                OnRequest(connection, state, envelope);
                break;
            case WireKind.Response or WireKind.Error or WireKind.Rejection:
                OnResponse(state, envelope);
                break;
            case WireKind.Ping:
                Send(connection, new Envelope { Kind = WireKind.Pong, CorrelationId = envelope.CorrelationId, Target = default });
                break;
            case WireKind.Pong:
                if (state.Pending.TryRemove(envelope.CorrelationId, out var probe) && probe is TaskCompletionSource<bool> tcs)
                {
                    tcs.TrySetResult(true);
                }

                break;
            default:
                throw new InvalidDataException($"Unexpected message kind {envelope.Kind}.");
        }
    }

    private void OnRequest(Connection connection, PeerState state, Envelope envelope)
    {
        GrainRequest request;
        try
        {
            request = serializer.DeserializeRequest(envelope.InterfaceName!, envelope.MethodId, envelope.Body);
        }
        catch (Exception exception)
        {
            if (!envelope.OneWay)
            {
                Reply(connection, envelope.CorrelationId, null, exception);
            }

            return;
        }

        var time = runtime.TimeProvider;
        var message = new Message(request, envelope.Target)
        {
            Sender = envelope.Sender,
            Chain = envelope.Chain,
            RequestContext = envelope.RequestContext,
            Deadline = time.GetTimestamp() + runtime.ToTicks(TimeSpan.FromMilliseconds(envelope.RemainingMs > 0 ? envelope.RemainingMs : runtime.Options.CallTimeout.TotalMilliseconds)),
            FromRemote = true,
            Hops = envelope.Hops,
        };
        if (!envelope.OneWay)
        {
            var correlation = envelope.CorrelationId;
            message.OnCompleted = (m, error) => Reply(connection, correlation, m, error);
        }

        (IncomingRouter ?? runtime.GrainRuntime.Dispatch)(message);
    }

    private void Reply(Connection connection, long correlation, Message? message, Exception? error)
    {
        byte[] body;
        var kind = WireKind.Response;
        try
        {
            body = error is null ? serializer.SerializeResult(message!.Request) : WireSerializer.SerializeError(error);
            if (error is not null)
            {
                kind = WireKind.Error;
            }
        }
        catch (Exception serializationFailure)
        {
            kind = WireKind.Error;
            body = WireSerializer.SerializeError(new InvalidOperationException($"The result of {message?.MethodName} could not be serialised: {serializationFailure.Message}"));
        }

        try
        {
            Send(connection, new Envelope { Kind = kind, CorrelationId = correlation, Target = message?.Target ?? default, Body = body });
        }
        catch (TransportException exception)
        {
            ClusterLog.ReplyLost(logger, exception, correlation);
        }
    }

    private void OnResponse(PeerState state, Envelope envelope)
    {
        if (!state.Pending.TryRemove(envelope.CorrelationId, out var pending) || pending is not Message message)
        {
            return;
        }

        if (envelope.Kind == WireKind.Response)
        {
            try
            {
                serializer.DeserializeResult(message.Request, envelope.Body);
            }
            catch (Exception exception)
            {
                message.TryComplete(exception);
                return;
            }

            message.TryComplete(null);
        }
        else
        {
            message.TryComplete(WireSerializer.DeserializeError(envelope.Body));
        }
    }

    public void OnClosed(Connection connection, Exception? error)
    {
        accepted.TryRemove(connection, out _);
        if (connection.Tag is not PeerState state)
        {
            return;
        }

        state.Welcome.TrySetException(error ?? new ConnectionClosedException("Connection closed during the handshake."));
        if (state.PeerId is { } peer)
        {
            if (state.PeerIsClient)
            {
                clients.TryRemove(new KeyValuePair<string, Connection>(peer, connection));
            }
        }

        foreach (var (correlation, pending) in state.Pending)
        {
            if (!state.Pending.TryRemove(correlation, out _))
            {
                continue;
            }

            var lost = new SiloUnavailableException($"The connection to {state.PeerId ?? connection.RemoteEndPoint?.ToString()} was lost while the call was in flight; it may or may not have run.", error ?? new ConnectionClosedException());
            switch (pending)
            {
                case Message message:
                    message.TryComplete(lost);
                    break;
                case TaskCompletionSource<bool> probe:
                    probe.TrySetResult(false);
                    break;
            }
        }
    }

    /// <summary>Fails remote calls whose caller-side deadline passed.</summary>
    public void ExpirePending(long now)
    {
        foreach (var state in AllStates())
        {
            foreach (var (correlation, pending) in state.Pending)
            {
                if (pending is Message { Deadline: > 0 } message && message.Deadline <= now && state.Pending.TryRemove(correlation, out _))
                {
                    message.TryComplete(new TimeoutException(
                        $"Call to {message.MethodName} on grain {message.Target} timed out after {runtime.Options.CallTimeout.TotalSeconds:0.###} s (remote, at {state.PeerId})."));
                }
            }
        }
    }

    /// <summary>Drops every connection at once (crash simulation) or closes them gracefully.</summary>
    public async Task CloseAllAsync(bool abort)
    {
        disposed = true;
        var connections = accepted.Keys.ToList();
        foreach (var lazy in outbound.Values)
        {
            if (lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully)
            {
                connections.Add(lazy.Value.Result);
            }
        }

        outbound.Clear();
        foreach (var connection in connections)
        {
            if (abort)
            {
                connection.Abort();
            }
            else
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    public bool IsDisposed => disposed;

    public async ValueTask DisposeAsync() => await CloseAllAsync(abort: false).ConfigureAwait(false);
}

internal static partial class ClusterLog
{
    [LoggerMessage(1300, LogLevel.Warning, "Could not send the reply to call #{Correlation}: the connection is gone")]
    public static partial void ReplyLost(ILogger logger, Exception exception, long correlation);

    [LoggerMessage(1301, LogLevel.Information, "Silo {Silo} listening for silos on {SiloEndpoint} and clients on {GatewayEndpoint}")]
    public static partial void Listening(ILogger logger, SiloAddress silo, string siloEndpoint, string gatewayEndpoint);

    [LoggerMessage(1302, LogLevel.Information, "Deactivating {Count} activations this silo no longer owns")]
    public static partial void Rebalancing(ILogger logger, int count);

    [LoggerMessage(1303, LogLevel.Warning, "Routing {Method} to {Target} failed")]
    public static partial void RoutingFailed(ILogger logger, Exception exception, string method, GrainId target);

    [LoggerMessage(1304, LogLevel.Information, "Client {Client} connected to gateway {Gateway}")]
    public static partial void ClientConnected(ILogger logger, string client, string gateway);

    [LoggerMessage(1305, LogLevel.Warning, "Gateway {Gateway} is unavailable; trying another")]
    public static partial void GatewayLost(ILogger logger, string gateway);
}
