using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Silo.Tests;

/// <summary><c>dotnet Silo.dll migrate</c> and the ways the silo refuses to start.</summary>
public sealed class SiloCommandLineTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(60);
    private static readonly string[] RuntimeTables = ["actors_grain_state", "actors_membership", "actors_reminders", "actors_session_events"];

    private readonly List<SiloProcess> processes = [];

    [Fact]
    public async Task Migrate_applies_every_migration_to_a_fresh_database_and_exits_0()
    {
        var database = "actors_silo_migrate_" + Guid.NewGuid().ToString("N")[..12];
        var connectionString = await TestDatabase.CreateDatabaseAsync(database);
        try
        {
            Assert.Empty(await TestDatabase.ExistingTablesAsync(connectionString, RuntimeTables));

            var first = Run("migrate", new() { ["ConnectionStrings__Postgres"] = connectionString }, "migrate");
            Assert.Equal(0, await first.WaitForExitAsync(ExitTimeout));
            Assert.Equal(RuntimeTables, await TestDatabase.ExistingTablesAsync(connectionString, RuntimeTables));
            // The runtime's three migrations and the domain's own (the session event log).
            Assert.Contains("Applied 4 migration(s)", first.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("joined the cluster", first.Output, StringComparison.Ordinal); // no silo started

            // Again: nothing left to apply, still exit 0. The connection string may also come from the command line.
            var second = Run("migrate-again", [], "migrate", $"--ConnectionStrings:Postgres={connectionString}");
            Assert.Equal(0, await second.WaitForExitAsync(ExitTimeout));
            Assert.Contains("up to date", second.Output, StringComparison.Ordinal);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await TestDatabase.DropDatabaseAsync(database);
        }
    }

    [Fact]
    public async Task Migrate_against_an_unreachable_server_exits_non_zero_with_a_clear_message()
    {
        var port = UnusedPort();
        var process = Run("migrate-bad", new() { ["ConnectionStrings__Postgres"] = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres" }, "migrate");
        Assert.Equal(1, await process.WaitForExitAsync(ExitTimeout));
        Assert.Contains("[stderr] Silo migrate: failed:", process.Output, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{port}", process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_with_a_malformed_connection_string_exits_non_zero_with_a_clear_message()
    {
        var process = Run("migrate-malformed", new() { ["ConnectionStrings__Postgres"] = "NoSuchKeyword=1" }, "migrate");
        Assert.Equal(1, await process.WaitForExitAsync(ExitTimeout));
        Assert.Contains("[stderr] Silo migrate: failed:", process.Output, StringComparison.Ordinal);
        Assert.Contains("nosuchkeyword", process.Output, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Silo_without_a_postgres_connection_string_exits_non_zero_naming_the_key()
    {
        var process = Run("no-postgres", new() { ["ConnectionStrings__Postgres"] = null, ["Actors__Cluster__HttpPort"] = "0" });
        Assert.Equal(2, await process.WaitForExitAsync(ExitTimeout));
        Assert.Contains("[stderr] Silo: the configuration key 'ConnectionStrings:Postgres' is required", process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_without_a_postgres_connection_string_exits_non_zero_naming_the_key()
    {
        var process = Run("migrate-no-postgres", new() { ["ConnectionStrings__Postgres"] = null }, "migrate");
        Assert.Equal(2, await process.WaitForExitAsync(ExitTimeout));
        Assert.Contains("'ConnectionStrings:Postgres' is required", process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Silo_whose_postgres_is_unreachable_exits_non_zero_with_the_reason()
    {
        var port = UnusedPort();
        var environment = SiloProcess.SiloEnvironment("silo-unreachable", "silo-unreachable", $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres");
        var process = Run("silo-unreachable", environment);
        Assert.Equal(1, await process.WaitForExitAsync(ExitTimeout));
        Assert.Contains("[stderr] Silo: failed:", process.Output, StringComparison.Ordinal);
    }

    private SiloProcess Run(string name, Dictionary<string, string?> environment, params string[] args)
    {
        var process = SiloProcess.Start(name, environment, args);
        processes.Add(process);
        return process;
    }

    /// <summary>A port nothing listens on (bound, then released).</summary>
    private static int UnusedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    public void Dispose()
    {
        foreach (var process in processes)
        {
            process.Dispose();
            output.WriteLine($"===== {process.Name} (pid {process.Id}) output =====");
            output.WriteLine(process.Output);
        }
    }
}
