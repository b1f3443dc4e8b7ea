using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Actors.WebHost.Benchmarks;

/// <summary>
/// A server under test: the real WebHost (<c>dotnet WebHost.dll</c>) or a bare baseline
/// (<c>dotnet WebHost.Benchmarks.dll bare</c>), on 127.0.0.1, its output in a log file.
/// Every pid is appended to the pids file so <c>scripts/bench-web.sh</c> can stop what is left.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StreamWriter log;
    private readonly string pidsFile;

    private ServerProcess(string name, Process process, StreamWriter log, int port, int probePort, string pidsFile)
    {
        this.pidsFile = pidsFile;
        Name = name;
        this.process = process;
        this.log = log;
        Port = port;
        ProbePort = probePort;
    }

    public string Name { get; }

    public int Port { get; }

    /// <summary>The startup hook's memory probe (see <see cref="global::StartupHook"/>).</summary>
    public int ProbePort { get; }

    public int Pid => process.Id;

    public string BaseUrl => $"http://127.0.0.1:{Port}";

    public Uri Url(string path) => new(BaseUrl + path);

    public static async Task<ServerProcess> StartAsync(string name, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, BenchSettings settings)
    {
        var port = FreePort();
        var probePort = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_STARTUP_HOOKS"] = typeof(ServerProcess).Assembly.Location;
        start.Environment["BENCH_PROBE_PORT"] = probePort.ToString(CultureInfo.InvariantCulture);
        start.Environment.Remove("DOTNET_gcServer");
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        Directory.CreateDirectory(settings.LogDirectory);
        var logPath = Path.Combine(settings.LogDirectory, $"{name}-{DateTime.UtcNow:HHmmss}.log");
        var log = new StreamWriter(logPath) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {name}");
        PidsFile.Add(settings.PidsFile, process.Id);
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ServerProcess(name, process, log, port, probePort, settings.PidsFile);

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{name} exited with {process.ExitCode}; see {logPath}");
            }

            try
            {
                if ((await http.GetAsync(server.Url("/healthz"))).IsSuccessStatusCode)
                {
                    return server;
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        await server.DisposeAsync();
        throw new TimeoutException($"{name} did not answer /healthz in 90 s; see {logPath}");
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            log.WriteLine(line);
        }
    }

    /// <summary>Forces full blocking compacting GCs inside the server and reads its memory (through the startup hook).</summary>
    public async Task<MemoryProbe> ProbeMemoryAsync()
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ProbePort);
        await using var stream = client.GetStream();
        await using var writer = new StreamWriter(stream) { AutoFlush = true };
        using var reader = new StreamReader(stream);
        await writer.WriteLineAsync("gc");
        var line = await reader.ReadLineAsync() ?? throw new InvalidOperationException($"{Name}: the memory probe closed without an answer");
        var parts = line.Split(' ');
        return new MemoryProbe(
            long.Parse(parts[0], CultureInfo.InvariantCulture),
            long.Parse(parts[1], CultureInfo.InvariantCulture),
            long.Parse(parts[2], CultureInfo.InvariantCulture));
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }

        PidsFile.Remove(pidsFile, process.Id);
        process.Dispose();
        lock (log)
        {
            log.Dispose();
        }
    }
}

/// <summary>
/// The pids of the processes this program started and that still run (servers, wrk), one per line,
/// for the exit trap of <c>scripts/bench-web.sh</c>; a pid leaves the file when its process ends.
/// </summary>
internal static class PidsFile
{
    private static readonly Lock Gate = new();

    public static void Add(string path, int pid)
    {
        lock (Gate)
        {
            File.AppendAllText(path, pid.ToString(CultureInfo.InvariantCulture) + Environment.NewLine);
        }
    }

    public static void Remove(string path, int pid)
    {
        lock (Gate)
        {
            if (File.Exists(path))
            {
                var text = pid.ToString(CultureInfo.InvariantCulture);
                File.WriteAllLines(path, File.ReadAllLines(path).Where(line => line.Trim() != text));
            }
        }
    }
}

/// <summary>Memory of a server after forced full GCs: live managed heap, GC heap size, working set (VmRSS).</summary>
internal readonly record struct MemoryProbe(long LiveHeapBytes, long GcHeapSizeBytes, long WorkingSetBytes);

/// <summary>CPU time of a process from <c>/proc/&lt;pid&gt;/stat</c> (utime + stime), and per thread name.</summary>
internal static class ProcStat
{
    private static readonly double TicksPerSecond = 100.0; // USER_HZ on Linux

    public static TimeSpan Cpu(int pid) => ParseCpu(File.ReadAllText($"/proc/{pid}/stat"));

    public static TimeSpan SelfCpu() => Cpu(Environment.ProcessId);

    /// <summary>CPU time per thread name (comm), summed over the threads of that name.</summary>
    public static Dictionary<string, TimeSpan> CpuByThreadName(int pid)
    {
        var result = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        string[] tasks;
        try
        {
            tasks = Directory.GetDirectories($"/proc/{pid}/task");
        }
        catch (IOException)
        {
            return result;
        }

        foreach (var task in tasks)
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                var open = stat.IndexOf('(', StringComparison.Ordinal);
                var close = stat.LastIndexOf(')');
                var name = ThreadGroup(stat[(open + 1)..close]);
                result[name] = result.GetValueOrDefault(name) + ParseCpu(stat);
            }
            catch (IOException)
            {
                // the thread ended meanwhile
            }
        }

        return result;
    }

    /// <summary>Folds numbered thread names (".NET TP Worker", "Kestrel…") into groups.</summary>
    private static string ThreadGroup(string comm) => comm.TrimEnd('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ' ', '#', '-');

    private static TimeSpan ParseCpu(string stat)
    {
        // Fields after the command (which may contain spaces) start at index 3: state is field 3, utime 14, stime 15.
        var close = stat.LastIndexOf(')');
        var fields = stat[(close + 2)..].Split(' ');
        var utime = long.Parse(fields[11], CultureInfo.InvariantCulture);
        var stime = long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds((utime + stime) / TicksPerSecond);
    }
}
