using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

#pragma warning disable CA1050 // the runtime finds a startup hook by this exact name, outside any namespace

/// <summary>
/// Loaded into each server under test through <c>DOTNET_STARTUP_HOOKS</c> (the WebHost and the bare
/// baselines alike), so memory is read the same way on both without changing the WebHost: a
/// one-line TCP probe on <c>BENCH_PROBE_PORT</c> (127.0.0.1) that answers "gc" with the live
/// managed heap after three forced, blocking, compacting full collections, the GC heap size and the
/// working set (VmRSS).
/// </summary>
public static class StartupHook
{
    public static void Initialize()
    {
        if (!int.TryParse(Environment.GetEnvironmentVariable("BENCH_PROBE_PORT"), CultureInfo.InvariantCulture, out var port) || port <= 0)
        {
            return;
        }

        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        var thread = new Thread(() => Serve(listener)) { IsBackground = true, Name = "bench-probe" };
        thread.Start();
    }

    private static void Serve(TcpListener listener)
    {
        while (true)
        {
            try
            {
                using var client = listener.AcceptTcpClient();
                using var stream = client.GetStream();
                using var reader = new StreamReader(stream, Encoding.ASCII);
                using var writer = new StreamWriter(stream, Encoding.ASCII) { AutoFlush = true };
                if (reader.ReadLine() == "gc")
                {
                    for (var i = 0; i < 3; i++)
                    {
                        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
                        GC.WaitForPendingFinalizers();
                    }

                    var live = GC.GetTotalMemory(forceFullCollection: false);
                    var heap = GC.GetGCMemoryInfo(GCKind.Any).HeapSizeBytes;
                    var rss = Environment.WorkingSet;
                    writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{live} {heap} {rss}"));
                }
            }
            catch (IOException)
            {
            }
            catch (SocketException)
            {
            }
        }
    }
}
