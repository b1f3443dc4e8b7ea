namespace Actors;

/// <summary>Implemented by grains that register durable reminders; the runtime calls it on every tick.</summary>
public interface IRemindable : IGrain
{
    Task ReceiveReminder(string reminderName, TickStatus status);
}

/// <summary>When the tick was due and when it actually fired.</summary>
public readonly record struct TickStatus(DateTimeOffset FirstTickTime, TimeSpan Period, DateTimeOffset CurrentTickTime);

/// <summary>A registered reminder, as returned to the grain.</summary>
public sealed record GrainReminder(string Name, DateTimeOffset StartAt, TimeSpan Period);

/// <summary>
/// Durable reminders of the calling grain (resolved from the grain's services). Reminders live in
/// the reminder table and fire on whichever silo owns the grain, also after restarts and failover.
/// </summary>
public interface IReminderRegistry
{
    Task<GrainReminder> RegisterOrUpdateReminderAsync(GrainId grainId, string name, TimeSpan dueTime, TimeSpan period, CancellationToken cancellationToken = default);

    Task UnregisterReminderAsync(GrainId grainId, string name, CancellationToken cancellationToken = default);

    Task<GrainReminder?> GetReminderAsync(GrainId grainId, string name, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<GrainReminder>> GetRemindersAsync(GrainId grainId, CancellationToken cancellationToken = default);
}
