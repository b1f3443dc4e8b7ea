using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace Actors.WebHost.Benchmarks;

/// <summary>
/// The operator dashboard's cost: one WebHost, a REST load of grain calls (wrk, <c>GET /api/resources/{id}</c>
/// with a normal user's token: the resource grain and its access check with the session grain), in
/// phases that alternate closed / open / open / closed … (ABBA, so drift cancels within each pair).
/// "Open" is an operator connected to <c>/hubs/dashboard</c> the way the browser does it (token in the
/// <c>access_token</c> query string, <c>GetHistory</c> and <c>GetRecentLogs</c> on connect) and receiving
/// snapshots: the phase starts only once the first snapshot has arrived, and the snapshots received
/// inside the window are counted. Also measured without load: the WebHost's CPU with the dashboard
/// open vs closed (the sampling and push alone).
/// </summary>
internal static class DashboardSuite
{
    public sealed record LoadPhase(int Pair, bool Open, RestSuite.WrkResult Wrk, int Snapshots, int LogsMessages, double GrainCallsPerSecond, double SnapshotKilobytes);

    public sealed record IdlePhase(int Pair, bool Open, double ServerCpuMsPerSecond, int Snapshots);

    /// <summary>Runs the suite on a WebHost of its own (started through <paramref name="startWebHost"/> with the operator email) and reports it.</summary>
    public static async Task RunAsync(
        BenchSettings settings,
        Func<IReadOnlyDictionary<string, string>, Task<ServerProcess>> startWebHost,
        Func<ServerProcess, Task> stop,
        List<string[]> summary)
    {
        var operatorEmail = $"bench-operator-{Guid.NewGuid():N}@bench.test";
        var webHost = await startWebHost(new Dictionary<string, string>
        {
            ["Actors__Bootstrap__OperatorEmails"] = operatorEmail,
            // A failed sample is logged at Debug: into the server's log, so a dashboard that gets no snapshots says why.
            ["Logging__LogLevel__Actors.WebHost.Dashboard"] = "Debug",
        });
        try
        {
            using var api = new PlatformApi(new Uri(webHost.BaseUrl));
            Md.Progress("dashboard: setup: an operator, a user, the user's session and resource");
            var operatorUser = await api.RegisterAsync("bench-operator", operatorEmail);
            var user = await api.RegisterAsync("bench-dashboard-user");
            var sessionId = await api.CreateSessionAsync(user, "dashboard bench");
            var resourceId = await api.CreateResourceAsync(user, sessionId, "bench document", new { title = "Quarterly plan", status = "draft" });
            var path = $"/api/resources/{resourceId}";
            var refused = await RefusedAsync(webHost, user.Token);

            Md.Progress($"dashboard: warm-up, {settings.DashboardWarmupSeconds} s closed then {settings.DashboardWarmupSeconds} s open");
            await RestSuite.WrkAsync(settings, webHost, path, user.Token, settings.DashboardWarmupSeconds);
            await using (var warm = await DashboardWatcher.OpenAsync(webHost, operatorUser.Token))
            {
                var result = await RestSuite.WrkAsync(settings, webHost, path, user.Token, settings.DashboardWarmupSeconds);
                if (result.Non2xx > 0)
                {
                    throw new InvalidOperationException($"the WebHost answered {result.Non2xx} non-2xx responses in the warm-up");
                }
            }

            var load = new List<LoadPhase>();
            for (var pair = 0; pair < settings.DashboardPairs; pair++)
            {
                foreach (var open in Order(pair))
                {
                    var phase = await LoadAsync(settings, webHost, path, user.Token, operatorUser.Token, pair + 1, open);
                    load.Add(phase);
                    var w = phase.Wrk;
                    Md.Progress($"dashboard: pair {pair + 1} {(open ? "open  " : "closed")}: {w.RequestsPerSecond:N0} req/s, p50 {w.P50Ms:0.00} ms, p99 {w.P99Ms:0.00} ms, server CPU {w.ServerCpuPercent:0} % ({w.ServerCpuMicrosPerRequest:0.0} µs/req), non-2xx {w.Non2xx}" +
                                (open ? $", snapshots {phase.Snapshots}, logs {phase.LogsMessages}, grain calls/s (dashboard) {phase.GrainCallsPerSecond:N0}" : ""));
                }
            }

            // Without load: what the sampling and the push cost the WebHost's CPU (after the load has settled:
            // for a few seconds after the load the server still burns CPU, which would bias the first pair).
            await Task.Delay(TimeSpan.FromSeconds(10));
            var idle = new List<IdlePhase>();
            for (var pair = 0; pair < settings.DashboardIdlePairs; pair++)
            {
                foreach (var open in Order(pair))
                {
                    await Task.Delay(TimeSpan.FromSeconds(2)); // the sampler notices a disconnect within 1 s
                    var phase = await IdleAsync(settings, webHost, operatorUser.Token, pair + 1, open);
                    idle.Add(phase);
                    Md.Progress($"dashboard: idle pair {pair + 1} {(open ? "open  " : "closed")}: server CPU {phase.ServerCpuMsPerSecond:0.0} ms/s, snapshots {phase.Snapshots}");
                }
            }

            Report(settings, load, idle, refused, summary);
        }
        finally
        {
            await stop(webHost);
        }
    }

    /// <summary>Time between the end of one load phase and the start of the next.</summary>
    private static readonly TimeSpan PhaseGap = TimeSpan.FromSeconds(4);

    /// <summary>Closed then open on even pairs, open then closed on odd ones.</summary>
    private static bool[] Order(int pair) => pair % 2 == 0 ? [false, true] : [true, false];

    private static async Task<LoadPhase> LoadAsync(BenchSettings settings, ServerProcess webHost, string path, string userToken, string operatorToken, int pair, bool open)
    {
        // Every phase starts its load the same time after the previous one ended (the open phase connects
        // and waits for its first snapshot inside that gap), so the server has as long to settle either way.
        var gap = Stopwatch.StartNew();
        if (!open)
        {
            await Task.Delay(PhaseGap);
            var result = await RestSuite.WrkAsync(settings, webHost, path, userToken, settings.DashboardSeconds);
            return new LoadPhase(pair, false, result, 0, 0, double.NaN, double.NaN);
        }

        await using var watcher = await DashboardWatcher.OpenAsync(webHost, operatorToken);
        if (gap.Elapsed < PhaseGap)
        {
            await Task.Delay(PhaseGap - gap.Elapsed);
        }
        else
        {
            Md.Progress($"dashboard: connecting took {gap.Elapsed.TotalSeconds:0.0} s, longer than the {PhaseGap.TotalSeconds:0} s gap");
        }

        var before = watcher.Counts();
        var wrk = await RestSuite.WrkAsync(settings, webHost, path, userToken, settings.DashboardSeconds);
        var after = watcher.Counts();
        var points = watcher.CallsPerSecondSince(before.Snapshots);
        return new LoadPhase(pair, true, wrk, after.Snapshots - before.Snapshots, after.Logs - before.Logs, Stats.Median(points), watcher.LastSnapshotBytes / 1024.0);
    }

    private static async Task<IdlePhase> IdleAsync(BenchSettings settings, ServerProcess webHost, string operatorToken, int pair, bool open)
    {
        var window = TimeSpan.FromSeconds(settings.DashboardIdleSeconds);
        if (!open)
        {
            var (cpu, elapsed) = await CpuOverAsync(webHost, window);
            return new IdlePhase(pair, false, cpu.TotalMilliseconds / elapsed.TotalSeconds, 0);
        }

        await using var watcher = await DashboardWatcher.OpenAsync(webHost, operatorToken);
        var before = watcher.Counts();
        var (openCpu, openElapsed) = await CpuOverAsync(webHost, window);
        return new IdlePhase(pair, true, openCpu.TotalMilliseconds / openElapsed.TotalSeconds, watcher.Counts().Snapshots - before.Snapshots);
    }

    private static async Task<(TimeSpan Cpu, TimeSpan Elapsed)> CpuOverAsync(ServerProcess server, TimeSpan window)
    {
        var before = ProcStat.Cpu(server.Pid);
        var clock = Stopwatch.StartNew();
        await Task.Delay(window);
        return (ProcStat.Cpu(server.Pid) - before, clock.Elapsed);
    }

    /// <summary>A non-operator must not get a dashboard: checks the hub refuses the user's token.</summary>
    private static async Task<bool> RefusedAsync(ServerProcess webHost, string userToken)
    {
        await using var connection = HubClients.Create(DashboardWatcher.HubUrl(webHost, userToken), null);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await connection.StartAsync(timeout.Token);
            return false;
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            return true;
        }
    }

    private static void Report(BenchSettings settings, List<LoadPhase> load, List<IdlePhase> idle, bool refused, List<string[]> summary)
    {
        Md.Line("### Dashboard cost: calls/s with the dashboard open vs closed");
        Md.Line();
        Md.Line($"One WebHost (Embedded, PostgreSQL). Load: `wrk -t{settings.RestThreads} -c{settings.RestConnections} -d{settings.DashboardSeconds}s` on `GET /api/resources/{{id}}` with a normal user's token (grain calls: the resource grain and its access check with the session grain). " +
                $"{settings.DashboardPairs} pairs of phases after a warm-up, ordered closed/open, open/closed, … (ABBA); every phase starts its load 4 s after the previous one ended. *Open*: an operator connected to `/hubs/dashboard` (token in `access_token`, `GetHistory` + `GetRecentLogs` on connect), " +
                $"connected inside that gap, the window starts after its first `snapshot` arrived. The user's token is refused by the hub: {(refused ? "yes" : "**no**")}.");
        Md.Line();
        var rows = load.Select(p => new[]
        {
            p.Pair.ToString(CultureInfo.InvariantCulture),
            p.Open ? "open" : "closed",
            Stats.F(p.Wrk.RequestsPerSecond),
            Stats.F(p.Wrk.P50Ms, 2),
            Stats.F(p.Wrk.P99Ms, 2),
            Stats.F(p.Wrk.ServerCpuPercent),
            Stats.F(p.Wrk.ServerCpuMicrosPerRequest, 1),
            p.Open ? p.Snapshots.ToString(CultureInfo.InvariantCulture) : "–",
            p.Open ? Stats.F(p.GrainCallsPerSecond) : "–",
            p.Open ? Stats.F(p.SnapshotKilobytes, 1) : "–",
            p.Wrk.Non2xx.ToString(CultureInfo.InvariantCulture),
        });
        Md.Table(["pair", "dashboard", "calls/s (req/s)", "p50 ms", "p99 ms", "server CPU %", "server CPU µs/req", "snapshots in window", "grain calls/s (from snapshots)", "snapshot KB", "non-2xx"], rows,
            [true, false, true, true, true, true, true, true, true, true, true]);

        var ratios = Pairs(load).Select(p => p.Open.Wrk.RequestsPerSecond / p.Closed.Wrk.RequestsPerSecond).ToList();
        var cpuRatios = Pairs(load).Select(p => p.Open.Wrk.ServerCpuMicrosPerRequest / p.Closed.Wrk.ServerCpuMicrosPerRequest).ToList();
        var noise = SameKindNeighbours(load).ToList();
        var ratio = Stats.Median(ratios);
        var absolute = Stats.Median(ratios.Select(r => Math.Abs(r - 1) * 100));
        var snapshots = load.Where(p => p.Open).Select(p => p.Snapshots).ToList();
        Md.Line($"Open / closed calls/s per pair: {string.Join(", ", ratios.Select(Stats.Ratio))}; **median {Stats.Ratio(ratio)}** ({Pct(ratio - 1)}), median absolute difference {absolute:0.0} %. " +
                $"Server CPU per request, open / closed: median {Stats.Ratio(Stats.Median(cpuRatios))} (per pair: {string.Join(", ", cpuRatios.Select(Stats.Ratio))}). " +
                $"Noise floor, same-kind neighbours (phases {string.Join(", ", noise.Select(n => n.Label))}): median absolute difference {Stats.Median(noise.Select(n => n.AbsolutePercent)):0.0} %. " +
                $"Snapshots per {settings.DashboardSeconds} s open window: {string.Join(", ", snapshots)} (min {snapshots.DefaultIfEmpty().Min()}). " +
                $"Median calls/s closed {Stats.F(Stats.Median(load.Where(p => !p.Open).Select(p => p.Wrk.RequestsPerSecond)))}, open {Stats.F(Stats.Median(load.Where(p => p.Open).Select(p => p.Wrk.RequestsPerSecond)))}.");
        Md.Line();

        Md.Line($"Without load ({settings.DashboardIdlePairs} pairs of {settings.DashboardIdleSeconds} s, same alternation): WebHost CPU in ms per second of wall clock.");
        Md.Line();
        Md.Table(["pair", "closed: CPU ms/s", "open: CPU ms/s", "open − closed", "snapshots (open)"], idle.GroupBy(p => p.Pair).Select(g =>
        {
            var closed = g.First(p => !p.Open);
            var open = g.First(p => p.Open);
            return new[]
            {
                g.Key.ToString(CultureInfo.InvariantCulture), Stats.F(closed.ServerCpuMsPerSecond, 1), Stats.F(open.ServerCpuMsPerSecond, 1),
                Signed(open.ServerCpuMsPerSecond - closed.ServerCpuMsPerSecond), open.Snapshots.ToString(CultureInfo.InvariantCulture),
            };
        }), [true, true, true, true, true]);
        var idleExtra = Stats.Median(idle.GroupBy(p => p.Pair).Select(g => g.First(p => p.Open).ServerCpuMsPerSecond - g.First(p => !p.Open).ServerCpuMsPerSecond));

        var idleSnapshotsPerSecond = Stats.Median(idle.Where(p => p.Open).Select(p => p.Snapshots / (double)settings.DashboardIdleSeconds));
        Md.Line($"Median extra CPU while open: {Signed(idleExtra)} ms per second ({Signed(idleExtra / 10)} % of one core; {Signed(idleExtra / idleSnapshotsPerSecond)} ms per snapshot at {idleSnapshotsPerSecond:0.0} snapshots/s).");
        Md.Line();

        var live = snapshots.Count > 0 && snapshots.Min() >= 0.8 * settings.DashboardSeconds;
        var floor = Stats.Median(noise.Select(n => n.AbsolutePercent));
        summary.Add([
            "dashboard open costs ≤ 3 % of calls/s (open vs closed, same run)",
            $"{Stats.Ratio(ratio)} median of {ratios.Count} open/closed pairs ({Pct(ratio - 1)}; median absolute difference {absolute:0.0} %, like-phase noise {floor:0.0} %); {SnapshotRange(snapshots)} snapshots per {settings.DashboardSeconds} s window; idle WebHost CPU {Signed(idleExtra)} ms/s while open",
            !live ? "**not measured** (the dashboard did not receive snapshots)"
                : (ratio >= 0.97 ? "met" : "**not met**") + (floor > 3 ? $" (phases of the same kind differ by {floor:0.0} %: this run cannot resolve 3 %)" : ""),
        ]);
    }

    private static string SnapshotRange(List<int> snapshots) =>
        snapshots.Count == 0 ? "0" : snapshots.Min() == snapshots.Max() ? $"{snapshots.Min()}" : $"{snapshots.Min()}–{snapshots.Max()}";

    private static string Signed(double value) => (value >= 0 ? "+" : "−") + Math.Abs(value).ToString("0.0", CultureInfo.InvariantCulture);

    private static string Pct(double fraction) => (fraction >= 0 ? "+" : "−") + Math.Abs(fraction * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %";

    private static IEnumerable<(LoadPhase Closed, LoadPhase Open)> Pairs(List<LoadPhase> load) =>
        load.GroupBy(p => p.Pair).Where(g => g.Any(p => p.Open) && g.Any(p => !p.Open)).Select(g => (g.First(p => !p.Open), g.First(p => p.Open)));

    /// <summary>Adjacent phases of the same kind (open/open or closed/closed across a pair boundary): how far two like phases differ.</summary>
    private static IEnumerable<(string Label, double AbsolutePercent)> SameKindNeighbours(List<LoadPhase> load)
    {
        for (var i = 1; i < load.Count; i++)
        {
            if (load[i].Open == load[i - 1].Open)
            {
                yield return ($"{i}–{i + 1}", Math.Abs(load[i].Wrk.RequestsPerSecond / load[i - 1].Wrk.RequestsPerSecond - 1) * 100);
            }
        }
    }
}

/// <summary>
/// An operator's dashboard connection: counts the <c>snapshot</c> and <c>logs</c> messages (the .NET
/// client matches method names case-sensitively: these are the contract's names) and keeps
/// each snapshot's cluster-wide grain calls/s. Opening waits for the first snapshot (the sampler's first
/// sample after a connect is only the baseline for rates, so it arrives about 1 s later).
/// </summary>
internal sealed class DashboardWatcher : IAsyncDisposable
{
    private readonly HubConnection connection;
    private readonly Lock gate = new();
    private readonly List<double> callsPerSecond = [];
    private readonly TaskCompletionSource firstSnapshot = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int logs;

    private DashboardWatcher(HubConnection connection)
    {
        this.connection = connection;
        connection.On<JsonElement>("snapshot", snapshot =>
        {
            try
            {
                var rate = snapshot.GetProperty("point").GetProperty("callsPerSecond").GetDouble();
                var bytes = snapshot.GetRawText().Length;
                lock (gate)
                {
                    callsPerSecond.Add(rate);
                    LastSnapshotBytes = bytes;
                }

                firstSnapshot.TrySetResult();
            }
            catch (Exception exception) when (exception is InvalidOperationException or KeyNotFoundException or FormatException)
            {
                firstSnapshot.TrySetException(new InvalidOperationException($"unexpected snapshot: {snapshot.GetRawText()[..Math.Min(500, snapshot.GetRawText().Length)]}", exception));
            }
        });
        connection.On<JsonElement>("logs", _ => Interlocked.Increment(ref logs));
    }

    public int LastSnapshotBytes { get; private set; }

    public static Uri HubUrl(ServerProcess server, string token) => server.Url("/hubs/dashboard?access_token=" + Uri.EscapeDataString(token));

    public static async Task<DashboardWatcher> OpenAsync(ServerProcess server, string operatorToken)
    {
        var watcher = new DashboardWatcher(HubClients.Create(HubUrl(server, operatorToken), null));
        var stage = "connecting";
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await watcher.connection.StartAsync(timeout.Token);
            stage = "GetHistory";
            await watcher.connection.InvokeAsync<JsonElement>("GetHistory", timeout.Token);
            stage = "GetRecentLogs";
            await watcher.connection.InvokeAsync<JsonElement>("GetRecentLogs", timeout.Token);
            stage = "waiting for the first snapshot";
            await watcher.firstSnapshot.Task.WaitAsync(timeout.Token);
            return watcher;
        }
        catch (OperationCanceledException)
        {
            var state = watcher.connection.State;
            await watcher.DisposeAsync();
            throw new TimeoutException($"the dashboard got stuck {stage} (30 s; connection {state}, logs messages {Volatile.Read(ref watcher.logs)})");
        }
        catch
        {
            await watcher.DisposeAsync();
            throw;
        }
    }

    public (int Snapshots, int Logs) Counts()
    {
        lock (gate)
        {
            return (callsPerSecond.Count, Volatile.Read(ref logs));
        }
    }

    public List<double> CallsPerSecondSince(int index)
    {
        lock (gate)
        {
            return callsPerSecond.Skip(index).ToList();
        }
    }

    public async ValueTask DisposeAsync() => await connection.DisposeAsync();
}
