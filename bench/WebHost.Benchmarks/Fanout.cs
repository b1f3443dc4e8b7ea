using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace Actors.WebHost.Benchmarks;

// ---- what travels (both servers send the same shapes) ----

/// <summary>The publisher's payload: <c>t</c> is its <see cref="Stopwatch"/> timestamp (CLOCK_MONOTONIC, comparable across processes), <c>n</c> its own counter.</summary>
public sealed record WirePayload(long T, long N, string Text);

/// <summary>What a receiver reads of an event (the rest of the JSON is skipped by the deserializer).</summary>
public sealed record WireEvent(long Seq, WireStamp Payload);

public sealed record WireStamp(long T);

public sealed record WireJoin(long LastSeq, bool Gap, WireEvent[]? Events);

public sealed record WireAck(long Seq);

/// <summary>Bounds of the current measurement, as Stopwatch timestamps: deliveries counted by arrival time, latency by publish time.</summary>
internal sealed record MeasureWindow(long CountFrom, long CountTo, long LatencyFrom, long LatencyTo)
{
    public static MeasureWindow None { get; } = new(long.MaxValue, long.MaxValue, long.MaxValue, long.MaxValue);

    private static MeasureWindow current = None;

    public static MeasureWindow Current
    {
        get => Volatile.Read(ref current);
        set => Volatile.Write(ref current, value);
    }
}

/// <summary>
/// One receiving connection: checks that seqs arrive contiguously (a jump records the missing seqs;
/// a late one is a reorder, a repeat a duplicate), counts deliveries in the window and records the
/// end-to-end latency of events published in the window.
/// </summary>
internal sealed class Receiver(HubConnection connection)
{
    private static readonly double TicksPerMicrosecond = Stopwatch.Frequency / 1_000_000.0;

    private readonly Lock gate = new();
    private long expected;
    private HashSet<long>? missing;
    private List<int> latencies = new(1024);

    public HubConnection Connection { get; } = connection;

    public long WindowDeliveries { get; private set; }

    public long Deliveries { get; private set; }

    public long Duplicates { get; private set; }

    public long Reordered { get; private set; }

    public long Resyncs;

    public long PresenceMessages;

    public long Expected
    {
        get
        {
            lock (gate)
            {
                return expected;
            }
        }
    }

    public int Missing
    {
        get
        {
            lock (gate)
            {
                return missing?.Count ?? 0;
            }
        }
    }

    public void Register()
    {
        Connection.On<string, WireEvent>("sessionEvent", (_, evt) => OnEvent(evt));
        Connection.On<string, JsonElement>("presence", (_, _) => Interlocked.Increment(ref PresenceMessages));
        Connection.On<string, JsonElement>("resync", (_, _) => Interlocked.Increment(ref Resyncs));
    }

    public void Start(long lastSeq)
    {
        lock (gate)
        {
            expected = lastSeq + 1;
        }
    }

    public void OnEvent(WireEvent evt)
    {
        var now = Stopwatch.GetTimestamp();
        var window = MeasureWindow.Current;
        lock (gate)
        {
            Deliveries++;
            if (evt.Seq == expected)
            {
                expected++;
            }
            else if (evt.Seq > expected)
            {
                missing ??= [];
                for (var seq = expected; seq < evt.Seq; seq++)
                {
                    missing.Add(seq);
                }

                expected = evt.Seq + 1;
            }
            else if (missing is not null && missing.Remove(evt.Seq))
            {
                Reordered++;
            }
            else
            {
                Duplicates++;
            }

            if (now >= window.CountFrom && now < window.CountTo)
            {
                WindowDeliveries++;
            }

            var published = evt.Payload.T;
            if (published >= window.LatencyFrom && published < window.LatencyTo)
            {
                latencies.Add((int)Math.Min(int.MaxValue, (now - published) / TicksPerMicrosecond));
            }
        }
    }

    /// <summary>Counters of the last run, cleared for the next; missing seqs are forgotten and the connection is moved past <paramref name="lastSeq"/>.</summary>
    public (long Window, long Lost, long Reordered, long Duplicates, long Resyncs, List<int> Latencies) Collect(long lastSeq)
    {
        lock (gate)
        {
            var lost = (missing?.Count ?? 0) + Math.Max(0, lastSeq - expected + 1);
            var result = (WindowDeliveries, lost, Reordered, Duplicates, Interlocked.Exchange(ref Resyncs, 0), latencies);
            latencies = new List<int>(Math.Max(1024, latencies.Count));
            WindowDeliveries = 0;
            Reordered = 0;
            Duplicates = 0;
            missing = null;
            expected = Math.Max(expected, lastSeq + 1);
            return result;
        }
    }
}

/// <summary>One server under the fan-out load: its receivers (all joined to one session) and its publisher connections.</summary>
internal sealed class FanoutTarget(string name, ServerProcess server, string sessionId, Receiver[] receivers, HubConnection[] publishers)
{
    public string Name { get; } = name;

    public ServerProcess Server { get; } = server;

    public string SessionId { get; } = sessionId;

    public Receiver[] Receivers { get; } = receivers;

    public HubConnection[] Publishers { get; } = publishers;

    public static async Task<FanoutTarget> ConnectAsync(
        string name, ServerProcess server, string sessionId, long lastSeq, IReadOnlyList<string?> receiverTokens, IReadOnlyList<string?> publisherTokens, int concurrency)
    {
        var hub = server.Url("/hubs/realtime");
        var receivers = new Receiver[receiverTokens.Count];
        using var gate = new SemaphoreSlim(concurrency);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, receivers.Length).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                var receiver = new Receiver(HubClients.Create(hub, receiverTokens[i]));
                receiver.Register();
                await receiver.Connection.StartAsync();
                var join = await receiver.Connection.InvokeCoreAsync<WireJoin>("JoinSession", [sessionId, lastSeq]);
                receiver.Start(join.LastSeq);
                receivers[i] = receiver;
            }
            finally
            {
                gate.Release();
            }
        }));
        Md.Progress($"fan-out: {name}: {receivers.Length} connections joined in {clock.Elapsed.TotalSeconds:0.0} s");

        var publishers = new HubConnection[publisherTokens.Count];
        for (var i = 0; i < publishers.Length; i++)
        {
            publishers[i] = HubClients.Create(hub, publisherTokens[i]);
            await publishers[i].StartAsync();
        }

        // Joins push presence to everyone already joined (the WebHost): wait until that traffic is over.
        var quietSince = Stopwatch.StartNew();
        var last = -1L;
        var settle = Stopwatch.StartNew();
        while (quietSince.Elapsed < TimeSpan.FromSeconds(1.5) && settle.Elapsed < TimeSpan.FromSeconds(120))
        {
            var total = receivers.Sum(r => Interlocked.Read(ref r.PresenceMessages));
            if (total != last)
            {
                last = total;
                quietSince.Restart();
            }

            await Task.Delay(100);
        }

        Md.Progress($"fan-out: {name}: settled after {settle.Elapsed.TotalSeconds:0.0} s ({last:N0} presence messages during the joins)");
        return new FanoutTarget(name, server, sessionId, receivers, publishers);
    }

    /// <summary>Receivers the server told to resync join again from where they are (as a real client does), so the next run starts clean.</summary>
    public async Task RejoinResyncedAsync(IReadOnlyCollection<Receiver> resynced)
    {
        foreach (var receiver in resynced)
        {
            var join = await receiver.Connection.InvokeCoreAsync<WireJoin>("JoinSession", [SessionId, receiver.Expected - 1]);
            foreach (var evt in join.Events ?? [])
            {
                receiver.OnEvent(evt);
            }
        }
    }

    public async Task DisconnectAsync()
    {
        foreach (var chunk in Receivers.Select(r => r.Connection).Concat(Publishers).Chunk(100))
        {
            await Task.WhenAll(chunk.Select(c => c.DisposeAsync().AsTask()));
        }
    }
}

internal sealed record FanoutResult(
    string Server,
    double OfferedEventsPerSecond,
    int Connections,
    double DeliveriesPerSecond,
    double P50Ms,
    double P99Ms,
    double MaxMs,
    long Lost,
    long Reordered,
    long Duplicates,
    long Resyncs,
    long PublishFailed,
    long PublishSkipped,
    long Published,
    double DrainMs,
    double ServerCpuPercent,
    double ClientCpuPercent,
    double ServerCpuMicrosPerDelivery,
    double ClientCpuMicrosPerDelivery,
    IReadOnlyDictionary<string, double> ServerThreadsCpuPercent)
{
    public double Offered => OfferedEventsPerSecond * Connections;

    /// <summary>
    /// Kept up: nothing lost, reordered or resynced, every publish acknowledged and sent on time,
    /// at least 95 % of the offered deliveries arrived inside the window, p99 ≤ the lag bound, and the
    /// backlog drained within 2 s of the last publish.
    /// </summary>
    public bool KeptUp(double maxP99Ms) => Delivered && P99Ms <= maxP99Ms && DrainMs <= 2000;

    /// <summary>Throughput only: nothing lost, reordered or resynced, every publish acknowledged and sent, ≥ 95 % of the offered deliveries inside the window (latency not bounded).</summary>
    public bool Delivered =>
        Lost == 0 && Reordered == 0 && Resyncs == 0 && PublishFailed == 0 && PublishSkipped == 0 && DeliveriesPerSecond >= 0.95 * Offered;

    public string Verdict(double maxP99Ms)
    {
        if (KeptUp(maxP99Ms))
        {
            return "kept up";
        }

        var reasons = new List<string>();
        if (Lost > 0) reasons.Add($"{Lost:N0} lost");
        if (Reordered > 0) reasons.Add($"{Reordered:N0} reordered");
        if (Resyncs > 0) reasons.Add($"{Resyncs:N0} resync");
        if (PublishFailed > 0) reasons.Add($"{PublishFailed:N0} publishes failed");
        if (PublishSkipped > 0) reasons.Add($"{PublishSkipped:N0} publishes not sent (publisher backlog)");
        if (DeliveriesPerSecond < 0.95 * Offered) reasons.Add($"delivered {DeliveriesPerSecond / Offered:P0} of offered");
        if (P99Ms > maxP99Ms) reasons.Add($"p99 {P99Ms:N0} ms");
        if (DrainMs > 2000) reasons.Add($"drain {DrainMs / 1000:0.0} s");
        return "lag/loss: " + string.Join(", ", reasons);
    }
}

/// <summary>
/// Publishes at an offered rate (open loop, spread over several publisher connections) for a fixed
/// window and measures what the receivers got.
/// </summary>
internal static class FanoutRunner
{
    private const string Text = "the quick brown fox jumps over the lazy dog while the bench counts";

    public static async Task<FanoutResult> RunAsync(FanoutTarget target, double rate, double warmupSeconds, double seconds, int maxInFlight)
    {
        var frequency = Stopwatch.Frequency;
        var start = Stopwatch.GetTimestamp() + frequency / 5;
        var from = start + (long)(warmupSeconds * frequency);
        var end = from + (long)(seconds * frequency);
        MeasureWindow.Current = new MeasureWindow(from, end, from, end);

        var cpu = SampleCpuAsync(target.Server.Pid, from, end);
        var publisherTask = PublishAsync(target, rate, start, end, maxInFlight);
        var publish = await publisherTask;
        var (serverCpu, clientCpu, threads) = await cpu;

        // Drain: until every receiver has the last acknowledged seq (or 10 s).
        var drain = Stopwatch.StartNew();
        while (drain.Elapsed < TimeSpan.FromSeconds(10) && target.Receivers.Any(r => r.Expected <= publish.MaxSeq || r.Missing > 0))
        {
            await Task.Delay(5);
        }

        var drainMs = Math.Max(0, (Stopwatch.GetTimestamp() - end) * 1000.0 / frequency);
        MeasureWindow.Current = MeasureWindow.None;
        await Task.Delay(200); // late duplicates, if any, show up in this run's counters

        long window = 0, lost = 0, reordered = 0, duplicates = 0, resyncs = 0;
        var all = new List<int>();
        var resynced = new List<Receiver>();
        foreach (var receiver in target.Receivers)
        {
            var c = receiver.Collect(publish.MaxSeq);
            window += c.Window;
            lost += c.Lost;
            reordered += c.Reordered;
            duplicates += c.Duplicates;
            resyncs += c.Resyncs;
            all.AddRange(c.Latencies);
            if (c.Resyncs > 0)
            {
                resynced.Add(receiver);
            }
        }

        if (resynced.Count > 0)
        {
            await target.RejoinResyncedAsync(resynced);
            foreach (var receiver in resynced)
            {
                receiver.Collect(publish.MaxSeq);
            }
        }

        var sorted = all.ToArray();
        Array.Sort(sorted);
        var deliveriesPerSecond = window / seconds;
        return new FanoutResult(
            target.Name,
            rate,
            target.Receivers.Length,
            deliveriesPerSecond,
            Stats.Percentile(sorted, 50) / 1000,
            Stats.Percentile(sorted, 99) / 1000,
            sorted.Length == 0 ? double.NaN : sorted[^1] / 1000.0,
            lost,
            reordered,
            duplicates,
            resyncs,
            publish.Failed,
            publish.Skipped,
            publish.Acked,
            drainMs,
            serverCpu.TotalSeconds / seconds * 100,
            clientCpu.TotalSeconds / seconds * 100,
            window == 0 ? double.NaN : serverCpu.TotalMicroseconds / window,
            window == 0 ? double.NaN : clientCpu.TotalMicroseconds / window,
            threads.ToDictionary(t => t.Key, t => t.Value.TotalSeconds / seconds * 100));
    }

    private sealed record PublishStats(long Acked, long Failed, long Skipped, long MaxSeq);

    private static async Task<PublishStats> PublishAsync(FanoutTarget target, double rate, long start, long end, int maxInFlight)
    {
        long sent = 0, skipped = 0, acked = 0, failed = 0, maxSeq = 0;
        var inFlight = 0;
        var pending = new List<Task>();
        while (Stopwatch.GetTimestamp() < start)
        {
            await Task.Delay(1);
        }

        while (true)
        {
            var now = Stopwatch.GetTimestamp();
            if (now >= end)
            {
                break;
            }

            var due = (long)((now - start) * rate / Stopwatch.Frequency) + 1;
            while (sent < due)
            {
                var n = sent++;
                if (Volatile.Read(ref inFlight) >= maxInFlight)
                {
                    skipped++;
                    continue;
                }

                Interlocked.Increment(ref inFlight);
                pending.Add(PublishOneAsync(target.Publishers[n % target.Publishers.Length], n));
            }

            await Task.Delay(1);
        }

        var all = Task.WhenAll(pending);
        await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(30)));
        return new PublishStats(Interlocked.Read(ref acked), Interlocked.Read(ref failed) + pending.Count(t => !t.IsCompleted), skipped, Interlocked.Read(ref maxSeq));

        async Task PublishOneAsync(HubConnection publisher, long n)
        {
            try
            {
                var ack = await publisher.InvokeCoreAsync<WireAck>("Publish", [target.SessionId, "bench.tick", new WirePayload(Stopwatch.GetTimestamp(), n, Text), null]);
                Interlocked.Increment(ref acked);
                long seen;
                while ((seen = Interlocked.Read(ref maxSeq)) < ack.Seq && Interlocked.CompareExchange(ref maxSeq, ack.Seq, seen) != seen)
                {
                }
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                if (Interlocked.Increment(ref failed) == 1)
                {
                    Md.Progress($"fan-out: {target.Name}: publish failed: {exception.Message}");
                }
            }
            finally
            {
                Interlocked.Decrement(ref inFlight);
            }
        }
    }

    private static async Task<(TimeSpan Server, TimeSpan Client, Dictionary<string, TimeSpan> Threads)> SampleCpuAsync(int pid, long from, long to)
    {
        await DelayUntil(from);
        var server0 = ProcStat.Cpu(pid);
        var client0 = ProcStat.SelfCpu();
        var threads0 = ProcStat.CpuByThreadName(pid);
        await DelayUntil(to);
        var server1 = ProcStat.Cpu(pid);
        var client1 = ProcStat.SelfCpu();
        var threads1 = ProcStat.CpuByThreadName(pid);
        var threads = threads1.ToDictionary(t => t.Key, t => t.Value - threads0.GetValueOrDefault(t.Key));
        return (server1 - server0, client1 - client0, threads);
    }

    private static async Task DelayUntil(long timestamp)
    {
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), timestamp);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }
    }
}
