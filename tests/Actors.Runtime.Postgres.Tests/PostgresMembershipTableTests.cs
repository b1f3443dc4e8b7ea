using System.Diagnostics;
using Actors.Runtime.Membership;
using Actors.Runtime.Postgres.Tests.Contracts;
using Npgsql;

namespace Actors.Runtime.Postgres.Tests;

/// <summary>The membership contract on <see cref="PostgresMembershipTable"/>, plus what is particular to PostgreSQL.</summary>
public sealed class PostgresMembershipTableTests : MembershipTableContractTests
{
    protected override async Task<IMembershipTable> CreateTableAsync(string clusterId) =>
        new PostgresMembershipTable(await TestPostgres.MigratedDataSourceAsync(), clusterId);

    [Fact]
    public async Task Rows_keep_the_address_in_text_and_columns_and_suspicions_as_a_jsonb_array_of_voter_and_time()
    {
        var dataSource = await TestPostgres.MigratedDataSourceAsync();
        var table = new PostgresMembershipTable(dataSource, ClusterId);
        await table.InitializeAsync(None);
        var voter = new SiloAddress("10.0.0.9", 11111, 42);
        var entry = NewEntry(SiloStatus.Active) with { Suspicions = [new SuspicionVote(voter, T0)] };
        Assert.True(await table.InsertRowAsync(entry, 0, None));

        await using var command = dataSource.CreateCommand(
            "SELECT silo_address || ' ' || host || ' ' || port || ' ' || generation || ' ' || status || ' ' || " +
            "jsonb_typeof(suspicions) || ' ' || jsonb_array_length(suspicions) || ' ' || (suspicions->0->>'by') || ' ' || " +
            "((suspicions->0->>'at')::timestamptz = $2) || ' ' || (SELECT string_agg(k, ',' ORDER BY k) FROM jsonb_object_keys(suspicions->0) k) " +
            "FROM actors_membership WHERE cluster_id = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = ClusterId });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = T0 });
        var row = (string?)await command.ExecuteScalarAsync();

        var a = entry.Address;
        Assert.Equal($"{a} {a.Host} {a.Port} {a.Generation} 2 array 1 {voter} true at,by", row);
    }

    [Fact]
    public async Task Only_membership_changes_count_in_the_version_row()
    {
        var dataSource = await TestPostgres.MigratedDataSourceAsync();
        var table = new PostgresMembershipTable(dataSource, ClusterId);
        await table.InitializeAsync(None);
        var entry = NewEntry();

        Assert.True(await table.InsertRowAsync(entry, 0, None));
        Assert.False(await table.InsertRowAsync(NewEntry(), 0, None));
        await table.UpdateIAmAliveAsync(entry.Address, T0.AddHours(1), None);
        await table.CleanupDeadAsync(T0.AddYears(1), None);

        Assert.Equal([1L], await MigrationTests.QueryAsync<long>(dataSource,
            $"SELECT version FROM actors_membership_version WHERE cluster_id = '{ClusterId}'"));
    }

    [Fact]
    public async Task A_table_that_cannot_reach_the_server_fails_fast_with_an_unreachable_storage_error()
    {
        await using var dataSource = PostgresDataSourceFactory.Create($"Host=127.0.0.1;Port={RegistrationTests.ClosedPort()}");
        var log = new RecordingLogger<PostgresMembershipTable>();
        var table = new PostgresMembershipTable(dataSource, "down", log);
        var stopwatch = Stopwatch.StartNew();

        var readError = await Assert.ThrowsAsync<GrainStorageException>(() => table.ReadAllAsync(None));
        var insertError = await Assert.ThrowsAsync<GrainStorageException>(() => table.InsertRowAsync(NewEntry(), 0, None));
        var heartbeatError = await Assert.ThrowsAsync<GrainStorageException>(
            () => table.UpdateIAmAliveAsync(NewEntry().Address, T0, None));

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"took {stopwatch.Elapsed}");
        Assert.StartsWith("Membership table (PostgreSQL) of cluster 'down' is unreachable: ", readError.Message, StringComparison.Ordinal);
        Assert.Contains("(while trying to read the table)", readError.Message, StringComparison.Ordinal);
        Assert.Contains("insert silo 10.0.0.1:", insertError.Message, StringComparison.Ordinal);
        Assert.Contains("heartbeat", heartbeatError.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<NpgsqlException>(readError.InnerException);
        Assert.Equal(3, log.EventIds.Count(id => id == 1701));
    }

    [Fact]
    public async Task A_database_without_the_schema_fails_with_a_storage_error_that_is_not_called_unreachable()
    {
        await using var database = await TestPostgres.CreateDatabaseAsync();
        await using var dataSource = PostgresDataSourceFactory.Create(database.ConnectionString);
        var log = new RecordingLogger<PostgresMembershipTable>();
        var table = new PostgresMembershipTable(dataSource, ClusterId, log);

        var error = await Assert.ThrowsAsync<GrainStorageException>(() => table.InitializeAsync(None));

        Assert.StartsWith($"Membership table (PostgreSQL) of cluster '{ClusterId}' failed to initialize", error.Message, StringComparison.Ordinal);
        Assert.Equal(PostgresErrorCodes.UndefinedTable, Assert.IsType<PostgresException>(error.InnerException).SqlState);
        Assert.Contains(1702, log.EventIds);
    }
}
