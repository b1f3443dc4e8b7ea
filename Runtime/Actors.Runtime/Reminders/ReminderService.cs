using System.Collections.Concurrent;
using Actors.Invocation;
using Actors.Runtime.Configuration;
using Microsoft.Extensions.Logging;

namespace Actors.Runtime.Reminders;

/// <summary>
/// Durable reminders on one silo: keeps a local timer for every reminder of a grain this silo owns,
/// re-reads the table periodically and after membership changes (so reminders move with their
/// grains on failover), and calls <see cref="IRemindable.ReceiveReminder"/> through the grain's
/// reference, activating it if needed.
/// </summary>
internal sealed class ReminderService : IReminderRegistry, IAsyncDisposable
{
    private readonly RuntimeServices runtime;
    private readonly IReminderTable table;
    private readonly ClusterOptions options;
    private readonly Func<GrainId, bool> owns;
    private readonly ConcurrentDictionary<(GrainId, string), LocalReminder> local = new();
    private readonly CancellationTokenSource stopping = new();
    private readonly SemaphoreSlim refreshing = new(1, 1);
    private Task? loop;

    public ReminderService(RuntimeServices runtime, IReminderTable table, ClusterOptions options, Func<GrainId, bool> owns)
    {
        this.runtime = runtime;
        this.table = table;
        this.options = options;
        this.owns = owns;
    }

    public int ScheduledCount => local.Count;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await table.InitializeAsync(cancellationToken);
        await RefreshAsync(cancellationToken);
        loop = RunAsync();
    }

    private async Task RunAsync()
    {
        using var timer = new PeriodicTimer(options.ReminderRefreshPeriod, runtime.TimeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping.Token).ConfigureAwait(false))
            {
                await RefreshSafelyAsync().ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Called after a membership change: pick up reminders of grains that moved here, drop those that left.</summary>
    public void OnOwnershipChanged() => _ = RefreshSafelyAsync();

    private async Task RefreshSafelyAsync()
    {
        if (Volatile.Read(ref disposed) != 0)
        {
            return;
        }

        try
        {
            await RefreshAsync(stopping.Token).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // Stopping: a late membership change has nothing left to refresh.
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            ReminderLog.RefreshFailed(runtime.Logger, exception);
        }
    }

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await refreshing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var all = await table.ReadRangeAsync(0, 0, cancellationToken).ConfigureAwait(false);
            var mine = all.Where(r => owns(r.GrainId)).ToDictionary(r => (r.GrainId, r.Name));
            foreach (var (key, reminder) in local)
            {
                if (!mine.TryGetValue(key, out var current) || current.ETag != reminder.Entry.ETag)
                {
                    Cancel(key);
                }
            }

            foreach (var (key, entry) in mine)
            {
                if (!local.ContainsKey(key))
                {
                    Schedule(entry);
                }
            }
        }
        finally
        {
            refreshing.Release();
        }
    }

    private void Schedule(ReminderEntry entry)
    {
        var now = runtime.TimeProvider.GetUtcNow();
        var due = entry.StartAt - now;
        if (due < TimeSpan.Zero)
        {
            // Missed ticks (we were down or the grain moved): fire once soon, then keep the period's phase.
            var periods = Math.Ceiling(-due.Ticks / (double)entry.Period.Ticks);
            due = entry.StartAt + TimeSpan.FromTicks((long)(periods * entry.Period.Ticks)) - now;
            if (due > entry.Period / 2)
            {
                due = TimeSpan.Zero;
            }
        }

        var reminder = new LocalReminder(entry);
        reminder.Timer = runtime.TimeProvider.CreateTimer(
            static state =>
            {
                var (self, r) = ((ReminderService, LocalReminder))state!;
                self.Fire(r);
            },
            (this, reminder),
            due,
            entry.Period);
        if (!local.TryAdd((entry.GrainId, entry.Name), reminder))
        {
            reminder.Timer.Dispose();
        }
    }

    private void Fire(LocalReminder reminder)
    {
        if (!owns(reminder.Entry.GrainId))
        {
            Cancel((reminder.Entry.GrainId, reminder.Entry.Name));
            return;
        }

        _ = DeliverAsync(reminder);
    }

    private async Task DeliverAsync(LocalReminder reminder)
    {
        var entry = reminder.Entry;
        try
        {
            if (!GrainTypeRegistry.TryGetInterface(typeof(IRemindable), out var descriptor))
            {
                throw new InvalidOperationException("IRemindable has no generated proxy.");
            }

            var grain = (IRemindable)descriptor.CreateReference(runtime.GrainRuntime, entry.GrainId);
            await grain.ReceiveReminder(entry.Name, new TickStatus(entry.StartAt, entry.Period, runtime.TimeProvider.GetUtcNow())).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            ReminderLog.TickFailed(runtime.Logger, exception, entry.GrainId, entry.Name);
        }
    }

    private void Cancel((GrainId, string) key)
    {
        if (local.TryRemove(key, out var reminder))
        {
            reminder.Timer?.Dispose();
        }
    }

    public async Task<GrainReminder> RegisterOrUpdateReminderAsync(GrainId grainId, string name, TimeSpan dueTime, TimeSpan period, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (period < options.MinimumReminderPeriod)
        {
            throw new ArgumentOutOfRangeException(nameof(period), period,
                $"Reminder periods must be at least {options.MinimumReminderPeriod} (Actors:Cluster:MinimumReminderPeriod); use a grain timer for shorter intervals.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(dueTime, TimeSpan.Zero);
        var entry = new ReminderEntry(grainId, name, runtime.TimeProvider.GetUtcNow() + dueTime, period);
        var etag = await table.UpsertAsync(entry, cancellationToken).ConfigureAwait(false);
        Cancel((grainId, name));
        if (owns(grainId))
        {
            Schedule(entry with { ETag = etag });
        }

        return new GrainReminder(name, entry.StartAt, period);
    }

    public async Task UnregisterReminderAsync(GrainId grainId, string name, CancellationToken cancellationToken = default)
    {
        Cancel((grainId, name));
        var existing = await table.ReadAsync(grainId, name, cancellationToken).ConfigureAwait(false);
        if (existing?.ETag is { } etag)
        {
            await table.RemoveAsync(grainId, name, etag, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<GrainReminder?> GetReminderAsync(GrainId grainId, string name, CancellationToken cancellationToken = default) =>
        await table.ReadAsync(grainId, name, cancellationToken).ConfigureAwait(false) is { } entry ? new GrainReminder(entry.Name, entry.StartAt, entry.Period) : null;

    public async Task<IReadOnlyList<GrainReminder>> GetRemindersAsync(GrainId grainId, CancellationToken cancellationToken = default) =>
        [.. (await table.ReadAsync(grainId, cancellationToken).ConfigureAwait(false)).Select(e => new GrainReminder(e.Name, e.StartAt, e.Period))];

    private int disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        await stopping.CancelAsync();
        if (loop is not null)
        {
            await loop.ConfigureAwait(false);
        }

        foreach (var key in local.Keys)
        {
            Cancel(key);
        }

        stopping.Dispose();
        refreshing.Dispose();
    }

    private sealed class LocalReminder(ReminderEntry entry)
    {
        public ReminderEntry Entry { get; } = entry;

        public ITimer? Timer { get; set; }
    }
}

internal static partial class ReminderLog
{
    [LoggerMessage(1400, LogLevel.Warning, "Reminder {Name} of {GrainId} failed")]
    public static partial void TickFailed(ILogger logger, Exception exception, GrainId grainId, string name);

    [LoggerMessage(1401, LogLevel.Warning, "Reading the reminder table failed")]
    public static partial void RefreshFailed(ILogger logger, Exception exception);
}
