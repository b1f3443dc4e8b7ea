using System.Diagnostics;
using Actors.Runtime.Postgres.Tests.Contracts;
using Actors.Runtime.Reminders;
using Npgsql;

namespace Actors.Runtime.Postgres.Tests;

/// <summary>The reminder contract on <see cref="PostgresReminderTable"/>, plus what is particular to PostgreSQL.</summary>
public sealed class PostgresReminderTableTests : ReminderTableContractTests
{
    protected override async Task<IReminderTable> CreateTableAsync(string clusterId) =>
        new PostgresReminderTable(await TestPostgres.MigratedDataSourceAsync(), clusterId);

    [Fact]
    public async Task The_grain_hash_column_holds_the_unsigned_stable_hash_and_the_period_is_in_milliseconds()
    {
        var dataSource = await TestPostgres.MigratedDataSourceAsync();
        var table = new PostgresReminderTable(dataSource, ClusterId);
        var low = GrainWithHash(h => h < 0x1000_0000);
        var high = GrainWithHash(h => h > 0xF000_0000); // negative as a signed 32-bit number
        await table.UpsertAsync(Reminder(low) with { Period = TimeSpan.FromSeconds(90) }, None);
        await table.UpsertAsync(Reminder(high), None);

        var stored = await MigrationTests.QueryAsync<string>(dataSource,
            $"SELECT grain_key || ' ' || grain_hash || ' ' || period_ms FROM actors_reminders WHERE cluster_id = '{ClusterId}' ORDER BY grain_hash");

        Assert.Equal([$"{low.Key} {StableHash.Of(low)} 90000", $"{high.Key} {StableHash.Of(high)} 60000"], stored);
    }

    [Fact]
    public async Task A_table_that_cannot_reach_the_server_fails_fast_with_an_unreachable_storage_error()
    {
        await using var dataSource = PostgresDataSourceFactory.Create($"Host=127.0.0.1;Port={RegistrationTests.ClosedPort()}");
        var log = new RecordingLogger<PostgresReminderTable>();
        var table = new PostgresReminderTable(dataSource, "down", log);
        var grain = GrainId.Create("test.reminder", "k");
        var stopwatch = Stopwatch.StartNew();

        var rangeError = await Assert.ThrowsAsync<GrainStorageException>(() => table.ReadRangeAsync(1, 2, None));
        var upsertError = await Assert.ThrowsAsync<GrainStorageException>(() => table.UpsertAsync(Reminder(grain), None));
        var removeError = await Assert.ThrowsAsync<GrainStorageException>(() => table.RemoveAsync(grain, "tick", "1", None));

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"took {stopwatch.Elapsed}");
        Assert.StartsWith("Reminder table (PostgreSQL) of cluster 'down' is unreachable: ", rangeError.Message, StringComparison.Ordinal);
        Assert.Contains("(while trying to read the range (1, 2])", rangeError.Message, StringComparison.Ordinal);
        Assert.Contains("reminder 'tick' of test.reminder/k", upsertError.Message, StringComparison.Ordinal);
        Assert.Contains("remove", removeError.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<NpgsqlException>(rangeError.InnerException);
        Assert.Equal(3, log.EventIds.Count(id => id == 1801));
    }
}
