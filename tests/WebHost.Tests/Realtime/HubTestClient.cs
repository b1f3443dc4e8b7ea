using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;

namespace Actors.WebHost.Tests.Realtime;

/// <summary>
/// A SignalR client speaking the JSON hub protocol directly over a WebSocket, so tests control
/// every byte — including not reading at all, like a stalled device.
/// </summary>
public sealed class HubTestClient : IAsyncDisposable
{
    private const char RecordSeparator = '\u001e';
    private readonly ClientWebSocket socket = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonElement>> pending = new();
    private readonly CancellationTokenSource closing = new();
    private readonly SemaphoreSlim sending = new(1, 1);
    private readonly TaskCompletionSource handshake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim readGate = new(1, 1);
    private Task? receiving;
    private int nextId;

    public ConcurrentQueue<(string Target, JsonElement[] Args)> Received { get; } = new();

    public bool IsClosed => socket.State != WebSocketState.Open;

    public static async Task<HubTestClient> ConnectAsync(Uri server, string? accessToken, string path = "/hubs/realtime")
    {
        var client = new HubTestClient();
        var url = new UriBuilder(server) { Scheme = server.Scheme == "https" ? "wss" : "ws", Path = path };
        if (accessToken is not null)
        {
            url.Query = "access_token=" + Uri.EscapeDataString(accessToken);
        }

        await client.socket.ConnectAsync(url.Uri, CancellationToken.None);
        client.receiving = client.ReceiveLoopAsync();
        await client.SendFrameAsync("""{"protocol":"json","version":1}""");
        await client.handshake.Task.WaitAsync(TimeSpan.FromSeconds(10));
        return client;
    }

    /// <summary>Invokes a hub method; a hub error throws <see cref="HubErrorException"/> with the server's message.</summary>
    public async Task<JsonElement> InvokeAsync(string target, params object?[] arguments)
    {
        var id = Interlocked.Increment(ref nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var completion = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        pending[id] = completion;
        await SendFrameAsync(JsonSerializer.Serialize(new { type = 1, invocationId = id, target, arguments }));
        return await completion.Task.WaitAsync(TimeSpan.FromSeconds(20));
    }

    /// <summary>Stops reading from the socket: the server's writes to us back up.</summary>
    public Task PauseReadingAsync() => readGate.WaitAsync();

    public void ResumeReading() => readGate.Release();

    public IEnumerable<JsonElement> Events(string sessionId) =>
        Received.Where(r => r.Target == "sessionEvent" && r.Args[0].GetString() == sessionId).Select(r => r.Args[1]);

    /// <summary>Drops the connection without a close handshake (a crashed client).</summary>
    public void Abort() => socket.Abort();

    private async Task SendFrameAsync(string json)
    {
        await sending.WaitAsync();
        try
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(json + RecordSeparator), WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            sending.Release();
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        var text = new StringBuilder();
        try
        {
            while (!closing.IsCancellationRequested)
            {
                await readGate.WaitAsync(closing.Token);
                WebSocketReceiveResult result;
                try
                {
                    result = await socket.ReceiveAsync(buffer, closing.Token);
                }
                finally
                {
                    readGate.Release();
                }

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                text.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
                var all = text.ToString();
                var end = all.LastIndexOf(RecordSeparator);
                if (end < 0)
                {
                    continue;
                }

                text.Clear().Append(all[(end + 1)..]);
                foreach (var frame in all[..end].Split(RecordSeparator, StringSplitOptions.RemoveEmptyEntries))
                {
                    Handle(frame);
                }
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or WebSocketException)
        {
        }
        finally
        {
            foreach (var waiting in pending.Values)
            {
                waiting.TrySetException(new HubErrorException("connection closed"));
            }
        }
    }

    private void Handle(string frame)
    {
        using var document = JsonDocument.Parse(frame);
        var root = document.RootElement;
        if (!root.TryGetProperty("type", out var type))
        {
            handshake.TrySetResult();
            return;
        }

        switch (type.GetInt32())
        {
            case 1:
                Received.Enqueue((root.GetProperty("target").GetString()!, [.. root.GetProperty("arguments").EnumerateArray().Select(a => a.Clone())]));
                break;
            case 3 when pending.TryRemove(root.GetProperty("invocationId").GetString()!, out var completion):
                if (root.TryGetProperty("error", out var error))
                {
                    completion.TrySetException(HubErrorException.FromServer(error.GetString()!));
                }
                else
                {
                    completion.TrySetResult(root.TryGetProperty("result", out var result) ? result.Clone() : default);
                }

                break;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await closing.CancelAsync();
        socket.Abort();
        if (receiving is not null)
        {
            await receiving;
        }

        socket.Dispose();
        closing.Dispose();
        sending.Dispose();
        readGate.Dispose();
    }
}

/// <summary>
/// A hub method failed. SignalR sends "An unexpected error occurred invoking 'M' on the server.
/// HubException: code: sentence"; <see cref="Exception.Message"/> is the part after "HubException: ".
/// </summary>
public sealed class HubErrorException(string message, string raw) : Exception(message)
{
    public HubErrorException(string message) : this(message, message) { }

    public string Raw { get; } = raw;

    public static HubErrorException FromServer(string raw)
    {
        const string Marker = "HubException: ";
        var at = raw.IndexOf(Marker, StringComparison.Ordinal);
        return new HubErrorException(at < 0 ? raw : raw[(at + Marker.Length)..], raw);
    }
}
