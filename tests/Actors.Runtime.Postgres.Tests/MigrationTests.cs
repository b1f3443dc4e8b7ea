using Npgsql;

namespace Actors.Runtime.Postgres.Tests;

public sealed class MigrationTests
{
    private static readonly System.Reflection.Assembly TestAssembly = typeof(MigrationTests).Assembly;

    [Fact]
    public void Runtime_migrations_are_embedded_and_discovered_in_version_order()
    {
        var migrations = PostgresMigrationSource.Runtime.Discover();

        Assert.NotEmpty(migrations);
        Assert.Equal(new PostgresMigration("runtime", 1, "grain_state", migrations[0].Sql), migrations[0]);
        Assert.Contains("actors_grain_state", migrations[0].Sql, StringComparison.Ordinal);
        Assert.Equal([(1, "grain_state"), (2, "membership"), (3, "reminders")], migrations.Select(m => (m.Version, m.Name)));
        Assert.Equal(migrations.OrderBy(m => m.Version).Select(m => m.Version), migrations.Select(m => m.Version));
        Assert.Equal(
            [(1, "widgets"), (2, "widget_colour")],
            PostgresMigrator.Discover("tests", TestAssembly, "Tests.Good.").Select(m => (m.Version, m.Name)));
    }

    [Fact]
    public async Task Migrations_create_the_runtime_schema_and_record_each_version()
    {
        await using var database = await TestPostgres.CreateDatabaseAsync();
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);

        var applied = await PostgresMigrator.ApplyAsync(
            dataSource, "runtime", typeof(PostgresMigrator).Assembly, "Actors.Runtime.Postgres.Migrations.");

        Assert.Equal(PostgresMigrationSource.Runtime.Discover().Select(m => m.Version), applied.Select(m => m.Version));
        Assert.Equal(
            ["actors_grain_state", "actors_membership", "actors_membership_version", "actors_reminders", "actors_schema_migrations"],
            await QueryAsync<string>(dataSource,
                "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1"));
        Assert.Equal(
            ["actors_grain_state_etag_seq", "actors_membership_etag_seq", "actors_reminders_etag_seq"],
            await QueryAsync<string>(dataSource,
                "SELECT sequence_name::text FROM information_schema.sequences WHERE sequence_schema = 'public' ORDER BY 1"));
        Assert.Equal(
            ["actors_reminders_cluster_hash_idx"],
            await QueryAsync<string>(dataSource,
                "SELECT indexname::text FROM pg_indexes WHERE tablename = 'actors_reminders' AND indexdef LIKE '%(cluster_id, grain_hash)%'"));
        Assert.Equal(
            ["runtime 1 grain_state", "runtime 2 membership", "runtime 3 reminders"],
            await QueryAsync<string>(dataSource,
                "SELECT component || ' ' || version || ' ' || name FROM actors_schema_migrations WHERE applied_at <= now() ORDER BY version"));
    }

    [Fact]
    public async Task Applying_migrations_again_applies_nothing_and_changes_nothing()
    {
        await using var database = await TestPostgres.CreateDatabaseAsync();
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        var first = await PostgresMigrationRunner.RunAsync(dataSource);
        var recorded = await QueryAsync<string>(dataSource,
            "SELECT component || version || applied_at::text FROM actors_schema_migrations ORDER BY 1");

        var second = await PostgresMigrationRunner.RunAsync(dataSource);

        Assert.NotEmpty(first);
        Assert.Empty(second);
        Assert.Equal(recorded, await QueryAsync<string>(dataSource,
            "SELECT component || version || applied_at::text FROM actors_schema_migrations ORDER BY 1"));
    }

    [Fact]
    public async Task Concurrent_runs_apply_each_migration_exactly_once()
    {
        await using var database = await TestPostgres.CreateDatabaseAsync();
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        var sources = new[] { new PostgresMigrationSource("tests", TestAssembly, "Tests.Good.") };

        // Eight "silos" start at once, each on its own connection.
        var runs = await Task.WhenAll(Enumerable.Range(0, 8)
            .Select(_ => Task.Run(() => PostgresMigrationRunner.RunAsync(dataSource, sources))));

        var appliedEverywhere = runs.SelectMany(r => r).Select(m => m.ToString()).OrderBy(s => s, StringComparer.Ordinal);
        Assert.Equal(
            ["runtime 0001_grain_state", "runtime 0002_membership", "runtime 0003_reminders", "tests 0001_widgets", "tests 0002_widget_colour"],
            appliedEverywhere);
        Assert.Equal(5L, (await QueryAsync<long>(dataSource, "SELECT count(*) FROM actors_schema_migrations")).Single());
    }

    [Fact]
    public async Task Components_are_versioned_independently_and_applied_in_version_order()
    {
        await using var database = await TestPostgres.CreateDatabaseAsync();
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        await PostgresMigrationRunner.RunAsync(dataSource);

        var applied = await PostgresMigrator.ApplyAsync(dataSource, "tests", TestAssembly, "Tests.Good.");

        Assert.Equal([1, 2], applied.Select(m => m.Version));
        // 0002 altered the table 0001 created, and its DO block (with a ';' inside a string) ran whole.
        Assert.Equal(
            ["first red; not a statement separator"],
            await QueryAsync<string>(dataSource, "SELECT label || ' ' || colour FROM actors_test_widgets"));
        Assert.Equal(
            ["runtime:1", "runtime:2", "runtime:3", "tests:1", "tests:2"],
            await QueryAsync<string>(dataSource,
                "SELECT component || ':' || version FROM actors_schema_migrations ORDER BY component, version"));
    }

    [Fact]
    public async Task A_failing_migration_is_rolled_back_and_not_recorded_while_earlier_ones_stay_applied()
    {
        await using var database = await TestPostgres.CreateDatabaseAsync();
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);

        var error = await Assert.ThrowsAsync<PostgresException>(
            () => PostgresMigrator.ApplyAsync(dataSource, "failing", TestAssembly, "Tests.Failing."));

        Assert.Equal(PostgresErrorCodes.UndefinedFunction, error.SqlState);
        Assert.Equal(["failing:1"], await QueryAsync<string>(dataSource,
            "SELECT component || ':' || version FROM actors_schema_migrations"));
        Assert.Equal(["actors_test_gadgets"], await QueryAsync<string>(dataSource,
            "SELECT table_name::text FROM information_schema.tables WHERE table_name LIKE 'actors_test_%'"));
        // The advisory lock was released: another run can take it at once.
        Assert.Empty(await PostgresMigrator.ApplyAsync(dataSource, "tests-empty", TestAssembly, "No.Such.Prefix."));
    }

    [Fact]
    public async Task Two_migration_sources_claiming_the_same_component_are_refused()
    {
        var clash = new PostgresMigrationSource("runtime", TestAssembly, "Tests.Good.");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => PostgresMigrationRunner.RunAsync("Host=127.0.0.1;Port=1", [clash]));

        Assert.Contains("'runtime'", error.Message, StringComparison.Ordinal);
    }

    internal static async Task<List<T>> QueryAsync<T>(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetFieldValue<T>(0));
        }

        return rows;
    }
}
