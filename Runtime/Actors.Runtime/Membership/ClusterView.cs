using System.Collections.Immutable;

namespace Actors.Runtime.Membership;

/// <summary>
/// An immutable picture of the cluster at one membership version: who is alive and the consistent
/// hash ring that places grains on active silos.
/// </summary>
internal sealed class ClusterView
{
    private readonly uint[] ringHashes;
    private readonly SiloAddress[] ringOwners;

    public ClusterView(long version, IReadOnlyList<MembershipEntry> entries, int virtualNodes)
    {
        Version = version;
        Entries = [.. entries];
        Active = [.. entries.Where(e => e.Status == SiloStatus.Active).Select(e => e.Address).OrderBy(a => a.ToString(), StringComparer.Ordinal)];
        var points = new List<(uint Hash, SiloAddress Owner)>(Active.Length * virtualNodes);
        foreach (var silo in Active)
        {
            var name = silo.ToString();
            for (var i = 0; i < virtualNodes; i++)
            {
                points.Add((StableHash.Of(name, i.ToString(System.Globalization.CultureInfo.InvariantCulture)), silo));
            }
        }

        points.Sort(static (a, b) => a.Hash != b.Hash ? a.Hash.CompareTo(b.Hash) : string.CompareOrdinal(a.Owner.ToString(), b.Owner.ToString()));
        ringHashes = [.. points.Select(p => p.Hash)];
        ringOwners = [.. points.Select(p => p.Owner)];
    }

    public static ClusterView Empty { get; } = new(0, [], 1);

    public long Version { get; }

    public ImmutableArray<MembershipEntry> Entries { get; }

    /// <summary>Silos that take new activations, in a stable order.</summary>
    public ImmutableArray<SiloAddress> Active { get; }

    public MembershipEntry? Find(SiloAddress address) => Entries.FirstOrDefault(e => e.Address == address);

    public SiloStatus StatusOf(SiloAddress address) => Find(address)?.Status ?? SiloStatus.None;

    /// <summary>The active silo that owns a grain: the first ring point at or after the grain's hash.</summary>
    public SiloAddress? OwnerOf(GrainId grainId)
    {
        if (ringHashes.Length == 0)
        {
            return null;
        }

        var hash = StableHash.Of(grainId);
        var index = Array.BinarySearch(ringHashes, hash);
        if (index < 0)
        {
            index = ~index;
        }

        return ringOwners[index == ringHashes.Length ? 0 : index];
    }

    /// <summary>The hash ranges (begin exclusive, end inclusive) owned by a silo, for reminder reads.</summary>
    public IEnumerable<(uint Begin, uint End)> RangesOf(SiloAddress silo)
    {
        for (var i = 0; i < ringOwners.Length; i++)
        {
            if (ringOwners[i] == silo)
            {
                var previous = ringHashes[i == 0 ? ringHashes.Length - 1 : i - 1];
                yield return (previous, ringHashes[i]);
            }
        }
    }
}
