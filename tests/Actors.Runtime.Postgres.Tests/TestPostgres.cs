using System.Diagnostics;
using Npgsql;

namespace Actors.Runtime.Postgres.Tests;

/// <summary>
/// The PostgreSQL the tests run against: <c>ACTORS_TEST_POSTGRES</c> when set, otherwise the repo's
/// throwaway cluster started with <c>scripts/postgres.sh start</c> (fsync off).
/// </summary>
internal static class TestPostgres
{
    private static readonly Lazy<Task<string>> SharedConnectionString = new(StartSharedAsync);
    private static readonly Lazy<Task<NpgsqlDataSource>> SharedMigrated = new(CreateMigratedAsync);

    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The connection string of the shared server's <c>postgres</c> database.</summary>
    public static Task<string> ConnectionStringAsync() => SharedConnectionString.Value;

    /// <summary>A data source on the shared database with the runtime's migrations applied.</summary>
    public static Task<NpgsqlDataSource> MigratedDataSourceAsync() => SharedMigrated.Value;

    /// <summary>Creates an empty database on the shared server; returns its connection string.</summary>
    public static async Task<TestDatabase> CreateDatabaseAsync()
    {
        var admin = await ConnectionStringAsync();
        var name = "actors_test_" + Guid.NewGuid().ToString("N");
        await using (var dataSource = NpgsqlDataSource.Create(admin))
        await using (var command = dataSource.CreateCommand($"CREATE DATABASE {name}"))
        {
            await command.ExecuteNonQueryAsync();
        }

        var builder = new NpgsqlConnectionStringBuilder(admin) { Database = name, Pooling = false };
        return new TestDatabase(admin, name, builder.ConnectionString);
    }

    /// <summary>Runs <c>scripts/postgres.sh</c>; returns its last line of output.</summary>
    public static async Task<string> RunScriptAsync(string command, IReadOnlyDictionary<string, string?> environment)
    {
        var info = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(RepoRoot, "scripts", "postgres.sh"));
        info.ArgumentList.Add(command);
        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                info.Environment.Remove(name);
            }
            else
            {
                info.Environment[name] = value;
            }
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("bash did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        var output = await stdout;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"scripts/postgres.sh {command} exited with {process.ExitCode}: {output}{await stderr}");
        }

        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
    }

    private static async Task<string> StartSharedAsync()
    {
        var configured = Environment.GetEnvironmentVariable("ACTORS_TEST_POSTGRES");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        return await RunScriptAsync("start", new Dictionary<string, string?> { ["ACTORS_PG_FAST"] = "1" });
    }

    private static async Task<NpgsqlDataSource> CreateMigratedAsync()
    {
        var dataSource = PostgresDataSourceFactory.Create(await ConnectionStringAsync());
        await PostgresMigrationRunner.RunAsync(dataSource);
        return dataSource;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Actors.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Actors.sln above {AppContext.BaseDirectory}");
    }
}

/// <summary>A database of its own for one test; dropped on dispose.</summary>
internal sealed class TestDatabase(string adminConnectionString, string name, string connectionString) : IAsyncDisposable
{
    public string Name { get; } = name;

    public string ConnectionString { get; } = connectionString;

    public async ValueTask DisposeAsync()
    {
        await using var dataSource = NpgsqlDataSource.Create(adminConnectionString);
        await using var command = dataSource.CreateCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
        await command.ExecuteNonQueryAsync();
    }
}
