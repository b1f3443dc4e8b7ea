using System.Diagnostics;

namespace Actors.Runtime.Testing;

/// <summary>
/// The PostgreSQL that tests use: <c>ACTORS_TEST_POSTGRES</c> when set (scripts/test.sh sets it),
/// otherwise a throwaway server started once through scripts/postgres.sh.
/// </summary>
public static class PostgresTestServer
{
    public const string EnvironmentVariable = "ACTORS_TEST_POSTGRES";

    private static readonly Lazy<string> Shared = new(Resolve, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string ConnectionString => Shared.Value;

    /// <summary>The repository root (the directory holding Actors.sln), found from the test's base directory.</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Actors.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException("Could not find the repository root (Actors.sln) above " + AppContext.BaseDirectory);
        }
    }

    private static string Resolve()
    {
        var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        return string.IsNullOrWhiteSpace(configured) ? RunScript("start", dataDirectory: null) : configured;
    }

    /// <summary>Runs scripts/postgres.sh with a command, optionally on its own data directory; returns its last output line.</summary>
    public static string RunScript(string command, string? dataDirectory)
    {
        var script = Path.Combine(RepositoryRoot, "scripts", "postgres.sh");
        var start = new ProcessStartInfo("bash", [script, command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ACTORS_PG_FAST"] = "1";
        start.Environment.Remove("ACTORS_POSTGRES");
        if (dataDirectory is not null)
        {
            start.Environment["ACTORS_PG_DIR"] = dataDirectory;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start scripts/postgres.sh");
        var stderr = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"scripts/postgres.sh {command} did not finish within 60 s");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/postgres.sh {command} failed ({process.ExitCode}): {stderr.Result}");
        }

        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
    }
}
