using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Actors.Runtime.Hosting;
using Actors.Runtime.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Actors.Runtime.Postgres.Tests;

public sealed class RegistrationTests
{
    private sealed class TestSiloBuilder : ISiloBuilder
    {
        public IServiceCollection Services { get; } = new ServiceCollection();
    }

    private static async Task RunStartupTasksAsync(IServiceProvider services)
    {
        foreach (var task in services.GetServices<ISiloStartupTask>().OrderBy(t => t.Order))
        {
            await task.ExecuteAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task The_connection_string_overload_registers_a_Default_keyed_storage_whose_startup_task_migrates()
    {
        await using var database = await TestPostgres.CreateDatabaseAsync();
        var builder = new TestSiloBuilder();
        builder.Services.AddLogging();
        builder.AddPostgresGrainStorage(database.ConnectionString);
        await using var services = builder.Services.BuildServiceProvider(validateScopes: true);

        await RunStartupTasksAsync(services);
        var storage = services.GetRequiredKeyedService<IGrainStorage>("Default");
        var key = new GrainStateKey("test.grain", Guid.NewGuid().ToString(), "state");
        var etag = await storage.WriteAsync(key, """{"ok":true}""", 1, null, CancellationToken.None);

        Assert.Equal("Default", storage.Name);
        Assert.IsType<PostgresGrainStorage>(storage);
        Assert.Same(storage, services.GetRequiredKeyedService<IGrainStorage>("Default"));
        Assert.Equal(etag, (await storage.ReadAsync(key, CancellationToken.None))!.ETag);
        Assert.Same(
            services.GetRequiredKeyedService<NpgsqlDataSource>("Default"),
            services.GetRequiredKeyedService<NpgsqlDataSource>("Default"));
    }

    [Fact]
    public async Task Named_providers_are_separate_and_apply_registered_component_migrations()
    {
        await using var database = await TestPostgres.CreateDatabaseAsync();
        var builder = new TestSiloBuilder();
        builder.AddPostgresGrainStorage("Archive", o => o.ConnectionString = database.ConnectionString);
        builder.AddPostgresGrainStorage("Other", o => o.ConnectionString = database.ConnectionString);
        builder.AddPostgresMigrations("tests", typeof(RegistrationTests).Assembly, "Tests.Good.");
        await using var services = builder.Services.BuildServiceProvider();

        await RunStartupTasksAsync(services);

        Assert.Equal("Archive", services.GetRequiredKeyedService<IGrainStorage>("Archive").Name);
        Assert.Equal("Other", services.GetRequiredKeyedService<IGrainStorage>("Other").Name);
        Assert.Null(services.GetKeyedService<IGrainStorage>("Default"));
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        Assert.Equal(
            ["runtime:1", "runtime:2", "runtime:3", "tests:1", "tests:2"],
            await MigrationTests.QueryAsync<string>(dataSource,
                "SELECT component || ':' || version FROM actors_schema_migrations ORDER BY component, version"));
    }

    [Fact]
    public async Task With_ApplyMigrations_off_the_startup_task_leaves_the_database_alone()
    {
        await using var database = await TestPostgres.CreateDatabaseAsync();
        var builder = new TestSiloBuilder();
        builder.AddPostgresGrainStorage("Default", o =>
        {
            o.ConnectionString = database.ConnectionString;
            o.ApplyMigrations = false;
        });
        await using var services = builder.Services.BuildServiceProvider();

        await RunStartupTasksAsync(services);

        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        Assert.Equal(0L, (await MigrationTests.QueryAsync<long>(dataSource,
            "SELECT count(*) FROM information_schema.tables WHERE table_name LIKE 'actors_%'")).Single());
    }

    [Theory]
    [InlineData("", nameof(PostgresStorageOptions.ConnectionString))]
    [InlineData("Nonsense=1", "not valid")]
    [InlineData("Port=5432", "no Host")]
    public void Invalid_options_fail_validation_at_startup(string connectionString, string expected)
    {
        var builder = new TestSiloBuilder();
        builder.AddPostgresGrainStorage("Default", o => o.ConnectionString = connectionString);
        using var services = builder.Services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Timeouts_outside_their_range_fail_validation()
    {
        var builder = new TestSiloBuilder();
        builder.AddPostgresGrainStorage("Default", o =>
        {
            o.ConnectionString = "Host=127.0.0.1";
            o.CommandTimeout = TimeSpan.Zero;
        });
        using var services = builder.Services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(
            () => services.GetRequiredService<IOptionsMonitor<PostgresStorageOptions>>().Get("Default"));

        Assert.Contains(nameof(PostgresStorageOptions.CommandTimeout), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_data_source_uses_the_configured_timeouts()
    {
        using var dataSource = PostgresDataSourceFactory.Create(new PostgresStorageOptions
        {
            ConnectionString = "Host=127.0.0.1;Port=5432;Timeout=60;Command Timeout=60",
            ConnectTimeout = TimeSpan.FromSeconds(2),
            CommandTimeout = TimeSpan.FromSeconds(3),
        });

        var settings = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        Assert.Equal(2, settings.Timeout);
        Assert.Equal(3, settings.CommandTimeout);
        Assert.Equal("actors", settings.ApplicationName);
    }

    [Fact]
    public async Task A_startup_task_that_cannot_reach_the_server_fails_with_a_clear_storage_error()
    {
        var builder = new TestSiloBuilder();
        builder.AddPostgresGrainStorage("Default", o => o.ConnectionString = $"Host=127.0.0.1;Port={ClosedPort()}");
        await using var services = builder.Services.BuildServiceProvider();

        var error = await Assert.ThrowsAsync<GrainStorageException>(() => RunStartupTasksAsync(services));

        Assert.StartsWith("Grain storage 'Default' (PostgreSQL) is unreachable: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("migrations", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Storage_pointing_at_a_closed_port_fails_fast_with_an_unreachable_error()
    {
        await using var dataSource = PostgresDataSourceFactory.Create($"Host=127.0.0.1;Port={ClosedPort()}");
        var storage = new PostgresGrainStorage("Default", dataSource);
        var stopwatch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<GrainStorageException>(
            () => storage.ReadAsync(new GrainStateKey("g", "k", "s"), CancellationToken.None));

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"took {stopwatch.Elapsed}");
        Assert.StartsWith("Grain storage 'Default' (PostgreSQL) is unreachable: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("g/k#s", error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<NpgsqlException>(error.InnerException);
    }

    internal static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
