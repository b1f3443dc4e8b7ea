using System.Collections.Immutable;
using System.Globalization;

namespace Actors.Runtime.Membership;

/// <summary>Where a silo listens for silo-to-silo traffic, plus its start generation (a restart is a new silo).</summary>
public sealed record SiloAddress(string Host, int Port, long Generation)
{
    /// <summary>"host:port@generation", the form stored in tables and sent on the wire.</summary>
    public override string ToString() => $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}@{Generation.ToString(CultureInfo.InvariantCulture)}";

    public static SiloAddress Parse(string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        var at = text.LastIndexOf('@');
        var colon = at < 0 ? -1 : text.LastIndexOf(':', at);
        if (at < 0 || colon < 0
            || !int.TryParse(text.AsSpan(colon + 1, at - colon - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || !long.TryParse(text.AsSpan(at + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var generation))
        {
            throw new FormatException($"'{text}' is not a silo address (host:port@generation).");
        }

        return new SiloAddress(text[..colon], port, generation);
    }
}

/// <summary>A silo's place in the membership protocol.</summary>
public enum SiloStatus
{
    None = 0,
    Joining = 1,
    Active = 2,
    ShuttingDown = 3,
    Dead = 4,
}

/// <summary>One silo's vote that another silo looks dead.</summary>
public sealed record SuspicionVote(SiloAddress By, DateTimeOffset At);

/// <summary>One row of the membership table.</summary>
public sealed record MembershipEntry
{
    public required SiloAddress Address { get; init; }

    public required string SiloName { get; init; }

    public required SiloStatus Status { get; init; }

    /// <summary>Port clients connect to (0: this silo is not a gateway).</summary>
    public int GatewayPort { get; init; }

    /// <summary>Port of the silo's small HTTP endpoint (health, metrics); 0 when none.</summary>
    public int HttpPort { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>Last heartbeat written by the silo itself.</summary>
    public required DateTimeOffset IAmAliveAt { get; init; }

    public ImmutableList<SuspicionVote> Suspicions { get; init; } = [];
}

/// <summary>An entry with the row's ETag, for compare-and-swap updates.</summary>
public sealed record VersionedMembershipEntry(MembershipEntry Entry, string ETag);

/// <summary>The whole table at one table version.</summary>
public sealed record MembershipSnapshot(IReadOnlyList<VersionedMembershipEntry> Entries, long Version)
{
    public static MembershipSnapshot Empty { get; } = new([], 0);
}

/// <summary>
/// Storage of the membership protocol. Every change of membership (insert, status change,
/// suspicion) is a compare-and-swap on the table version plus the row's ETag, so concurrent
/// writers never silently overwrite each other; heartbeats do not bump the version.
/// </summary>
public interface IMembershipTable
{
    /// <summary>Creates the cluster's version row if missing.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    Task<MembershipSnapshot> ReadAllAsync(CancellationToken cancellationToken);

    /// <summary>Inserts a new row if the table version is still <paramref name="expectedVersion"/> (then bumps it) and the row does not exist. False on conflict.</summary>
    Task<bool> InsertRowAsync(MembershipEntry entry, long expectedVersion, CancellationToken cancellationToken);

    /// <summary>Replaces a row if its ETag and the table version match (then bumps the version). False on conflict.</summary>
    Task<bool> UpdateRowAsync(MembershipEntry entry, string expectedETag, long expectedVersion, CancellationToken cancellationToken);

    /// <summary>Writes the heartbeat column only; no version change, no ETag check.</summary>
    Task UpdateIAmAliveAsync(SiloAddress silo, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Deletes rows of dead silos whose heartbeat is older than <paramref name="olderThan"/>.</summary>
    Task CleanupDeadAsync(DateTimeOffset olderThan, CancellationToken cancellationToken);
}
