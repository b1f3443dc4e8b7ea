using System.Collections.Immutable;
using System.Globalization;

namespace Actors.Runtime.Membership;

/// <summary>
/// The membership table in process memory, with the same rules as the PostgreSQL table: every
/// insert and update is a compare-and-swap on the table version (which it then bumps) plus, for an
/// update, the row's ETag; ETags never repeat; heartbeats change neither. One instance is one
/// cluster and may be shared by several silos in one process (a test cluster). Timestamps are kept
/// in UTC at microsecond precision, as PostgreSQL keeps them.
/// </summary>
public sealed class InMemoryMembershipTable : IMembershipTable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, VersionedMembershipEntry> _rows = new(StringComparer.Ordinal);
    private bool _initialized;
    private long _version;
    private long _lastETag;

    public Task InitializeAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            _initialized = true;
        }

        return Task.CompletedTask;
    }

    public Task<MembershipSnapshot> ReadAllAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_initialized)
            {
                return Task.FromResult(MembershipSnapshot.Empty);
            }

            var entries = _rows.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => r.Value).ToList();
            return Task.FromResult(new MembershipSnapshot(entries, _version));
        }
    }

    public Task<bool> InsertRowAsync(MembershipEntry entry, long expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(entry.Address);
        cancellationToken.ThrowIfCancellationRequested();
        var stored = Normalize(entry);
        var key = entry.Address.ToString();
        lock (_lock)
        {
            if (!_initialized || _version != expectedVersion || _rows.ContainsKey(key))
            {
                return Task.FromResult(false);
            }

            _rows.Add(key, new VersionedMembershipEntry(stored, NextETag()));
            _version++;
            return Task.FromResult(true);
        }
    }

    public Task<bool> UpdateRowAsync(MembershipEntry entry, string expectedETag, long expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(entry.Address);
        ArgumentNullException.ThrowIfNull(expectedETag);
        cancellationToken.ThrowIfCancellationRequested();
        var stored = Normalize(entry);
        var key = entry.Address.ToString();
        lock (_lock)
        {
            if (!_initialized
                || _version != expectedVersion
                || !_rows.TryGetValue(key, out var current)
                || !SameETag(current.ETag, expectedETag))
            {
                return Task.FromResult(false);
            }

            _rows[key] = new VersionedMembershipEntry(stored, NextETag());
            _version++;
            return Task.FromResult(true);
        }
    }

    public Task UpdateIAmAliveAsync(SiloAddress silo, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(silo);
        cancellationToken.ThrowIfCancellationRequested();
        var key = silo.ToString();
        lock (_lock)
        {
            if (_rows.TryGetValue(key, out var current))
            {
                _rows[key] = current with { Entry = current.Entry with { IAmAliveAt = ToStoredTime(at) } };
            }
        }

        return Task.CompletedTask;
    }

    public Task CleanupDeadAsync(DateTimeOffset olderThan, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var cutoff = ToStoredTime(olderThan);
        lock (_lock)
        {
            foreach (var (key, row) in _rows.ToList())
            {
                if (row.Entry.Status == SiloStatus.Dead && row.Entry.IAmAliveAt < cutoff)
                {
                    _rows.Remove(key);
                }
            }
        }

        return Task.CompletedTask;
    }

    private string NextETag() => (++_lastETag).ToString(CultureInfo.InvariantCulture);

    /// <summary>ETags are decimal numbers; like PostgreSQL, compare them as numbers (a non-number never matches).</summary>
    private static bool SameETag(string stored, string expected) =>
        long.TryParse(expected, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
        && long.Parse(stored, NumberStyles.None, CultureInfo.InvariantCulture) == value;

    private static MembershipEntry Normalize(MembershipEntry entry) => entry with
    {
        SiloName = entry.SiloName ?? string.Empty,
        StartedAt = ToStoredTime(entry.StartedAt),
        IAmAliveAt = ToStoredTime(entry.IAmAliveAt),
        // Suspicions are kept as JSON text in PostgreSQL: full precision, in UTC.
        Suspicions = (entry.Suspicions ?? []).Select(v => v with { At = v.At.ToUniversalTime() }).ToImmutableList(),
    };

    /// <summary>What a timestamptz column keeps: the instant in UTC, truncated to whole microseconds.</summary>
    private static DateTimeOffset ToStoredTime(DateTimeOffset value)
    {
        var ticks = value.UtcTicks;
        return new DateTimeOffset(ticks - (ticks % TimeSpan.TicksPerMicrosecond), TimeSpan.Zero);
    }
}
