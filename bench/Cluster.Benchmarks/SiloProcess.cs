using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Actors.Benchmarks.Cluster;

/// <summary>A real `dotnet Silo.dll` on 127.0.0.1, killed or stopped by the benchmark.</summary>
internal sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process process;

    private SiloProcess(Process process, int httpPort, string name)
    {
        this.process = process;
        HttpPort = httpPort;
        Name = name;
    }

    public int HttpPort { get; }

    public string Name { get; }

    public bool HasExited => process.HasExited;

    public static async Task<SiloProcess> StartAsync(string siloDll, string connectionString, string clusterId, string name)
    {
        var httpPort = FreePort();
        var start = new ProcessStartInfo("dotnet", [siloDll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ConnectionStrings__Postgres"] = connectionString;
        start.Environment["Actors__Cluster__ClusterId"] = clusterId;
        start.Environment["Actors__Cluster__SiloPort"] = "0";
        start.Environment["Actors__Cluster__GatewayPort"] = "0";
        start.Environment["Actors__Cluster__HttpPort"] = httpPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["Actors__Silo__SiloName"] = name;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__LogLevel__Actors"] = "Warning";
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the silo");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 }) Console.Error.WriteLine($"[{name}] {e.Data}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var silo = new SiloProcess(process, httpPort, name);
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{name} exited with {process.ExitCode}");
            }

            try
            {
                if ((await http.GetAsync(new Uri($"http://127.0.0.1:{httpPort}/readyz"))).IsSuccessStatusCode)
                {
                    return silo;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        await silo.DisposeAsync();
        throw new TimeoutException($"{name} did not become ready");
    }

    public void Kill() => process.Kill(entireProcessTree: true);

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
