namespace Actors.Runtime.Reminders;

/// <summary>A durable reminder: fires at <see cref="StartAt"/> and then every <see cref="Period"/>.</summary>
public sealed record ReminderEntry(GrainId GrainId, string Name, DateTimeOffset StartAt, TimeSpan Period)
{
    /// <summary>Row version; null for an entry not read from storage.</summary>
    public string? ETag { get; init; }

    /// <summary>The grain's stable hash, for range reads by owner.</summary>
    public uint GrainHash => StableHash.Of(GrainId);
}

/// <summary>Storage of durable reminders for one cluster.</summary>
public interface IReminderTable
{
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Reminders whose grain hash h satisfies <paramref name="begin"/> &lt; h ≤ <paramref name="end"/>; when begin ≥ end the range wraps around.</summary>
    Task<IReadOnlyList<ReminderEntry>> ReadRangeAsync(uint begin, uint end, CancellationToken cancellationToken);

    Task<IReadOnlyList<ReminderEntry>> ReadAsync(GrainId grainId, CancellationToken cancellationToken);

    Task<ReminderEntry?> ReadAsync(GrainId grainId, string name, CancellationToken cancellationToken);

    /// <summary>Inserts or replaces; returns the new ETag.</summary>
    Task<string> UpsertAsync(ReminderEntry entry, CancellationToken cancellationToken);

    /// <summary>Deletes if the ETag matches; false otherwise (or when missing).</summary>
    Task<bool> RemoveAsync(GrainId grainId, string name, string eTag, CancellationToken cancellationToken);
}
