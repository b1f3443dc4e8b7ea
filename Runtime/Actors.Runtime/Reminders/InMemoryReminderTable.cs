using System.Globalization;

namespace Actors.Runtime.Reminders;

/// <summary>
/// The reminder table in process memory, with the same rules as the PostgreSQL table: ETags never
/// repeat (not even after a remove), a remove needs the current ETag, range reads wrap around the
/// ring. One instance is one cluster and may be shared by several silos in one process. Start times
/// are kept in UTC at microsecond precision and periods in whole milliseconds, as PostgreSQL keeps them.
/// </summary>
public sealed class InMemoryReminderTable : IReminderTable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Type, string Key, string Name), ReminderEntry> _rows = new();
    private long _lastETag;

    public Task InitializeAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<ReminderEntry>> ReadRangeAsync(uint begin, uint end, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<ReminderEntry>>(Sorted(_rows.Values.Where(r => InRange(r.GrainHash, begin, end))));
        }
    }

    public Task<IReadOnlyList<ReminderEntry>> ReadAsync(GrainId grainId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<ReminderEntry>>(Sorted(_rows.Values.Where(r => r.GrainId == grainId)));
        }
    }

    public Task<ReminderEntry?> ReadAsync(GrainId grainId, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return Task.FromResult(_rows.GetValueOrDefault(Key(grainId, name)));
        }
    }

    public Task<string> UpsertAsync(ReminderEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentException.ThrowIfNullOrEmpty(entry.GrainId.Type, nameof(entry));
        ArgumentNullException.ThrowIfNull(entry.GrainId.Key, nameof(entry));
        ArgumentException.ThrowIfNullOrEmpty(entry.Name, nameof(entry));
        ArgumentOutOfRangeException.ThrowIfLessThan(entry.Period, TimeSpan.Zero, nameof(entry));
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var etag = (++_lastETag).ToString(CultureInfo.InvariantCulture);
            _rows[Key(entry.GrainId, entry.Name)] = entry with
            {
                StartAt = ToStoredTime(entry.StartAt),
                Period = TimeSpan.FromTicks(entry.Period.Ticks - (entry.Period.Ticks % TimeSpan.TicksPerMillisecond)),
                ETag = etag,
            };
            return Task.FromResult(etag);
        }
    }

    public Task<bool> RemoveAsync(GrainId grainId, string name, string eTag, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(eTag);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var key = Key(grainId, name);
            if (!_rows.TryGetValue(key, out var current) || !SameETag(current.ETag!, eTag))
            {
                return Task.FromResult(false);
            }

            _rows.Remove(key);
            return Task.FromResult(true);
        }
    }

    /// <summary>begin &lt; h ≤ end; when begin ≥ end the range wraps (begin == end is the whole ring).</summary>
    private static bool InRange(uint hash, uint begin, uint end) =>
        begin < end ? hash > begin && hash <= end : hash > begin || hash <= end;

    private static List<ReminderEntry> Sorted(IEnumerable<ReminderEntry> rows) => rows
        .OrderBy(r => r.GrainHash)
        .ThenBy(r => r.GrainId.Type, StringComparer.Ordinal)
        .ThenBy(r => r.GrainId.Key, StringComparer.Ordinal)
        .ThenBy(r => r.Name, StringComparer.Ordinal)
        .ToList();

    private static (string, string, string) Key(GrainId grainId, string name) => (grainId.Type, grainId.Key, name);

    /// <summary>ETags are decimal numbers; like PostgreSQL, compare them as numbers (a non-number never matches).</summary>
    private static bool SameETag(string stored, string expected) =>
        long.TryParse(expected, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
        && long.Parse(stored, NumberStyles.None, CultureInfo.InvariantCulture) == value;

    /// <summary>What a timestamptz column keeps: the instant in UTC, truncated to whole microseconds.</summary>
    private static DateTimeOffset ToStoredTime(DateTimeOffset value)
    {
        var ticks = value.UtcTicks;
        return new DateTimeOffset(ticks - (ticks % TimeSpan.TicksPerMicrosecond), TimeSpan.Zero);
    }
}
