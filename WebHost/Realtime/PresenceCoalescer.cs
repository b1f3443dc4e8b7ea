using System.Collections.Concurrent;
using System.Text.Json;
using Actors.Grains;
using Microsoft.Extensions.Options;

namespace Actors.WebHost.Realtime;

/// <summary>
/// Coalesces SetPresence calls: per connection and session only the latest meta is sent to the
/// grain, at most once per <see cref="RealtimeOptions.PresenceInterval"/> (about 20 per second).
/// </summary>
internal sealed class PresenceCoalescer(IGrainFactory grains, IOptions<RealtimeOptions> options, ILogger<PresenceCoalescer> logger)
{
    private readonly ConcurrentDictionary<(string Session, string Connection), Slot> slots = new();

    private sealed class Slot
    {
        public JsonElement? Latest;
        public bool Scheduled;
    }

    public void Set(string sessionId, string connectionId, JsonElement meta)
    {
        var slot = slots.GetOrAdd((sessionId, connectionId), static _ => new Slot());
        lock (slot)
        {
            slot.Latest = meta;
            if (slot.Scheduled)
            {
                return;
            }

            slot.Scheduled = true;
        }

        _ = FlushAsync(sessionId, connectionId, slot, immediate: true);
    }

    private async Task FlushAsync(string sessionId, string connectionId, Slot slot, bool immediate)
    {
        while (true)
        {
            if (!immediate)
            {
                await Task.Delay(options.Value.PresenceInterval);
            }

            immediate = false;
            JsonElement? meta;
            lock (slot)
            {
                meta = slot.Latest;
                slot.Latest = null;
                if (meta is null)
                {
                    slot.Scheduled = false;
                    return;
                }
            }

            try
            {
                await grains.GetGrain<ISessionGrain>(sessionId).SetPresenceMetaAsync(connectionId, meta.Value);
            }
            catch (Exception exception)
            {
                RealtimeLog.PresenceFailed(logger, exception, sessionId);
            }
        }
    }

    public void Forget(string connectionId)
    {
        foreach (var key in slots.Keys.Where(k => k.Connection == connectionId).ToList())
        {
            slots.TryRemove(key, out _);
        }
    }
}
