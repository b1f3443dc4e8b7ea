using System.Collections.Immutable;
using Actors.Runtime.Membership;

namespace Actors.Runtime.Postgres.Tests.Contracts;

/// <summary>
/// What every <see cref="IMembershipTable"/> must do, run against each implementation by a subclass.
/// Each test works on a cluster id of its own.
/// </summary>
public abstract class MembershipTableContractTests
{
    protected static readonly CancellationToken None = CancellationToken.None;

    /// <summary>A time with sub-second digits down to the microsecond, which every table keeps exactly.</summary>
    protected static readonly DateTimeOffset T0 = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(1_234_560);

    private int _nextPort = 11000;

    /// <summary>A cluster id no other test uses.</summary>
    protected string ClusterId { get; } = "test-" + Guid.NewGuid().ToString("N");

    /// <summary>
    /// A table object for <paramref name="clusterId"/>, as one silo of that cluster would hold it: two
    /// calls for one cluster id give two silos' views of one shared table.
    /// </summary>
    protected abstract Task<IMembershipTable> CreateTableAsync(string clusterId);

    private async Task<IMembershipTable> InitializedTableAsync(string? clusterId = null)
    {
        var table = await CreateTableAsync(clusterId ?? ClusterId);
        await table.InitializeAsync(None);
        return table;
    }

    protected MembershipEntry NewEntry(SiloStatus status = SiloStatus.Joining, DateTimeOffset? iAmAliveAt = null, string host = "10.0.0.1")
    {
        var port = Interlocked.Increment(ref _nextPort);
        return new MembershipEntry
        {
            Address = new SiloAddress(host, port, 7_000_000_000L + port),
            SiloName = $"silo-{port}",
            Status = status,
            GatewayPort = port + 10000,
            HttpPort = port + 20000,
            StartedAt = T0,
            IAmAliveAt = iAmAliveAt ?? T0.AddSeconds(1),
        };
    }

    protected static void AssertSameEntry(MembershipEntry expected, MembershipEntry actual)
    {
        // Records compare their suspicion lists by reference; compare the votes instead.
        Assert.Equal(expected with { Suspicions = ImmutableList<SuspicionVote>.Empty }, actual with { Suspicions = ImmutableList<SuspicionVote>.Empty });
        Assert.Equal(expected.Suspicions, actual.Suspicions);
    }

    private static VersionedMembershipEntry Row(MembershipSnapshot snapshot, SiloAddress address) =>
        Assert.Single(snapshot.Entries, e => e.Entry.Address == address);

    [Fact]
    public async Task A_cluster_that_was_never_initialized_reads_as_empty_at_version_zero()
    {
        var table = await CreateTableAsync(ClusterId);

        var snapshot = await table.ReadAllAsync(None);

        Assert.Empty(snapshot.Entries);
        Assert.Equal(0, snapshot.Version);
    }

    [Fact]
    public async Task An_initialized_cluster_starts_empty_at_version_zero()
    {
        var table = await InitializedTableAsync();

        var snapshot = await table.ReadAllAsync(None);

        Assert.Empty(snapshot.Entries);
        Assert.Equal(0, snapshot.Version);
    }

    [Fact]
    public async Task Initializing_again_keeps_the_rows_and_the_version()
    {
        var table = await InitializedTableAsync();
        var entry = NewEntry();
        Assert.True(await table.InsertRowAsync(entry, 0, None));

        await table.InitializeAsync(None);
        await (await CreateTableAsync(ClusterId)).InitializeAsync(None);

        var snapshot = await table.ReadAllAsync(None);
        Assert.Equal(1, snapshot.Version);
        AssertSameEntry(entry, Assert.Single(snapshot.Entries).Entry);
    }

    [Fact]
    public async Task Inserting_before_the_cluster_is_initialized_returns_false()
    {
        var table = await CreateTableAsync(ClusterId);

        Assert.False(await table.InsertRowAsync(NewEntry(), 0, None));

        await table.InitializeAsync(None);
        Assert.Empty((await table.ReadAllAsync(None)).Entries);
    }

    [Fact]
    public async Task Inserting_at_the_current_version_adds_the_row_with_every_column_and_bumps_the_version()
    {
        var table = await InitializedTableAsync();
        var entry = NewEntry(SiloStatus.Active);

        var inserted = await table.InsertRowAsync(entry, 0, None);

        Assert.True(inserted);
        var snapshot = await table.ReadAllAsync(None);
        Assert.Equal(1, snapshot.Version);
        var row = Assert.Single(snapshot.Entries);
        AssertSameEntry(entry, row.Entry);
        Assert.False(string.IsNullOrEmpty(row.ETag));
    }

    [Fact]
    public async Task Inserting_with_a_stale_version_returns_false_and_changes_nothing()
    {
        var table = await InitializedTableAsync();
        var first = NewEntry();
        Assert.True(await table.InsertRowAsync(first, 0, None));
        var before = await table.ReadAllAsync(None);

        var staleInsert = await table.InsertRowAsync(NewEntry(), 0, None);
        var futureInsert = await table.InsertRowAsync(NewEntry(), 5, None);

        Assert.False(staleInsert);
        Assert.False(futureInsert);
        var after = await table.ReadAllAsync(None);
        Assert.Equal(1, after.Version);
        Assert.Equal(before.Entries.Select(e => (e.Entry.Address, e.ETag)), after.Entries.Select(e => (e.Entry.Address, e.ETag)));
    }

    [Fact]
    public async Task Inserting_a_silo_that_is_already_in_the_table_returns_false_and_keeps_the_version()
    {
        var table = await InitializedTableAsync();
        var entry = NewEntry();
        Assert.True(await table.InsertRowAsync(entry, 0, None));
        var before = await table.ReadAllAsync(None);

        var again = await table.InsertRowAsync(entry with { SiloName = "impostor" }, 1, None);

        Assert.False(again);
        var after = await table.ReadAllAsync(None);
        Assert.Equal(1, after.Version);
        Assert.Equal(Assert.Single(before.Entries).ETag, Assert.Single(after.Entries).ETag);
        Assert.Equal(entry.SiloName, after.Entries[0].Entry.SiloName);
    }

    [Fact]
    public async Task Of_concurrent_inserts_with_the_same_expected_version_exactly_one_wins()
    {
        const int Silos = 8;
        var tables = new List<IMembershipTable>();
        for (var i = 0; i < Silos; i++)
        {
            tables.Add(await InitializedTableAsync());
        }

        for (var round = 0; round < 5; round++)
        {
            var entries = tables.Select(_ => NewEntry()).ToList();
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var expectedVersion = round;
            var inserts = tables.Select((table, i) => Task.Run(async () =>
            {
                await start.Task;
                return await table.InsertRowAsync(entries[i], expectedVersion, None);
            })).ToList();
            start.SetResult();
            var results = await Task.WhenAll(inserts);

            Assert.Equal(1, results.Count(r => r));
            var snapshot = await tables[0].ReadAllAsync(None);
            Assert.Equal(round + 1, snapshot.Version);
            Assert.Equal(round + 1, snapshot.Entries.Count);
            Assert.Contains(snapshot.Entries, e => e.Entry.Address == entries[Array.IndexOf(results, true)].Address);
        }
    }

    [Fact]
    public async Task Updating_with_the_current_etag_and_version_replaces_the_row_issues_a_new_etag_and_bumps_the_version()
    {
        var table = await InitializedTableAsync();
        var entry = NewEntry();
        Assert.True(await table.InsertRowAsync(entry, 0, None));
        var etag = Assert.Single((await table.ReadAllAsync(None)).Entries).ETag;
        var changed = entry with
        {
            Status = SiloStatus.Active,
            SiloName = "renamed",
            GatewayPort = 0,
            HttpPort = 0,
            StartedAt = T0.AddMinutes(-1),
            IAmAliveAt = T0.AddMinutes(1),
        };

        var updated = await table.UpdateRowAsync(changed, etag, 1, None);

        Assert.True(updated);
        var snapshot = await table.ReadAllAsync(None);
        Assert.Equal(2, snapshot.Version);
        var row = Assert.Single(snapshot.Entries);
        AssertSameEntry(changed, row.Entry);
        Assert.NotEqual(etag, row.ETag);
    }

    [Fact]
    public async Task Updating_with_a_stale_etag_returns_false_and_changes_nothing()
    {
        var table = await InitializedTableAsync();
        var entry = NewEntry();
        Assert.True(await table.InsertRowAsync(entry, 0, None));
        var stale = Row(await table.ReadAllAsync(None), entry.Address).ETag;
        Assert.True(await table.UpdateRowAsync(entry with { Status = SiloStatus.Active }, stale, 1, None));
        var before = await table.ReadAllAsync(None);

        var updated = await table.UpdateRowAsync(entry with { Status = SiloStatus.Dead }, stale, 2, None);
        var garbage = await table.UpdateRowAsync(entry with { Status = SiloStatus.Dead }, "not-an-etag", 2, None);

        Assert.False(updated);
        Assert.False(garbage);
        var after = await table.ReadAllAsync(None);
        Assert.Equal(2, after.Version);
        Assert.Equal(SiloStatus.Active, Row(after, entry.Address).Entry.Status);
        Assert.Equal(Row(before, entry.Address).ETag, Row(after, entry.Address).ETag);
    }

    [Fact]
    public async Task Updating_with_a_stale_version_returns_false_and_changes_nothing()
    {
        var table = await InitializedTableAsync();
        var entry = NewEntry();
        Assert.True(await table.InsertRowAsync(entry, 0, None));
        var etag = Row(await table.ReadAllAsync(None), entry.Address).ETag;
        Assert.True(await table.InsertRowAsync(NewEntry(), 1, None)); // another silo joined: version 2

        var updated = await table.UpdateRowAsync(entry with { Status = SiloStatus.Active }, etag, 1, None);

        Assert.False(updated);
        var after = await table.ReadAllAsync(None);
        Assert.Equal(2, after.Version);
        Assert.Equal(SiloStatus.Joining, Row(after, entry.Address).Entry.Status);
        Assert.Equal(etag, Row(after, entry.Address).ETag);
    }

    [Fact]
    public async Task Updating_a_silo_that_is_not_in_the_table_returns_false_and_keeps_the_version()
    {
        var table = await InitializedTableAsync();
        var entry = NewEntry();
        Assert.True(await table.InsertRowAsync(entry, 0, None));
        var etag = Row(await table.ReadAllAsync(None), entry.Address).ETag;

        var updated = await table.UpdateRowAsync(NewEntry(), etag, 1, None);

        Assert.False(updated);
        var after = await table.ReadAllAsync(None);
        Assert.Equal(1, after.Version);
        Assert.Single(after.Entries);
    }

    [Fact]
    public async Task Of_concurrent_updates_of_one_row_with_the_same_etag_and_version_exactly_one_wins()
    {
        var entry = NewEntry();
        var setup = await InitializedTableAsync();
        Assert.True(await setup.InsertRowAsync(entry, 0, None));
        var etag = Row(await setup.ReadAllAsync(None), entry.Address).ETag;
        var tables = new List<IMembershipTable>();
        for (var i = 0; i < 6; i++)
        {
            tables.Add(await CreateTableAsync(ClusterId));
        }

        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var updates = tables.Select((table, i) => Task.Run(async () =>
        {
            await start.Task;
            return await table.UpdateRowAsync(entry with { SiloName = $"writer-{i}" }, etag, 1, None);
        })).ToList();
        start.SetResult();
        var results = await Task.WhenAll(updates);

        Assert.Equal(1, results.Count(r => r));
        var snapshot = await setup.ReadAllAsync(None);
        Assert.Equal(2, snapshot.Version);
        Assert.Equal($"writer-{Array.IndexOf(results, true)}", Row(snapshot, entry.Address).Entry.SiloName);
    }

    [Fact]
    public async Task Suspicions_round_trip_in_order_with_their_voters_and_times()
    {
        var table = await InitializedTableAsync();
        var entry = NewEntry(SiloStatus.Active);
        Assert.True(await table.InsertRowAsync(entry, 0, None));
        var etag = Row(await table.ReadAllAsync(None), entry.Address).ETag;
        var suspected = entry with
        {
            Suspicions =
            [
                new SuspicionVote(new SiloAddress("10.0.0.9", 11111, 42), T0.AddTicks(1)), // below a microsecond: kept
                new SuspicionVote(new SiloAddress("silo-b.cluster.local", 22222, 43), T0.AddSeconds(-3).ToOffset(TimeSpan.FromHours(2))),
            ],
        };

        Assert.True(await table.UpdateRowAsync(suspected, etag, 1, None));

        var stored = Row(await table.ReadAllAsync(None), entry.Address).Entry;
        AssertSameEntry(suspected, stored);
        Assert.All(stored.Suspicions, vote => Assert.Equal(TimeSpan.Zero, vote.At.Offset));
        Assert.Equal(T0.AddTicks(1).UtcTicks, stored.Suspicions[0].At.UtcTicks);
    }

    [Fact]
    public async Task Clearing_the_suspicions_stores_an_empty_list()
    {
        var table = await InitializedTableAsync();
        var entry = NewEntry() with { Suspicions = [new SuspicionVote(new SiloAddress("10.0.0.9", 1, 1), T0)] };
        Assert.True(await table.InsertRowAsync(entry, 0, None));
        var row = Row(await table.ReadAllAsync(None), entry.Address);
        Assert.Single(row.Entry.Suspicions);

        Assert.True(await table.UpdateRowAsync(entry with { Suspicions = ImmutableList<SuspicionVote>.Empty }, row.ETag, 1, None));

        Assert.Empty(Row(await table.ReadAllAsync(None), entry.Address).Entry.Suspicions);
    }

    [Fact]
    public async Task Heartbeats_write_IAmAlive_without_bumping_the_version_or_the_etag()
    {
        var table = await InitializedTableAsync();
        var entry = NewEntry(SiloStatus.Active);
        var other = NewEntry(SiloStatus.Active);
        Assert.True(await table.InsertRowAsync(entry, 0, None));
        Assert.True(await table.InsertRowAsync(other, 1, None));
        var before = await table.ReadAllAsync(None);

        await table.UpdateIAmAliveAsync(entry.Address, T0.AddMinutes(5), None);
        await table.UpdateIAmAliveAsync(NewEntry().Address, T0.AddMinutes(5), None); // not in the table: nothing happens

        var after = await table.ReadAllAsync(None);
        Assert.Equal(2, after.Version);
        Assert.Equal(2, after.Entries.Count);
        Assert.Equal(T0.AddMinutes(5), Row(after, entry.Address).Entry.IAmAliveAt);
        Assert.Equal(Row(before, entry.Address).ETag, Row(after, entry.Address).ETag);
        AssertSameEntry(Row(before, other.Address).Entry, Row(after, other.Address).Entry);
        // The silo's own ETag is still good for its next status change.
        Assert.True(await table.UpdateRowAsync(
            entry with { Status = SiloStatus.ShuttingDown, IAmAliveAt = T0.AddMinutes(5) }, Row(after, entry.Address).ETag, 2, None));
    }

    [Fact]
    public async Task Cleanup_deletes_only_dead_silos_whose_heartbeat_is_older_than_the_cutoff()
    {
        var table = await InitializedTableAsync();
        var cutoff = T0.AddHours(1);
        var deadLongAgo = NewEntry(SiloStatus.Dead, cutoff.AddTicks(-10)); // a microsecond before the cutoff
        var deadRecently = NewEntry(SiloStatus.Dead, cutoff);
        var activeLongAgo = NewEntry(SiloStatus.Active, cutoff.AddDays(-1));
        var shuttingDownLongAgo = NewEntry(SiloStatus.ShuttingDown, cutoff.AddDays(-1));
        var version = 0L;
        foreach (var entry in new[] { deadLongAgo, deadRecently, activeLongAgo, shuttingDownLongAgo })
        {
            Assert.True(await table.InsertRowAsync(entry, version++, None));
        }

        await table.CleanupDeadAsync(cutoff, None);

        var snapshot = await table.ReadAllAsync(None);
        Assert.Equal(
            new[] { deadRecently.Address, activeLongAgo.Address, shuttingDownLongAgo.Address }.Order(AddressOrder.Instance),
            snapshot.Entries.Select(e => e.Entry.Address).Order(AddressOrder.Instance));
    }

    [Fact]
    public async Task Clusters_with_different_ids_see_neither_each_others_rows_nor_versions()
    {
        var mine = await InitializedTableAsync();
        var theirs = await InitializedTableAsync(ClusterId + "-other");
        var entry = NewEntry(SiloStatus.Dead, T0);
        Assert.True(await mine.InsertRowAsync(entry, 0, None));
        Assert.True(await mine.InsertRowAsync(NewEntry(), 1, None));

        // The same silo address may join the other cluster, which is still at version 0.
        var sameAddress = entry with { SiloName = "other-cluster-silo", Status = SiloStatus.Dead };
        Assert.False(await theirs.InsertRowAsync(sameAddress, 2, None));
        Assert.True(await theirs.InsertRowAsync(sameAddress, 0, None));
        await theirs.UpdateIAmAliveAsync(entry.Address, T0.AddDays(-7), None);
        await theirs.CleanupDeadAsync(T0.AddDays(-1), None);
        await mine.CleanupDeadAsync(T0.AddDays(-10), None);

        var mySnapshot = await mine.ReadAllAsync(None);
        var theirSnapshot = await theirs.ReadAllAsync(None);
        Assert.Equal(2, mySnapshot.Version);
        Assert.Equal(2, mySnapshot.Entries.Count);
        Assert.Equal(entry.SiloName, Row(mySnapshot, entry.Address).Entry.SiloName);
        Assert.Equal(T0, Row(mySnapshot, entry.Address).Entry.IAmAliveAt);
        Assert.Equal(1, theirSnapshot.Version);
        Assert.Empty(theirSnapshot.Entries); // their dead row went; mine stayed
    }

    [Fact]
    public async Task A_silo_that_rejoins_after_its_row_was_deleted_never_gets_an_etag_it_had_before()
    {
        var table = await InitializedTableAsync();
        var entry = NewEntry(SiloStatus.Joining);
        var seen = new HashSet<string>();
        Assert.True(await table.InsertRowAsync(entry, 0, None));
        seen.Add(Row(await table.ReadAllAsync(None), entry.Address).ETag);
        Assert.True(await table.UpdateRowAsync(entry with { Status = SiloStatus.Dead }, seen.Single(), 1, None));
        var deadETag = Row(await table.ReadAllAsync(None), entry.Address).ETag;
        Assert.True(seen.Add(deadETag));
        await table.CleanupDeadAsync(T0.AddDays(1), None);
        Assert.Empty((await table.ReadAllAsync(None)).Entries);

        Assert.True(await table.InsertRowAsync(entry, 2, None));

        var rejoined = Row(await table.ReadAllAsync(None), entry.Address).ETag;
        Assert.True(seen.Add(rejoined), $"ETag {rejoined} was issued before");
        Assert.False(await table.UpdateRowAsync(entry with { Status = SiloStatus.Active }, deadETag, 3, None));
    }

    [Fact]
    public async Task Timestamps_come_back_in_utc_at_microsecond_precision()
    {
        var table = await InitializedTableAsync();
        var local = TimeSpan.FromHours(-5);
        var entry = NewEntry() with
        {
            StartedAt = T0.AddTicks(7).ToOffset(local),
            IAmAliveAt = T0.AddSeconds(1).AddTicks(9).ToOffset(local),
        };

        Assert.True(await table.InsertRowAsync(entry, 0, None));
        await table.UpdateIAmAliveAsync(entry.Address, T0.AddSeconds(2).AddTicks(3).ToOffset(local), None);

        var stored = Row(await table.ReadAllAsync(None), entry.Address).Entry;
        Assert.Equal(T0.UtcTicks, stored.StartedAt.UtcTicks);
        Assert.Equal(T0.AddSeconds(2).UtcTicks, stored.IAmAliveAt.UtcTicks);
        Assert.Equal(TimeSpan.Zero, stored.StartedAt.Offset);
        Assert.Equal(TimeSpan.Zero, stored.IAmAliveAt.Offset);
    }

    [Fact]
    public async Task A_second_silo_of_the_cluster_reads_what_the_first_wrote()
    {
        var first = await InitializedTableAsync();
        var second = await InitializedTableAsync();
        var entry = NewEntry(SiloStatus.Active);

        Assert.True(await first.InsertRowAsync(entry, 0, None));
        var seen = await second.ReadAllAsync(None);

        Assert.Equal(1, seen.Version);
        Assert.True(await second.UpdateRowAsync(entry with { Status = SiloStatus.Dead }, Row(seen, entry.Address).ETag, 1, None));
        Assert.Equal(SiloStatus.Dead, Row(await first.ReadAllAsync(None), entry.Address).Entry.Status);
    }

    private sealed class AddressOrder : IComparer<SiloAddress>
    {
        public static AddressOrder Instance { get; } = new();

        public int Compare(SiloAddress? x, SiloAddress? y) => string.CompareOrdinal(x?.ToString(), y?.ToString());
    }
}
