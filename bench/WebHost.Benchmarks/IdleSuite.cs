using System.Diagnostics;
using Microsoft.AspNetCore.SignalR.Client;

namespace Actors.WebHost.Benchmarks;

/// <summary>
/// Memory per idle connection: a freshly started server, warmed up with a few hundred connections,
/// probed (forced full GCs, then live heap and VmRSS), then N idle hub connections opened (connected
/// and, on the WebHost, authenticated and counted in the user's presence; not joined to a session),
/// probed again. The growth divided by N is the cost of one idle connection. Each cycle closes the
/// connections and waits for the server to forget them before the next.
/// </summary>
internal static class IdleSuite
{
    public sealed record Cycle(int Connections, double ConnectSeconds, MemoryProbe Before, MemoryProbe After)
    {
        public double LiveHeapPerConnection => (After.LiveHeapBytes - Before.LiveHeapBytes) / (double)Connections;

        public double GcHeapPerConnection => (After.GcHeapSizeBytes - Before.GcHeapSizeBytes) / (double)Connections;

        public double WorkingSetPerConnection => (After.WorkingSetBytes - Before.WorkingSetBytes) / (double)Connections;
    }

    public static async Task<List<Cycle>> RunAsync(BenchSettings settings, ServerProcess server, IReadOnlyList<string?> tokens)
    {
        var hub = server.Url("/hubs/realtime");
        var cycles = new List<Cycle>();

        // Warm-up: JIT, pools and the user grains (on the WebHost) exist before the first probe.
        var warm = await OpenAsync(hub, tokens, 300);
        await CloseAsync(warm);
        await Task.Delay(settings.IdleForgetDelay);

        for (var cycle = 0; cycle < settings.IdleCycles; cycle++)
        {
            var before = await server.ProbeMemoryAsync();
            var clock = Stopwatch.StartNew();
            var connections = await OpenAsync(hub, tokens, settings.IdleConnections);
            var connectSeconds = clock.Elapsed.TotalSeconds;
            await Task.Delay(TimeSpan.FromSeconds(3));
            var connected = connections.Count(c => c.State == HubConnectionState.Connected);
            if (connected != connections.Count)
            {
                throw new InvalidOperationException($"{server.Name}: only {connected} of {connections.Count} connections stayed connected");
            }

            await server.ProbeMemoryAsync();
            var after = await server.ProbeMemoryAsync();
            var result = new Cycle(connections.Count, connectSeconds, before, after);
            cycles.Add(result);
            Md.Progress($"idle: {server.Name} cycle {cycle + 1}: {connections.Count:N0} connections in {connectSeconds:0.0} s; " +
                        $"live heap {result.LiveHeapPerConnection / 1024:0.0} KB/conn, GC heap {result.GcHeapPerConnection / 1024:0.0} KB/conn, working set {result.WorkingSetPerConnection / 1024:0.0} KB/conn");
            await CloseAsync(connections);
            await Task.Delay(settings.IdleForgetDelay);
        }

        return cycles;
    }

    private static async Task<List<HubConnection>> OpenAsync(Uri hub, IReadOnlyList<string?> tokens, int count)
    {
        var connections = new HubConnection[count];
        using var gate = new SemaphoreSlim(64);
        await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                var connection = HubClients.Create(hub, tokens[i % tokens.Count]);
                await connection.StartAsync();
                connections[i] = connection;
            }
            finally
            {
                gate.Release();
            }
        }));
        return [.. connections];
    }

    private static async Task CloseAsync(List<HubConnection> connections)
    {
        foreach (var chunk in connections.Chunk(200))
        {
            await Task.WhenAll(chunk.Select(c => c.DisposeAsync().AsTask()));
        }
    }
}
