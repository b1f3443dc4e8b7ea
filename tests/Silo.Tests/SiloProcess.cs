using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Actors.Runtime.Testing;

namespace Silo.Tests;

/// <summary>
/// One <c>dotnet Silo.dll</c> process: its output is captured line by line, waits are bounded, and
/// disposal kills it if it still runs.
/// </summary>
public sealed partial class SiloProcess : IDisposable
{
    private static readonly string[] InheritedPrefixesToDrop = ["Actors__", "ConnectionStrings__", "ASPNETCORE_URLS", "ASPNETCORE_HTTP", "DOTNET_URLS", "URLS"];

    private readonly Process process;
    private readonly List<string> lines = [];
    private readonly Lock gate = new();
    private bool disposed;

    private SiloProcess(string name, Process process)
    {
        Name = name;
        this.process = process;
    }

    public string Name { get; }

    /// <summary>The process id (kept after disposal, for the test output).</summary>
    public int Id { get; private set; }

    public bool HasExited => process.HasExited;

    public int ExitCode => process.ExitCode;

    /// <summary>Everything the process wrote so far, stdout and stderr interleaved as received.</summary>
    public string Output
    {
        get
        {
            lock (gate)
            {
                return string.Join('\n', lines);
            }
        }
    }

    /// <summary>Silo/bin/&lt;configuration&gt;/net10.0/Silo.dll, the configuration being the test assembly's own.</summary>
    public static string SiloDll
    {
        get
        {
            var baseDirectory = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var targetFramework = baseDirectory.Name;
            var configuration = baseDirectory.Parent?.Name ?? "Debug";
            var dll = Path.Combine(PostgresTestServer.RepositoryRoot, "Silo", "bin", configuration, targetFramework, "Silo.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException($"Silo.dll is not built at {dll}: build Silo/Silo.csproj in {configuration} first.", dll);
        }
    }

    /// <summary>Starts <c>dotnet Silo.dll [args]</c> with <paramref name="environment"/> (a null value removes a variable).</summary>
    public static SiloProcess Start(string name, IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(SiloDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var key in start.Environment.Keys.ToList())
        {
            if (InheritedPrefixesToDrop.Any(p => key.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
            {
                start.Environment.Remove(key);
            }
        }

        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var silo = new SiloProcess(name, process);
        process.OutputDataReceived += (_, e) => silo.Append(e.Data, "out");
        process.ErrorDataReceived += (_, e) => silo.Append(e.Data, "err");
        if (!process.Start())
        {
            throw new InvalidOperationException("Could not start dotnet " + SiloDll);
        }

        silo.Id = process.Id;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return silo;
    }

    /// <summary>The environment of a silo of <paramref name="clusterId"/> on 127.0.0.1 with every port 0 (chosen at startup).</summary>
    public static Dictionary<string, string?> SiloEnvironment(string clusterId, string siloName, string connectionString) => new()
    {
        ["ConnectionStrings__Postgres"] = connectionString,
        ["Actors__Cluster__ClusterId"] = clusterId,
        ["Actors__Cluster__ListenAddress"] = "127.0.0.1",
        ["Actors__Cluster__AdvertisedHost"] = "127.0.0.1",
        ["Actors__Cluster__SiloPort"] = "0",
        ["Actors__Cluster__GatewayPort"] = "0",
        ["Actors__Cluster__HttpPort"] = "0",
        ["Actors__Silo__SiloName"] = siloName,
    };

    private void Append(string? line, string stream)
    {
        if (line is null)
        {
            return;
        }

        lock (gate)
        {
            lines.Add(stream == "err" ? "[stderr] " + line : line);
        }
    }

    /// <summary>Waits until a line matches <paramref name="pattern"/>; fails early if the process exits first.</summary>
    public async Task<Match> WaitForLineAsync(Regex pattern, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var checkedLines = 0;
        while (true)
        {
            string[] fresh;
            lock (gate)
            {
                fresh = lines.Skip(checkedLines).ToArray();
            }

            checkedLines += fresh.Length;
            foreach (var line in fresh)
            {
                if (pattern.Match(line) is { Success: true } match)
                {
                    return match;
                }
            }

            if (process.HasExited && fresh.Length == 0)
            {
                process.WaitForExit(); // drains the output readers
                lock (gate)
                {
                    if (lines.Count > checkedLines)
                    {
                        continue;
                    }
                }

                throw new InvalidOperationException($"{Name} exited with code {process.ExitCode} before writing a line matching /{pattern}/.");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{Name} wrote no line matching /{pattern}/ within {timeout.TotalSeconds} s.");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Waits for the startup report line and returns the silo's address and ports.</summary>
    public async Task<StartedSilo> WaitForStartedAsync(TimeSpan timeout)
    {
        var match = await WaitForLineAsync(StartedLine(), timeout);
        return new StartedSilo(
            match.Groups["address"].Value,
            int.Parse(match.Groups["silo"].Value, CultureInfo.InvariantCulture),
            int.Parse(match.Groups["gateway"].Value, CultureInfo.InvariantCulture),
            int.Parse(match.Groups["http"].Value, CultureInfo.InvariantCulture));
    }

    /// <summary>Waits (bounded) for the process to exit and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Name} (pid {Id}) did not exit within {timeout.TotalSeconds} s.");
        }

        process.WaitForExit(); // drains the output readers
        return process.ExitCode;
    }

    /// <summary>Crash: SIGKILL, no goodbye.</summary>
    public void Kill() => process.Kill(entireProcessTree: true);

    /// <summary>SIGTERM, as an orchestrator stops a process (graceful stop).</summary>
    public void Terminate()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })
            ?? throw new InvalidOperationException("Could not run kill -TERM");
        if (!kill.WaitForExit(TimeSpan.FromSeconds(10)) || kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -TERM {Id} failed.");
        }
    }

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already gone.
        }

        process.Dispose();
    }

    [GeneratedRegex(@"Silo (?<address>\S+) \(.*\) is active in cluster \S+: silo port (?<silo>\d+), gateway port (?<gateway>\d+), HTTP port (?<http>\d+)")]
    private static partial Regex StartedLine();
}

/// <summary>What a silo reported at startup.</summary>
public sealed record StartedSilo(string Address, int SiloPort, int GatewayPort, int HttpPort)
{
    public Uri HttpBase => new($"http://127.0.0.1:{HttpPort.ToString(CultureInfo.InvariantCulture)}/");
}
