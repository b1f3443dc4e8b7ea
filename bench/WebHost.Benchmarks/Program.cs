using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Actors.WebHost.Benchmarks;

if (args.Length > 0 && args[0] == "bare")
{
    BareServer.Run(args[1..]);
    return 0;
}

if (args.Length > 0 && args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine(BenchSettings.Usage);
    return 0;
}

BenchSettings settings;
try
{
    settings = BenchSettings.Parse(args.Length > 0 && args[0] == "run" ? args[1..] : args);
}
catch (ArgumentException exception)
{
    Console.Error.WriteLine(exception.Message);
    return 2;
}

return await Orchestrator.RunAsync(settings);

namespace Actors.WebHost.Benchmarks
{
    /// <summary>
    /// Runs the suites against a real WebHost process and the bare baselines, all on 127.0.0.1, and
    /// prints Markdown. This process is also the load generator (wrk is a separate process for REST):
    /// its own CPU time is reported beside the servers' so a saturated client is visible.
    /// </summary>
    internal static class Orchestrator
    {
        private static readonly string[] DocumentTags = ["planning", "q3", "team"];

        private static readonly string[] TemplateSkippedHeaders = ["Date", "Server", "Transfer-Encoding", "Content-Length"];

        public static async Task<int> RunAsync(BenchSettings settings)
        {
            var servers = new List<ServerProcess>();
            var summary = new List<string[]>();
            try
            {
                Header(settings);
                var signingKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
                if (settings.Suites.Contains("dashboard"))
                {
                    await DashboardSuite.RunAsync(settings, environment => StartWebHostAsync(settings, signingKey, servers, environment), server => Stop(server, servers), summary);
                    if (settings.Suites.Count == 1)
                    {
                        Targets(summary);
                        return 0;
                    }
                }

                var webHost = await StartWebHostAsync(settings, signingKey, servers);
                using var api = new PlatformApi(new Uri(webHost.BaseUrl));

                Md.Progress("setup: users, a public session and a resource");
                var owner = await api.RegisterAsync("bench-owner");
                var users = new List<PlatformApi.User> { owner };
                for (var i = 1; i < settings.FanoutUsers; i++)
                {
                    users.Add(await api.RegisterAsync($"bench-user{i}"));
                }

                var sessionId = await api.CreateSessionAsync(owner, "web bench");
                var resourceId = await api.CreateResourceAsync(owner, sessionId, "bench document", new
                {
                    title = "Quarterly plan",
                    status = "draft",
                    tags = DocumentTags,
                    items = Enumerable.Range(1, 5).Select(i => new { id = i, text = $"Item number {i} of the plan", done = i % 2 == 0 }).ToArray(),
                });

                // The bare endpoint serves exactly what the WebHost answered.
                var template = await RestSuite.FetchAsync(webHost, resourceId, owner.Token);
                Directory.CreateDirectory(settings.LogDirectory);
                var bodyPath = Path.Combine(settings.LogDirectory, "rest-body.json");
                var headersPath = Path.Combine(settings.LogDirectory, "rest-headers.txt");
                await File.WriteAllBytesAsync(bodyPath, template.Body);
                await File.WriteAllLinesAsync(headersPath, template.Headers
                    .Where(h => !TemplateSkippedHeaders.Contains(h.Key, StringComparer.OrdinalIgnoreCase))
                    .Select(h => $"{h.Key}: {h.Value}"), Encoding.UTF8);
                var self = typeof(Orchestrator).Assembly.Location;
                var bareEnvironment = new Dictionary<string, string>
                {
                    ["BENCH_REST_BODY"] = bodyPath,
                    ["BENCH_REST_HEADERS"] = headersPath,
                    ["BENCH_AUTHOR_ID"] = owner.Id,
                };
                var bare = await Start("bare", [self, "bare"], bareEnvironment, settings, servers);

                if (settings.Suites.Contains("rest"))
                {
                    var bareJwt = await Start("bare-jwt", [self, "bare"], new Dictionary<string, string>(bareEnvironment)
                    {
                        ["BENCH_BARE_JWT"] = "1",
                        ["BENCH_SIGNING_KEY"] = signingKey,
                    }, settings, servers);
                    var same = await RestSuite.CompareAsync(webHost, bare, resourceId, owner.Token);
                    await RestSuite.CompareAsync(webHost, bareJwt, resourceId, owner.Token);
                    var rest = await RestSuite.RunAsync(settings, [new("bare", bare), new("bare + JWT", bareJwt), new("WebHost", webHost)], resourceId, owner.Token);
                    ReportRest(settings, rest, same, summary);
                    await Stop(bareJwt, servers);
                }

                if (settings.Suites.Contains("fanout") || settings.Suites.Contains("capacity"))
                {
                    var lastSeq = await api.LastSeqAsync(owner, sessionId);
                    var receiverTokens = Enumerable.Range(0, settings.FanoutConnections).Select(i => (string?)users[i % users.Count].Token).ToList();
                    var publisherTokens = Enumerable.Repeat((string?)owner.Token, settings.Publishers).ToList();
                    var nulls = Enumerable.Repeat((string?)null, settings.FanoutConnections).ToList();
                    var bareTarget = await FanoutTarget.ConnectAsync("bare hub", bare, sessionId, 0, nulls, [.. nulls.Take(settings.Publishers)], 32);
                    var webTarget = await FanoutTarget.ConnectAsync("WebHost", webHost, sessionId, lastSeq, receiverTokens, publisherTokens, 32);
                    FanoutTarget[] targets = [bareTarget, webTarget];

                    if (settings.Suites.Contains("fanout"))
                    {
                        // One unrecorded run each first: the publish and fan-out paths are JIT-compiled (tier 1) before anything counts.
                        foreach (var target in targets)
                        {
                            var warm = await FanoutRunner.RunAsync(target, settings.FanoutRate, settings.FanoutWarmupSeconds, 3, settings.MaxInFlightPerRun);
                            Md.Progress($"fan-out: warm-up run of {target.Name} done ({warm.Verdict(settings.MaxP99Ms)})");
                            await Task.Delay(1000);
                        }

                        var runs = new List<FanoutResult>();
                        for (var repeat = 0; repeat < settings.FanoutRepeats; repeat++)
                        {
                            foreach (var target in repeat % 2 == 0 ? targets : targets.Reverse())
                            {
                                var result = await FanoutRunner.RunAsync(target, settings.FanoutRate, settings.FanoutWarmupSeconds, settings.FanoutSeconds, settings.MaxInFlightPerRun);
                                runs.Add(result);
                                Progress(result, settings);
                                await Task.Delay(1000);
                            }
                        }

                        ReportFanout(settings, runs, summary);
                    }

                    if (settings.Suites.Contains("capacity"))
                    {
                        var passes = new List<CapacityPass>();
                        for (var pass = 0; pass < settings.CapacityPasses; pass++)
                        {
                            var steps = new List<FanoutResult>();
                            // A server climbs until it stops delivering (or lags far beyond the bound); the first lag failure bounds its strict capacity.
                            var stopped = targets.ToDictionary(t => t.Name, _ => false);
                            for (var step = 0; step < settings.CapacityRates.Length && stopped.Values.Any(f => !f); step++)
                            {
                                var rate = settings.CapacityRates[step];
                                foreach (var target in ((step + pass) % 2 == 0 ? targets : targets.Reverse()).Where(t => !stopped[t.Name]))
                                {
                                    var result = await FanoutRunner.RunAsync(target, rate, settings.FanoutWarmupSeconds, settings.CapacitySeconds, settings.MaxInFlightPerRun);
                                    steps.Add(result);
                                    Progress(result, settings);
                                    stopped[target.Name] = !result.Delivered || result.P99Ms > 3 * settings.MaxP99Ms;
                                    await Task.Delay(1000);
                                }
                            }

                            passes.Add(new CapacityPass(steps));
                        }

                        ReportCapacity(settings, passes, summary);
                    }

                    Md.Progress("fan-out: closing connections");
                    await bareTarget.DisconnectAsync();
                    await webTarget.DisconnectAsync();
                }

                await Stop(bare, servers);
                await Stop(webHost, servers);

                if (settings.Suites.Contains("idle"))
                {
                    var limit = OpenFilesLimit();
                    if (limit < settings.IdleConnections + 2000)
                    {
                        Md.Progress($"idle: the open files limit is {limit}; {settings.IdleConnections:N0} connections need more (ulimit -n)");
                    }

                    var freshWebHost = await StartWebHostAsync(settings, signingKey, servers);
                    var webCycles = await IdleSuite.RunAsync(settings, freshWebHost, users.Select(u => (string?)u.Token).ToList());
                    await Stop(freshWebHost, servers);
                    var freshBare = await Start("bare", [self, "bare"], bareEnvironment, settings, servers);
                    var bareCycles = await IdleSuite.RunAsync(settings, freshBare, [null]);
                    await Stop(freshBare, servers);
                    var freshBareJwt = await Start("bare-jwt", [self, "bare"], new Dictionary<string, string>(bareEnvironment)
                    {
                        ["BENCH_BARE_JWT"] = "1",
                        ["BENCH_SIGNING_KEY"] = signingKey,
                    }, settings, servers);
                    var bareJwtCycles = await IdleSuite.RunAsync(settings, freshBareJwt, users.Select(u => (string?)u.Token).ToList());
                    await Stop(freshBareJwt, servers);
                    ReportIdle(settings, webCycles, bareCycles, bareJwtCycles, summary);
                }

                if (settings.Suites.Contains("idle-slim"))
                {
                    var slim = await Start("bare-jwt-slim", [self, "bare"], new Dictionary<string, string>(bareEnvironment)
                    {
                        ["BENCH_BARE_JWT"] = "1",
                        ["BENCH_SIGNING_KEY"] = signingKey,
                        ["BENCH_SLIM_PRINCIPAL"] = "1",
                    }, settings, servers);
                    var slimCycles = await IdleSuite.RunAsync(settings, slim, users.Select(u => (string?)u.Token).ToList());
                    await Stop(slim, servers);
                    Md.Line("### Experiment: bare hub + JWT with a claims-only principal");
                    Md.Line();
                    Md.Line("JwtBearerEvents.OnTokenValidated replaces the principal with a plain ClaimsIdentity holding copies of the same claims, so the connection no longer keeps the identity that references the validated JsonWebToken.");
                    Md.Line();
                    Md.Table(["cycle", "live heap KB/conn", "working set KB/conn"], slimCycles.Select((c, i) => new[]
                    {
                        (i + 1).ToString(CultureInfo.InvariantCulture), Stats.F(c.LiveHeapPerConnection / 1024, 1), Stats.F(c.WorkingSetPerConnection / 1024, 1),
                    }), [true, true, true]);
                }

                Targets(summary);
                return 0;
            }
            finally
            {
                foreach (var server in servers.ToList())
                {
                    await server.DisposeAsync();
                }
            }
        }

        private static void Targets(List<string[]> summary)
        {
            Md.Line("### Against the targets");
            Md.Line();
            Md.Table(["target", "measured (median)", "verdict"], summary);
            Md.Line($"Load average at the end: {File.ReadAllText("/proc/loadavg").Trim()}");
        }

        private static Task<ServerProcess> StartWebHostAsync(BenchSettings settings, string signingKey, List<ServerProcess> servers, IReadOnlyDictionary<string, string>? extraEnvironment = null)
        {
            if (!File.Exists(settings.WebHostDll))
            {
                throw new FileNotFoundException($"{settings.WebHostDll} is not built (dotnet build WebHost -c Release)");
            }

            var million = "1000000";
            var environment = new Dictionary<string, string>
            {
                ["ConnectionStrings__Postgres"] = settings.Postgres,
                ["Actors__Cluster__Mode"] = "Embedded",
                ["Actors__Cluster__ClusterId"] = "bench-web",
                ["Actors__Cluster__GatewayPort"] = "0",
                ["Actors__Cluster__SiloPort"] = "0",
                ["Actors__Auth__SigningKey"] = signingKey,
                ["Actors__Auth__AccessTokenLifetime"] = "02:00:00",
                // The limiter stays in the path, with budgets the load never exhausts (one user drives all the REST load).
                ["Actors__RateLimits__User__PermitLimit"] = million,
                ["Actors__RateLimits__User__TokensPerPeriod"] = million,
                ["Actors__RateLimits__Anonymous__PermitLimit"] = million,
                ["Actors__RateLimits__Anonymous__TokensPerPeriod"] = million,
            };
            foreach (var (key, value) in extraEnvironment ?? new Dictionary<string, string>())
            {
                environment[key] = value;
            }

            return Start("webhost", [settings.WebHostDll], environment, settings, servers);
        }

        private static async Task<ServerProcess> Start(string name, string[] arguments, Dictionary<string, string> environment, BenchSettings settings, List<ServerProcess> servers)
        {
            Md.Progress($"starting {name}");
            var server = await ServerProcess.StartAsync(name, arguments, environment, settings);
            servers.Add(server);
            Md.Progress($"{name}: pid {server.Pid}, {server.BaseUrl}");
            return server;
        }

        private static async Task Stop(ServerProcess server, List<ServerProcess> servers)
        {
            servers.Remove(server);
            await server.DisposeAsync();
        }

        private static void Header(BenchSettings settings)
        {
            var model = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?";
            Md.Line("## WebHost: REST and realtime fan-out (run output)");
            Md.Line();
            Md.Line($"- {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, commit {Git("rev-parse --short HEAD")}{(Git("status --porcelain -- WebHost Grains Grains.Interfaces Runtime").Length > 0 ? " + uncommitted changes under WebHost/Grains/Runtime" : "")}");
            Md.Line($"- {Environment.ProcessorCount} logical CPUs ({model}), {RuntimeInformation.FrameworkDescription}, load process GC: {(GCSettings.IsServerGC ? "server" : "workstation")}; servers: the Web SDK's default (server GC)");
            Md.Line($"- load average at the start: {File.ReadAllText("/proc/loadavg").Trim()}");
            Md.Line();
        }

        private static string Git(string arguments)
        {
            try
            {
                var start = new ProcessStartInfo("git", arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                start.WorkingDirectory = AppContext.BaseDirectory;
                using var git = Process.Start(start)!;
                var output = git.StandardOutput.ReadToEnd().Trim();
                git.WaitForExit();
                return output;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                return "unknown";
            }
        }

        private static long OpenFilesLimit()
        {
            var line = File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal));
            var parts = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return parts is { Length: > 3 } && long.TryParse(parts[3], CultureInfo.InvariantCulture, out var soft) ? soft : -1;
        }

        private static void Progress(FanoutResult r, BenchSettings settings) =>
            Md.Progress($"fan-out: {r.Server} @ {r.OfferedEventsPerSecond:N0} ev/s: {r.DeliveriesPerSecond:N0} deliveries/s of {r.Offered:N0}, p50 {r.P50Ms:0.0} ms, p99 {r.P99Ms:0.0} ms, " +
                        $"lost {r.Lost}, reordered {r.Reordered}, dup {r.Duplicates}, resync {r.Resyncs}, drain {r.DrainMs:N0} ms, server CPU {r.ServerCpuPercent:N0} % ({r.ServerCpuMicrosPerDelivery:0.0} µs/delivery), client CPU {r.ClientCpuPercent:N0} % ({r.ClientCpuMicrosPerDelivery:0.0} µs/delivery) → {r.Verdict(settings.MaxP99Ms)}");

        // ------------------------------------------------------------------ reports

        private static void ReportRest(BenchSettings settings, Dictionary<string, List<RestSuite.WrkResult>> results, string same, List<string[]> summary)
        {
            Md.Line("### REST: GET /api/resources/{id}");
            Md.Line();
            Md.Line($"`wrk -t{settings.RestThreads} -c{settings.RestConnections} -d{settings.RestSeconds}s --latency -H 'Authorization: Bearer …'`, {settings.RestRepeats} repeats, servers alternating (order rotated per repeat), {settings.RestWarmupSeconds} s warm-up each. Bare endpoint check: {same}. Non-2xx responses in all runs: {results.Values.SelectMany(r => r).Sum(r => r.Non2xx)}; socket errors: {results.Values.SelectMany(r => r).Sum(r => r.SocketErrors)}.");
            Md.Line();
            var bare = Stats.Median(results["bare"].Select(r => r.RequestsPerSecond));
            var rows = results.Select(kv =>
            {
                var rps = Stats.Median(kv.Value.Select(r => r.RequestsPerSecond));
                return new[]
                {
                    kv.Key,
                    Stats.F(rps),
                    Stats.Range(kv.Value.Select(r => r.RequestsPerSecond), v => Stats.F(v)),
                    Stats.F(Stats.Median(kv.Value.Select(r => r.P50Ms)), 2),
                    Stats.F(Stats.Median(kv.Value.Select(r => r.P99Ms)), 2),
                    Stats.F(Stats.Median(kv.Value.Select(r => r.ServerCpuMicrosPerRequest)), 1),
                    Stats.F(Stats.Median(kv.Value.Select(r => r.ServerCpuPercent))),
                    Stats.Ratio(rps / bare),
                    Stats.Ratio(Stats.Median(Enumerable.Range(0, kv.Value.Count).Select(i => kv.Value[i].RequestsPerSecond / results["bare"][i].RequestsPerSecond))),
                };
            });
            Md.Table(["server", "req/s (median)", "range", "p50 ms", "p99 ms", "server CPU µs/req", "server CPU %", "req/s vs bare", "median of per-repeat ratios"], rows,
                [false, true, true, true, true, true, true, true, true]);
            var web = results["WebHost"];
            var ratio = Stats.Median(Enumerable.Range(0, web.Count).Select(i => web[i].RequestsPerSecond / results["bare"][i].RequestsPerSecond));
            summary.Add(["REST ≥ 0.8× the bare endpoint (req/s)", $"{Stats.Ratio(ratio)} ({Stats.F(Stats.Median(web.Select(r => r.RequestsPerSecond)))} vs {Stats.F(bare)} req/s)", ratio >= 0.8 ? "met" : "**not met**"]);
        }

        private static void ReportFanout(BenchSettings settings, List<FanoutResult> runs, List<string[]> summary)
        {
            Md.Line($"### SignalR fan-out: 1 session, {settings.FanoutConnections:N0} connections, {settings.FanoutRate:N0} events/s offered");
            Md.Line();
            Md.Line($"{settings.Publishers} publisher connections (open loop), {settings.FanoutWarmupSeconds} s warm-up then a {settings.FanoutSeconds} s window, {settings.FanoutRepeats} repeats alternating. Deliveries/s: events received inside the window / window. Latency: publish → receipt (Stopwatch timestamps in the payload) of events published inside the window. CPU: share of one core over the window.");
            Md.Line();
            var byServer = runs.GroupBy(r => r.Server).ToDictionary(g => g.Key, g => g.ToList());
            var bare = byServer["bare hub"];
            var rows = byServer.Select(kv =>
            {
                var list = kv.Value;
                return new[]
                {
                    kv.Key,
                    Stats.F(list[0].Offered),
                    Stats.F(Stats.Median(list.Select(r => r.DeliveriesPerSecond))),
                    Stats.Range(list.Select(r => r.DeliveriesPerSecond), v => Stats.F(v)),
                    Stats.F(Stats.Median(list.Select(r => r.P50Ms)), 1),
                    Stats.F(Stats.Median(list.Select(r => r.P99Ms)), 1),
                    Stats.Range(list.Select(r => r.P99Ms), v => Stats.F(v, 1)),
                    $"{list.Sum(r => r.Lost)} / {list.Sum(r => r.Reordered)} / {list.Sum(r => r.Resyncs)}",
                    Stats.F(Stats.Median(list.Select(r => r.ServerCpuPercent))),
                    Stats.F(Stats.Median(list.Select(r => r.ServerCpuMicrosPerDelivery)), 2),
                    Stats.F(Stats.Median(list.Select(r => r.ClientCpuPercent))),
                    Stats.F(Stats.Median(list.Select(r => r.ClientCpuMicrosPerDelivery)), 2),
                };
            });
            Md.Table(["server", "offered deliveries/s", "delivered/s (median)", "range", "p50 ms", "p99 ms", "p99 range", "lost / reordered / resync (all runs)", "server CPU %", "server CPU µs/delivery", "client CPU %", "client CPU µs/delivery"], rows,
                [false, true, true, true, true, true, true, true, true, true, true, true]);

            Md.Line("Server CPU by thread group over the window (median %, of one core; groups above 1 %):");
            Md.Line();
            var groups = runs.SelectMany(r => r.ServerThreadsCpuPercent.Keys).Distinct().ToList();
            var threadRows = groups
                .Select(g => (Group: g, Values: byServer.Keys.Select(s => Stats.Median(byServer[s].Select(r => r.ServerThreadsCpuPercent.GetValueOrDefault(g)))).ToArray()))
                .Where(t => t.Values.Any(v => v >= 1))
                .OrderByDescending(t => t.Values.Max())
                .Select(t => new[] { t.Group }.Concat(t.Values.Select(v => Stats.F(v))).ToArray());
            Md.Table(["thread group", .. byServer.Keys], threadRows, [false, .. byServer.Keys.Select(_ => true)]);

            var web = byServer["WebHost"];
            var pairs = Math.Min(web.Count, bare.Count);
            var throughput = Stats.Median(Enumerable.Range(0, pairs).Select(i => web[i].DeliveriesPerSecond / bare[i].DeliveriesPerSecond));
            var p99Pairs = Enumerable.Range(0, pairs).Select(i => web[i].P99Ms / bare[i].P99Ms).ToList();
            var p99 = Stats.Median(p99Pairs);
            Md.Line($"WebHost / bare hub, median of the {pairs} per-repeat ratios: deliveries/s {Stats.Ratio(throughput)}; p50 {Stats.Ratio(Stats.Median(Enumerable.Range(0, pairs).Select(i => web[i].P50Ms / bare[i].P50Ms)))}; p99 {Stats.Ratio(p99)} (per repeat: {string.Join(", ", p99Pairs.Select(Stats.Ratio))}); server CPU per delivery {Stats.Ratio(Stats.Median(Enumerable.Range(0, pairs).Select(i => web[i].ServerCpuMicrosPerDelivery / bare[i].ServerCpuMicrosPerDelivery)))}.");
            Md.Line();
            var lost = web.Sum(r => r.Lost + r.Reordered + r.Resyncs);
            summary.Add([$"fan-out deliveries/s ≥ 0.9× the bare hub at {settings.FanoutRate:N0} ev/s", $"{Stats.Ratio(throughput)} ({Stats.F(Stats.Median(web.Select(r => r.DeliveriesPerSecond)))} vs {Stats.F(Stats.Median(bare.Select(r => r.DeliveriesPerSecond)))})", throughput >= 0.9 ? "met" : "**not met**"]);
            summary.Add(["fan-out p99 within 1.5× the bare hub's", $"{Stats.Ratio(p99)} median of per-repeat ratios ({Stats.F(Stats.Median(web.Select(r => r.P99Ms)), 1)} vs {Stats.F(Stats.Median(bare.Select(r => r.P99Ms)), 1)} ms)", p99 <= 1.5 ? "met" : "**not met**"]);
            summary.Add(["zero lost or reordered (WebHost)", $"{web.Sum(r => r.Lost)} lost, {web.Sum(r => r.Reordered)} reordered, {web.Sum(r => r.Resyncs)} resync in {web.Count} runs", lost == 0 ? "met" : "**not met**"]);
        }

        private sealed record CapacityPass(List<FanoutResult> Steps)
        {
            /// <summary>The highest offered rate before the server's first failure of the given test (0: failed at once).</summary>
            public double Capacity(string server, Func<FanoutResult, bool> passed)
            {
                var best = 0.0;
                foreach (var step in Steps.Where(r => r.Server == server).OrderBy(r => r.OfferedEventsPerSecond))
                {
                    if (!passed(step))
                    {
                        return best;
                    }

                    best = step.OfferedEventsPerSecond;
                }

                return best;
            }

            public string Describe(string server, Func<FanoutResult, bool> passed)
            {
                var capacity = Capacity(server, passed);
                var failed = Steps.Where(r => r.Server == server && !passed(r)).Select(r => r.OfferedEventsPerSecond).Order().FirstOrDefault();
                return failed > 0 ? $"{capacity:N0} (failed at {failed:N0})" : $"≥ {capacity:N0} (never failed)";
            }
        }

        private static void ReportCapacity(BenchSettings settings, List<CapacityPass> passes, List<string[]> summary)
        {
            Md.Line($"### Fan-out capacity ({settings.FanoutConnections:N0} connections)");
            Md.Line();
            Md.Line($"Offered rates in steps ({string.Join(", ", settings.CapacityRates)} events/s), {settings.FanoutWarmupSeconds} s warm-up + {settings.CapacitySeconds} s window each, servers alternating (order flipped per step and pass), {passes.Count} passes. *Delivered*: nothing lost, reordered or resynced, every publish acknowledged, ≥ 95 % of the offered deliveries inside the window. *Kept up*: delivered, and also p99 ≤ {settings.MaxP99Ms:N0} ms and the backlog drained within 2 s of the last publish. A server climbs until it no longer delivers (or its p99 passes {3 * settings.MaxP99Ms:N0} ms); its capacity is the highest step before its first failure.");
            Md.Line();
            var rows = passes.SelectMany((p, i) => p.Steps.Select(r => new[]
            {
                (i + 1).ToString(CultureInfo.InvariantCulture), Stats.F(r.OfferedEventsPerSecond), r.Server, Stats.F(r.Offered), Stats.F(r.DeliveriesPerSecond), Stats.F(r.P50Ms, 1), Stats.F(r.P99Ms, 1),
                Stats.F(r.ServerCpuPercent), Stats.F(r.ServerCpuMicrosPerDelivery, 1), Stats.F(r.ClientCpuPercent), r.Verdict(settings.MaxP99Ms),
            }));
            Md.Table(["pass", "events/s", "server", "offered deliveries/s", "delivered/s", "p50 ms", "p99 ms", "server CPU %", "server µs/delivery", "client CPU %", "verdict"], rows,
                [true, true, false, true, true, true, true, true, true, true, false]);

            bool Strict(FanoutResult r) => r.KeptUp(settings.MaxP99Ms);
            bool Throughput(FanoutResult r) => r.Delivered;
            Md.Table(["pass", "bare hub: kept up (ev/s)", "WebHost: kept up", "WebHost / bare", "bare hub: delivered, latency unbounded", "WebHost: delivered", "WebHost / bare"], passes.Select((p, i) => new[]
            {
                (i + 1).ToString(CultureInfo.InvariantCulture),
                p.Describe("bare hub", Strict),
                p.Describe("WebHost", Strict),
                Stats.Ratio(p.Capacity("WebHost", Strict) / p.Capacity("bare hub", Strict)),
                p.Describe("bare hub", Throughput),
                p.Describe("WebHost", Throughput),
                Stats.Ratio(p.Capacity("WebHost", Throughput) / p.Capacity("bare hub", Throughput)),
            }), [true, true, true, true, true, true, true]);
            var ratio = Stats.Median(passes.Select(p => p.Capacity("WebHost", Strict) / p.Capacity("bare hub", Strict)));
            var web = Stats.Median(passes.Select(p => p.Capacity("WebHost", Strict)));
            var bare = Stats.Median(passes.Select(p => p.Capacity("bare hub", Strict)));
            var throughputRatio = Stats.Median(passes.Select(p => p.Capacity("WebHost", Throughput) / p.Capacity("bare hub", Throughput)));
            summary.Add(["capacity ≥ 0.8× the bare hub's", $"{Stats.Ratio(ratio)} kept up ({web:N0} vs {bare:N0} ev/s × {settings.FanoutConnections:N0} connections; median of {passes.Count} passes); throughput only: {Stats.Ratio(throughputRatio)}", ratio >= 0.8 ? "met" : "**not met**"]);
        }

        private static void ReportIdle(BenchSettings settings, List<IdleSuite.Cycle> web, List<IdleSuite.Cycle> bare, List<IdleSuite.Cycle> bareJwt, List<string[]> summary)
        {
            Md.Line($"### Memory per idle connection ({settings.IdleConnections:N0} connections)");
            Md.Line();
            Md.Line("Fresh server, warmed up with 300 connections; probe = three forced compacting full GCs inside the server (startup hook), then the live heap, the GC heap size and VmRSS. WebHost connections are authenticated (JWT in the Authorization header) and counted in their user's presence (20 users), not joined to a session; bare hub connections are plain; \"bare hub + JWT\" is the bare hub behind the same JWT bearer validation (the principal and token a connection keeps). Per cycle: growth ÷ connections.");
            Md.Line();
            var rows = new List<string[]>();
            foreach (var (name, cycles) in new[] { ("bare hub", bare), ("bare hub + JWT", bareJwt), ("WebHost", web) })
            {
                for (var i = 0; i < cycles.Count; i++)
                {
                    var c = cycles[i];
                    rows.Add([name, (i + 1).ToString(CultureInfo.InvariantCulture), Stats.F(c.ConnectSeconds, 1), Stats.F(c.LiveHeapPerConnection / 1024, 1), Stats.F(c.GcHeapPerConnection / 1024, 1), Stats.F(c.WorkingSetPerConnection / 1024, 1), Stats.F(c.After.WorkingSetBytes / 1048576.0)]);
                }
            }

            Md.Table(["server", "cycle", "connect s", "live heap KB/conn", "GC heap KB/conn", "working set KB/conn", "working set after, MB"], rows, [false, true, true, true, true, true, true]);
            // The working set only grows on the first cycle of a fresh process (later cycles reuse what the GC kept), so cycle 1 is the one to read.
            var webHeap = Stats.Median(web.Select(c => c.LiveHeapPerConnection)) / 1024;
            var webRss = web[0].WorkingSetPerConnection / 1024;
            var bareHeap = Stats.Median(bare.Select(c => c.LiveHeapPerConnection)) / 1024;
            var bareRss = bare[0].WorkingSetPerConnection / 1024;
            var jwtHeap = Stats.Median(bareJwt.Select(c => c.LiveHeapPerConnection)) / 1024;
            summary.Add(["≤ 30 KB per idle connection (WebHost)", $"live heap {webHeap:0.0} KB (bare hub {bareHeap:0.0}, bare hub + JWT {jwtHeap:0.0}); working set growth of a fresh process {webRss:0.0} KB (bare hub {bareRss:0.0})", webHeap <= 30 ? (webRss <= 30 ? "met" : "met on the heap, **not on the working set**") : "**not met**"]);
        }
    }
}
