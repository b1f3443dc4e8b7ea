using Actors.Runtime.Hosting;
using Actors.Runtime.Membership;
using Actors.Runtime.Reminders;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Actors.Runtime.Postgres.Tests;

public sealed class ClusteringRegistrationTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private sealed class TestSiloBuilder : ISiloBuilder
    {
        public IServiceCollection Services { get; } = new ServiceCollection();
    }

    private static async Task RunStartupTasksAsync(IServiceProvider services)
    {
        foreach (var task in services.GetServices<ISiloStartupTask>().OrderBy(t => t.Order))
        {
            await task.ExecuteAsync(None);
        }
    }

    private static RecordingLogger<PostgresMigrationStartupTask> RecordMigrationLog(TestSiloBuilder builder)
    {
        var log = new RecordingLogger<PostgresMigrationStartupTask>();
        builder.Services.AddSingleton<ILogger<PostgresMigrationStartupTask>>(log);
        return log;
    }

    [Fact]
    public async Task UsePostgresClustering_registers_a_membership_table_of_the_configured_cluster_on_a_migrated_database()
    {
        await using var database = await TestPostgres.CreateDatabaseAsync();
        var builder = new TestSiloBuilder();
        builder.UsePostgresClustering(o =>
        {
            o.ConnectionString = database.ConnectionString;
            o.ClusterId = "blue";
        });
        await using var services = builder.Services.BuildServiceProvider(validateScopes: true);

        await RunStartupTasksAsync(services);
        var table = services.GetRequiredService<IMembershipTable>();
        await table.InitializeAsync(None);
        var inserted = await table.InsertRowAsync(new MembershipEntry
        {
            Address = new SiloAddress("10.1.1.1", 11111, 1),
            SiloName = "a",
            Status = SiloStatus.Joining,
            StartedAt = DateTimeOffset.UnixEpoch,
            IAmAliveAt = DateTimeOffset.UnixEpoch,
        }, 0, None);

        Assert.True(inserted);
        Assert.Equal("blue", Assert.IsType<PostgresMembershipTable>(table).ClusterId);
        Assert.Same(table, services.GetRequiredService<IMembershipTable>());
        await using var check = NpgsqlDataSource.Create(database.ConnectionString);
        Assert.Equal(["blue"], await MigrationTests.QueryAsync<string>(check, "SELECT cluster_id FROM actors_membership"));
    }

    [Fact]
    public async Task UsePostgresReminders_registers_a_reminder_table_of_the_configured_cluster_on_a_migrated_database()
    {
        await using var database = await TestPostgres.CreateDatabaseAsync();
        var builder = new TestSiloBuilder();
        builder.UsePostgresReminders(o => o.ConnectionString = database.ConnectionString);
        await using var services = builder.Services.BuildServiceProvider(validateScopes: true);

        await RunStartupTasksAsync(services);
        var table = services.GetRequiredService<IReminderTable>();
        await table.InitializeAsync(None);
        var etag = await table.UpsertAsync(
            new ReminderEntry(GrainId.Create("test.reminder", "k"), "tick", DateTimeOffset.UnixEpoch, TimeSpan.FromMinutes(1)), None);

        Assert.Equal("dev", Assert.IsType<PostgresReminderTable>(table).ClusterId);
        Assert.Equal(etag, (await table.ReadAsync(GrainId.Create("test.reminder", "k"), "tick", None))?.ETag);
    }

    [Fact]
    public async Task Storage_clustering_and_reminders_on_one_database_apply_its_migrations_in_one_run()
    {
        await using var database = await TestPostgres.CreateDatabaseAsync();
        var builder = new TestSiloBuilder();
        var log = RecordMigrationLog(builder);
        // The same database, written three ways.
        builder.AddPostgresGrainStorage(database.ConnectionString);
        builder.UsePostgresClustering(o => o.ConnectionString = database.ConnectionString + ";Timeout=3");
        builder.UsePostgresReminders(o => o.ConnectionString =
            new NpgsqlConnectionStringBuilder(database.ConnectionString) { ApplicationName = "other" }.ConnectionString);
        await using var services = builder.Services.BuildServiceProvider();

        await RunStartupTasksAsync(services);

        Assert.Single(services.GetServices<ISiloStartupTask>());
        Assert.Equal(PostgresMigrationSource.Runtime.Discover().Count, log.EventIds.Count(id => id == 1601)); // each applied once
        Assert.DoesNotContain(1602, log.EventIds); // no second run finding everything up to date
        Assert.Equal(2, log.EventIds.Count(id => id == 1606)); // clustering and reminders shared the storage's run
        await using var check = NpgsqlDataSource.Create(database.ConnectionString);
        Assert.Equal(["runtime:1", "runtime:2", "runtime:3"], await MigrationTests.QueryAsync<string>(check,
            "SELECT component || ':' || version FROM actors_schema_migrations ORDER BY version"));
    }

    [Fact]
    public async Task Configuring_clustering_twice_still_migrates_its_database_once()
    {
        await using var database = await TestPostgres.CreateDatabaseAsync();
        var builder = new TestSiloBuilder();
        var log = RecordMigrationLog(builder);
        builder.UsePostgresClustering(o => o.ConnectionString = database.ConnectionString);
        builder.UsePostgresClustering(o => o.ClusterId = "green");
        await using var services = builder.Services.BuildServiceProvider();

        await RunStartupTasksAsync(services);

        Assert.Equal(PostgresMigrationSource.Runtime.Discover().Count, log.EventIds.Count(id => id == 1601));
        Assert.DoesNotContain(1606, log.EventIds);
        Assert.Equal("green", Assert.IsType<PostgresMembershipTable>(Assert.Single(services.GetServices<IMembershipTable>())).ClusterId);
    }

    [Fact]
    public async Task Clustering_and_reminders_on_different_databases_migrate_each_of_them()
    {
        await using var membershipDatabase = await TestPostgres.CreateDatabaseAsync();
        await using var reminderDatabase = await TestPostgres.CreateDatabaseAsync();
        var builder = new TestSiloBuilder();
        var log = RecordMigrationLog(builder);
        builder.UsePostgresClustering(o => o.ConnectionString = membershipDatabase.ConnectionString);
        builder.UsePostgresReminders(o => o.ConnectionString = reminderDatabase.ConnectionString);
        await using var services = builder.Services.BuildServiceProvider();

        await RunStartupTasksAsync(services);

        Assert.Equal(2 * PostgresMigrationSource.Runtime.Discover().Count, log.EventIds.Count(id => id == 1601));
        foreach (var database in new[] { membershipDatabase, reminderDatabase })
        {
            await using var check = NpgsqlDataSource.Create(database.ConnectionString);
            Assert.Equal([3L], await MigrationTests.QueryAsync<long>(check, "SELECT count(*) FROM actors_schema_migrations"));
        }
    }

    [Fact]
    public async Task With_ApplyMigrations_off_clustering_leaves_the_database_alone_and_says_so()
    {
        await using var database = await TestPostgres.CreateDatabaseAsync();
        var builder = new TestSiloBuilder();
        var log = RecordMigrationLog(builder);
        builder.UsePostgresClustering(o =>
        {
            o.ConnectionString = database.ConnectionString;
            o.ApplyMigrations = false;
        });
        await using var services = builder.Services.BuildServiceProvider();

        await RunStartupTasksAsync(services);

        Assert.Contains(1604, log.EventIds);
        await using var check = NpgsqlDataSource.Create(database.ConnectionString);
        Assert.Equal([0L], await MigrationTests.QueryAsync<long>(check,
            "SELECT count(*) FROM information_schema.tables WHERE table_name LIKE 'actors_%'"));
    }

    [Fact]
    public async Task A_clustering_startup_task_that_cannot_reach_the_server_fails_with_a_clear_storage_error()
    {
        var builder = new TestSiloBuilder();
        builder.UsePostgresClustering(o => o.ConnectionString = $"Host=127.0.0.1;Port={RegistrationTests.ClosedPort()}");
        await using var services = builder.Services.BuildServiceProvider();

        var error = await Assert.ThrowsAsync<GrainStorageException>(() => RunStartupTasksAsync(services));

        Assert.StartsWith("Membership table (PostgreSQL) is unreachable: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("migrations", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "dev", nameof(PostgresClusteringOptions.ConnectionString))]
    [InlineData("Nonsense=1", "dev", "not valid")]
    [InlineData("Port=5432", "dev", "no Host")]
    [InlineData("Host=127.0.0.1", " ", nameof(PostgresClusteringOptions.ClusterId))]
    public void Invalid_clustering_options_fail_validation_at_startup(string connectionString, string clusterId, string expected)
    {
        var builder = new TestSiloBuilder();
        builder.UsePostgresClustering(o =>
        {
            o.ConnectionString = connectionString;
            o.ClusterId = clusterId;
        });
        using var services = builder.Services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "dev", nameof(PostgresRemindersOptions.ConnectionString))]
    [InlineData("Port=5432", "dev", "no Host")]
    [InlineData("Host=127.0.0.1", "", nameof(PostgresRemindersOptions.ClusterId))]
    public void Invalid_reminder_options_fail_validation_at_startup(string connectionString, string clusterId, string expected)
    {
        var builder = new TestSiloBuilder();
        builder.UsePostgresReminders(o =>
        {
            o.ConnectionString = connectionString;
            o.ClusterId = clusterId;
        });
        using var services = builder.Services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Clustering_timeouts_outside_their_range_fail_validation()
    {
        var builder = new TestSiloBuilder();
        builder.UsePostgresClustering(o =>
        {
            o.ConnectionString = "Host=127.0.0.1";
            o.ConnectTimeout = TimeSpan.FromHours(1);
        });
        using var services = builder.Services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(
            () => services.GetRequiredService<IOptions<PostgresClusteringOptions>>().Value);

        Assert.Contains(nameof(PostgresClusteringOptions.ConnectTimeout), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_clustering_data_source_uses_the_configured_timeouts()
    {
        var builder = new TestSiloBuilder();
        builder.UsePostgresClustering(o =>
        {
            o.ConnectionString = "Host=127.0.0.1;Port=5432";
            o.ConnectTimeout = TimeSpan.FromSeconds(2);
            o.CommandTimeout = TimeSpan.FromSeconds(3);
        });
        using var services = builder.Services.BuildServiceProvider();

        var dataSource = services.GetRequiredKeyedService<NpgsqlDataSource>(PostgresSiloBuilderExtensions.ClusteringDataSourceKey);

        var settings = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        Assert.Equal(2, settings.Timeout);
        Assert.Equal(3, settings.CommandTimeout);
    }

    [Fact]
    public void Silos_given_one_shared_in_memory_table_share_it_and_silos_without_one_get_their_own()
    {
        var membership = new InMemoryMembershipTable();
        var reminders = new InMemoryReminderTable();
        var silos = Enumerable.Range(0, 2).Select(_ =>
        {
            var builder = new TestSiloBuilder();
            builder.UseInMemoryClustering(membership).UseInMemoryReminders(reminders);
            return builder.Services.BuildServiceProvider();
        }).ToList();
        var loners = Enumerable.Range(0, 2).Select(_ =>
        {
            var builder = new TestSiloBuilder();
            builder.UseInMemoryClustering().UseInMemoryReminders();
            return builder.Services.BuildServiceProvider();
        }).ToList();

        Assert.All(silos, s => Assert.Same(membership, s.GetRequiredService<IMembershipTable>()));
        Assert.All(silos, s => Assert.Same(reminders, s.GetRequiredService<IReminderTable>()));
        Assert.IsType<InMemoryMembershipTable>(loners[0].GetRequiredService<IMembershipTable>());
        Assert.NotSame(loners[0].GetRequiredService<IMembershipTable>(), loners[1].GetRequiredService<IMembershipTable>());
        Assert.NotSame(loners[0].GetRequiredService<IReminderTable>(), loners[1].GetRequiredService<IReminderTable>());
        foreach (var services in silos.Concat(loners))
        {
            services.Dispose();
        }
    }

    [Fact]
    public void The_last_clustering_and_reminder_choice_replaces_the_earlier_one()
    {
        var builder = new TestSiloBuilder();
        builder.UseInMemoryClustering().UseInMemoryReminders();
        builder.UsePostgresClustering(o => o.ConnectionString = "Host=127.0.0.1");
        builder.UsePostgresReminders(o => o.ConnectionString = "Host=127.0.0.1");
        builder.UseInMemoryClustering();
        using var services = builder.Services.BuildServiceProvider();

        Assert.IsType<InMemoryMembershipTable>(Assert.Single(services.GetServices<IMembershipTable>()));
        Assert.IsType<PostgresReminderTable>(Assert.Single(services.GetServices<IReminderTable>()));
    }
}
