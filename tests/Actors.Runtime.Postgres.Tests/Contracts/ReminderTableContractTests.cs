using Actors.Runtime.Reminders;

namespace Actors.Runtime.Postgres.Tests.Contracts;

/// <summary>
/// What every <see cref="IReminderTable"/> must do, run against each implementation by a subclass.
/// Each test works on a cluster id of its own.
/// </summary>
public abstract class ReminderTableContractTests
{
    protected static readonly CancellationToken None = CancellationToken.None;

    /// <summary>A time with sub-second digits down to the microsecond, which every table keeps exactly.</summary>
    protected static readonly DateTimeOffset T0 = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(1_234_560);

    private const string GrainType = "test.reminder";

    /// <summary>A cluster id no other test uses.</summary>
    protected string ClusterId { get; } = "test-" + Guid.NewGuid().ToString("N");

    /// <summary>A table object for <paramref name="clusterId"/>; two calls for one id share the cluster's reminders.</summary>
    protected abstract Task<IReminderTable> CreateTableAsync(string clusterId);

    private async Task<IReminderTable> InitializedTableAsync(string? clusterId = null)
    {
        var table = await CreateTableAsync(clusterId ?? ClusterId);
        await table.InitializeAsync(None);
        return table;
    }

    /// <summary>The first grain (keys k0, k1, …) whose stable hash satisfies <paramref name="wanted"/>.</summary>
    protected static GrainId GrainWithHash(Func<uint, bool> wanted)
    {
        for (var i = 0; ; i++)
        {
            var grain = GrainId.Create(GrainType, "k" + i);
            if (wanted(StableHash.Of(grain)))
            {
                return grain;
            }
        }
    }

    protected static ReminderEntry Reminder(GrainId grain, string name = "tick") =>
        new(grain, name, T0, TimeSpan.FromMinutes(1));

    private static List<(GrainId, string)> Keys(IEnumerable<ReminderEntry> entries) =>
        entries.Select(e => (e.GrainId, e.Name)).OrderBy(k => k.GrainId.Key, StringComparer.Ordinal).ThenBy(k => k.Name, StringComparer.Ordinal).ToList();

    private static List<(GrainId, string)> Keys(params ReminderEntry[] entries) => Keys(entries.AsEnumerable());

    [Fact]
    public async Task A_reminder_that_was_never_written_reads_as_null_and_its_grain_as_empty()
    {
        var table = await InitializedTableAsync();
        var grain = GrainId.Create(GrainType, Guid.NewGuid());

        Assert.Null(await table.ReadAsync(grain, "tick", None));
        Assert.Empty(await table.ReadAsync(grain, None));
        Assert.Empty(await table.ReadRangeAsync(0, 0, None));
    }

    [Fact]
    public async Task An_upserted_reminder_reads_back_with_the_etag_the_upsert_returned()
    {
        var table = await InitializedTableAsync();
        var entry = Reminder(GrainId.Create(GrainType, Guid.NewGuid())) with { Period = TimeSpan.FromHours(36) };

        var etag = await table.UpsertAsync(entry, None);

        Assert.False(string.IsNullOrEmpty(etag));
        Assert.Equal(entry with { ETag = etag }, await table.ReadAsync(entry.GrainId, entry.Name, None));
        Assert.Equal(new[] { entry with { ETag = etag } }, await table.ReadAsync(entry.GrainId, None));
    }

    [Fact]
    public async Task Upserting_again_replaces_the_reminder_and_issues_a_new_etag()
    {
        var table = await InitializedTableAsync();
        var entry = Reminder(GrainId.Create(GrainType, Guid.NewGuid()));
        var first = await table.UpsertAsync(entry, None);
        var changed = entry with { StartAt = T0.AddHours(1), Period = TimeSpan.FromSeconds(90), ETag = first };

        var second = await table.UpsertAsync(changed, None);

        Assert.NotEqual(first, second);
        Assert.Equal(changed with { ETag = second }, await table.ReadAsync(entry.GrainId, entry.Name, None));
        Assert.Single(await table.ReadAsync(entry.GrainId, None));
    }

    [Fact]
    public async Task Removing_with_a_stale_etag_returns_false_and_keeps_the_reminder()
    {
        var table = await InitializedTableAsync();
        var entry = Reminder(GrainId.Create(GrainType, Guid.NewGuid()));
        var stale = await table.UpsertAsync(entry, None);
        var current = await table.UpsertAsync(entry with { Period = TimeSpan.FromMinutes(2) }, None);

        Assert.False(await table.RemoveAsync(entry.GrainId, entry.Name, stale, None));
        Assert.False(await table.RemoveAsync(entry.GrainId, entry.Name, "not-an-etag", None));

        var stored = await table.ReadAsync(entry.GrainId, entry.Name, None);
        Assert.Equal(current, stored?.ETag);
        Assert.Equal(TimeSpan.FromMinutes(2), stored?.Period);
    }

    [Fact]
    public async Task Removing_with_the_current_etag_deletes_the_reminder_and_a_second_remove_returns_false()
    {
        var table = await InitializedTableAsync();
        var entry = Reminder(GrainId.Create(GrainType, Guid.NewGuid()));
        var other = Reminder(entry.GrainId, "other");
        var etag = await table.UpsertAsync(entry, None);
        await table.UpsertAsync(other, None);

        Assert.True(await table.RemoveAsync(entry.GrainId, entry.Name, etag, None));
        Assert.False(await table.RemoveAsync(entry.GrainId, entry.Name, etag, None));

        Assert.Null(await table.ReadAsync(entry.GrainId, entry.Name, None));
        Assert.Equal(Keys(other), Keys(await table.ReadAsync(entry.GrainId, None)));
    }

    [Fact]
    public async Task A_reminder_written_again_after_a_remove_never_gets_an_etag_it_had_before()
    {
        var table = await InitializedTableAsync();
        var entry = Reminder(GrainId.Create(GrainType, Guid.NewGuid()));
        var first = await table.UpsertAsync(entry, None);
        Assert.True(await table.RemoveAsync(entry.GrainId, entry.Name, first, None));

        var second = await table.UpsertAsync(entry, None);

        Assert.NotEqual(first, second);
        Assert.False(await table.RemoveAsync(entry.GrainId, entry.Name, first, None));
        Assert.Equal(second, (await table.ReadAsync(entry.GrainId, entry.Name, None))?.ETag);
    }

    [Fact]
    public async Task Of_concurrent_removes_with_the_same_etag_exactly_one_succeeds()
    {
        var entry = Reminder(GrainId.Create(GrainType, Guid.NewGuid()));
        var setup = await InitializedTableAsync();
        var etag = await setup.UpsertAsync(entry, None);
        var tables = new List<IReminderTable>();
        for (var i = 0; i < 6; i++)
        {
            tables.Add(await CreateTableAsync(ClusterId));
        }

        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var removes = tables.Select(table => Task.Run(async () =>
        {
            await start.Task;
            return await table.RemoveAsync(entry.GrainId, entry.Name, etag, None);
        })).ToList();
        start.SetResult();
        var results = await Task.WhenAll(removes);

        Assert.Equal(1, results.Count(r => r));
        Assert.Null(await setup.ReadAsync(entry.GrainId, entry.Name, None));
    }

    [Fact]
    public async Task Concurrent_upserts_of_one_reminder_each_get_a_distinct_etag_and_the_last_one_stays()
    {
        var entry = Reminder(GrainId.Create(GrainType, Guid.NewGuid()));
        var table = await InitializedTableAsync();

        var etags = await Task.WhenAll(Enumerable.Range(1, 8).Select(i =>
            Task.Run(() => table.UpsertAsync(entry with { Period = TimeSpan.FromSeconds(i) }, None))));

        Assert.Equal(etags.Length, etags.Distinct().Count());
        var stored = await table.ReadAsync(entry.GrainId, entry.Name, None);
        Assert.Contains(stored?.ETag, etags);
    }

    [Fact]
    public async Task Reading_by_grain_returns_every_reminder_of_that_grain_and_no_other()
    {
        var table = await InitializedTableAsync();
        var key = Guid.NewGuid().ToString("N");
        var grain = GrainId.Create(GrainType, key);
        var mine = new[] { Reminder(grain, "a"), Reminder(grain, "b") };
        var otherKey = Reminder(GrainId.Create(GrainType, key + "x"), "a");
        var otherType = Reminder(GrainId.Create(GrainType + "x", key), "a");
        foreach (var entry in mine.Append(otherKey).Append(otherType))
        {
            await table.UpsertAsync(entry, None);
        }

        Assert.Equal(Keys(mine), Keys(await table.ReadAsync(grain, None)));
        Assert.Null(await table.ReadAsync(grain, "c", None));
    }

    [Fact]
    public async Task ReadRange_with_begin_below_end_returns_the_hashes_above_begin_up_to_and_including_end()
    {
        var (low, middle, high) = await ThreeGrainsAsync();
        var table = await CreateTableAsync(ClusterId);

        Assert.Equal(Keys(middle, high), Keys(await table.ReadRangeAsync(low.GrainHash, high.GrainHash, None)));
        Assert.Equal(Keys(low), Keys(await table.ReadRangeAsync(low.GrainHash - 1, low.GrainHash, None)));
        Assert.Empty(await table.ReadRangeAsync(low.GrainHash, middle.GrainHash - 1, None));
        Assert.Equal(Keys(middle), Keys(await table.ReadRangeAsync(low.GrainHash, middle.GrainHash, None)));
        Assert.Equal(Keys(low, middle, high), Keys(await table.ReadRangeAsync(0, uint.MaxValue, None)));
    }

    [Fact]
    public async Task ReadRange_with_begin_above_end_wraps_around_the_ring()
    {
        var (low, middle, high) = await ThreeGrainsAsync();
        var table = await CreateTableAsync(ClusterId);

        Assert.Equal(Keys(low), Keys(await table.ReadRangeAsync(high.GrainHash, low.GrainHash, None)));
        Assert.Equal(Keys(low, high), Keys(await table.ReadRangeAsync(middle.GrainHash, low.GrainHash, None)));
        Assert.Equal(Keys(low, middle, high), Keys(await table.ReadRangeAsync(high.GrainHash - 1, middle.GrainHash, None)));
        Assert.Empty(await table.ReadRangeAsync(high.GrainHash, low.GrainHash - 1, None));
    }

    [Fact]
    public async Task ReadRange_with_begin_equal_to_end_returns_the_whole_ring()
    {
        var (low, middle, high) = await ThreeGrainsAsync();
        var table = await CreateTableAsync(ClusterId);
        var all = Keys(low, middle, high);

        Assert.Equal(all, Keys(await table.ReadRangeAsync(0, 0, None)));
        Assert.Equal(all, Keys(await table.ReadRangeAsync(middle.GrainHash, middle.GrainHash, None)));
        Assert.Equal(all, Keys(await table.ReadRangeAsync(uint.MaxValue, uint.MaxValue, None)));
    }

    [Fact]
    public async Task Every_reminder_of_a_grain_is_placed_at_the_grains_stable_hash()
    {
        var table = await InitializedTableAsync();
        var grains = new[]
        {
            GrainWithHash(h => h < 0x1000_0000),
            GrainWithHash(h => h is > 0x7FFF_FFFF and < 0x9000_0000), // just above int.MaxValue
            GrainWithHash(h => h > 0xF000_0000),
            GrainId.Create(GrainType, Guid.NewGuid()),
        };
        foreach (var grain in grains)
        {
            await table.UpsertAsync(Reminder(grain, "a"), None);
            await table.UpsertAsync(Reminder(grain, "b"), None);
        }

        foreach (var grain in grains)
        {
            var hash = StableHash.Of(grain);
            var at = await table.ReadRangeAsync(unchecked(hash - 1), hash, None);
            var after = await table.ReadRangeAsync(hash, unchecked(hash + 1), None);

            Assert.Equal(new[] { (grain, "a"), (grain, "b") }, Keys(at));
            Assert.All(at, e => Assert.Equal(hash, e.GrainHash));
            Assert.DoesNotContain(after, e => e.GrainId == grain);
        }
    }

    [Fact]
    public async Task Clusters_with_different_ids_do_not_see_each_others_reminders()
    {
        var mine = await InitializedTableAsync();
        var theirs = await InitializedTableAsync(ClusterId + "-other");
        var entry = Reminder(GrainId.Create(GrainType, Guid.NewGuid()));
        var myETag = await mine.UpsertAsync(entry, None);

        Assert.Null(await theirs.ReadAsync(entry.GrainId, entry.Name, None));
        Assert.Empty(await theirs.ReadAsync(entry.GrainId, None));
        Assert.Empty(await theirs.ReadRangeAsync(0, 0, None));
        Assert.False(await theirs.RemoveAsync(entry.GrainId, entry.Name, myETag, None));

        var theirETag = await theirs.UpsertAsync(entry with { Period = TimeSpan.FromDays(1) }, None);
        Assert.True(await theirs.RemoveAsync(entry.GrainId, entry.Name, theirETag, None));
        Assert.Equal(entry with { ETag = myETag }, await mine.ReadAsync(entry.GrainId, entry.Name, None));
    }

    [Fact]
    public async Task Start_times_come_back_in_utc_at_microsecond_precision_and_periods_in_whole_milliseconds()
    {
        var table = await InitializedTableAsync();
        var entry = new ReminderEntry(
            GrainId.Create(GrainType, Guid.NewGuid()),
            "precise",
            T0.AddTicks(7).ToOffset(TimeSpan.FromHours(9)),
            TimeSpan.FromTicks((1500 * TimeSpan.TicksPerMillisecond) + 9999));

        await table.UpsertAsync(entry, None);

        var stored = await table.ReadAsync(entry.GrainId, entry.Name, None);
        Assert.NotNull(stored);
        Assert.Equal(T0.UtcTicks, stored.StartAt.UtcTicks);
        Assert.Equal(TimeSpan.Zero, stored.StartAt.Offset);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), stored.Period);
    }

    [Fact]
    public async Task A_negative_period_is_refused_and_nothing_is_stored()
    {
        var table = await InitializedTableAsync();
        var entry = Reminder(GrainId.Create(GrainType, Guid.NewGuid())) with { Period = TimeSpan.FromSeconds(-1) };

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => table.UpsertAsync(entry, None));

        Assert.Null(await table.ReadAsync(entry.GrainId, entry.Name, None));
    }

    /// <summary>
    /// Writes one reminder for each of three grains, low (hash below 2^30), middle and high (hash
    /// above 2^31, where a signed 32-bit column would go negative), into this test's cluster.
    /// </summary>
    private async Task<(ReminderEntry Low, ReminderEntry Middle, ReminderEntry High)> ThreeGrainsAsync()
    {
        var table = await InitializedTableAsync();
        var low = Reminder(GrainWithHash(h => h is > 1 and < 0x4000_0000));
        var middle = Reminder(GrainWithHash(h => h is >= 0x4000_0000 and < 0x8000_0000));
        var high = Reminder(GrainWithHash(h => h is >= 0xC000_0000 and < uint.MaxValue));
        foreach (var entry in new[] { low, middle, high })
        {
            await table.UpsertAsync(entry, None);
        }

        return (low, middle, high);
    }
}
