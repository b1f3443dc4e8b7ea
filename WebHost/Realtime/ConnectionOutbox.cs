using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Actors.WebHost.Realtime;

/// <summary>
/// The bounded outbound queue of one connection, drained by its own writer so a slow or stalled
/// client never delays anyone else. Messages are pre-serialised once per event and shared by all
/// connections. When the queue overflows, that connection's queued events of the session are
/// dropped and it is told to resync instead.
/// </summary>
internal sealed class ConnectionOutbox(HubConnectionContext connection, int capacity)
{
    private readonly Lock gate = new();
    private readonly Queue<Item> items = new();
    private bool writing;

    private readonly record struct Item(string? SessionId, SerializedHubMessage Message);

    public string ConnectionId => connection.ConnectionId;

    public CancellationToken Aborted => connection.ConnectionAborted;

    /// <summary>Queues a message; false when the queue was full and the session's backlog was dropped instead.</summary>
    public bool Enqueue(string? sessionId, SerializedHubMessage message, Func<SerializedHubMessage>? onOverflow = null)
    {
        lock (gate)
        {
            if (items.Count >= capacity && sessionId is not null)
            {
                // Drop this session's backlog; everything else stays in order.
                var kept = items.Where(i => i.SessionId != sessionId).ToList();
                items.Clear();
                foreach (var item in kept)
                {
                    items.Enqueue(item);
                }

                if (onOverflow is not null)
                {
                    items.Enqueue(new Item(null, onOverflow()));
                }

                StartWriterLocked();
                return false;
            }

            if (items.Count >= capacity)
            {
                // Ephemeral messages (presence) to a stalled client are dropped; a re-join brings a fresh snapshot.
                return false;
            }

            items.Enqueue(new Item(sessionId, message));
            StartWriterLocked();
            return true;
        }
    }

    public int Count
    {
        get
        {
            lock (gate)
            {
                return items.Count;
            }
        }
    }

    private void StartWriterLocked()
    {
        if (!writing)
        {
            writing = true;
            _ = Task.Run(DrainAsync);
        }
    }

    private async Task DrainAsync()
    {
        while (true)
        {
            Item item;
            lock (gate)
            {
                if (items.Count == 0 || connection.ConnectionAborted.IsCancellationRequested)
                {
                    items.Clear();
                    writing = false;
                    return;
                }

                item = items.Dequeue();
            }

            try
            {
                await connection.WriteAsync(item.Message, connection.ConnectionAborted);
            }
            catch (OperationCanceledException)
            {
                // The connection went away; the loop sees ConnectionAborted and stops.
            }
        }
    }

    public static SerializedHubMessage Invocation(string target, params object?[] arguments) =>
        new(new InvocationMessage(target, arguments));
}
