using System.Collections.Concurrent;

namespace Actors;

/// <summary>
/// Keeps a grain's observer subscriptions as leases: a subscriber must call
/// <see cref="Subscribe"/> again before its lease runs out, or it is dropped. So an observer whose
/// node died (and can no longer renew) disappears by itself, and one whose delivery fails is
/// dropped at once.
/// </summary>
public sealed class ObserverManager<TObserver>(TimeSpan lease, TimeProvider timeProvider)
    where TObserver : class, IAddressable
{
    private readonly ConcurrentDictionary<TObserver, DateTimeOffset> expiries = new();

    public TimeSpan Lease { get; } = lease > TimeSpan.Zero ? lease : throw new ArgumentOutOfRangeException(nameof(lease), "The lease must be positive.");

    /// <summary>Live subscriptions (expired ones are removed first).</summary>
    public int Count
    {
        get
        {
            RemoveExpired();
            return expiries.Count;
        }
    }

    public IReadOnlyList<TObserver> Observers
    {
        get
        {
            RemoveExpired();
            return [.. expiries.Keys];
        }
    }

    /// <summary>Adds the observer or renews its lease; returns when it expires.</summary>
    public DateTimeOffset Subscribe(TObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        var expiry = timeProvider.GetUtcNow() + Lease;
        expiries[observer] = expiry;
        return expiry;
    }

    public bool Unsubscribe(TObserver observer) => expiries.TryRemove(observer, out _);

    /// <summary>Sends a notification to every live observer; an observer whose delivery fails is dropped. Returns how many were notified.</summary>
    public int Notify(Func<TObserver, Task> notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        RemoveExpired();
        var count = 0;
        foreach (var observer in expiries.Keys)
        {
            count++;
            Task delivery;
            try
            {
                delivery = notification(observer);
            }
            catch (Exception)
            {
                expiries.TryRemove(observer, out _);
                continue;
            }

            if (!delivery.IsCompletedSuccessfully)
            {
                _ = delivery.ContinueWith(
                    static (t, state) =>
                    {
                        var (self, failed) = ((ObserverManager<TObserver>, TObserver))state!;
                        if (t.IsFaulted)
                        {
                            self.expiries.TryRemove(failed, out _);
                        }
                    },
                    (this, observer),
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
            }
        }

        return count;
    }

    private void RemoveExpired()
    {
        var now = timeProvider.GetUtcNow();
        foreach (var (observer, expiry) in expiries)
        {
            if (expiry <= now)
            {
                expiries.TryRemove(new KeyValuePair<TObserver, DateTimeOffset>(observer, expiry));
            }
        }
    }
}
