using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;

namespace Actors.WebHost.Benchmarks;

/// <summary>
/// REST: <c>GET /api/resources/{id}</c> through the WebHost (JWT, rate limiter, security headers,
/// the resource grain and its access check with the session grain) against the bare endpoint
/// serving the identical bytes, loaded by <c>wrk</c> with the same threads, connections, duration
/// and Authorization header. Servers alternate within each repeat (the order rotates).
/// </summary>
internal static partial class RestSuite
{
    public sealed record Target(string Name, ServerProcess Server);

    public sealed record WrkResult(double RequestsPerSecond, double P50Ms, double P99Ms, long Requests, long Non2xx, long SocketErrors, double ServerCpuMicrosPerRequest, double ServerCpuPercent);

    public static async Task<Dictionary<string, List<WrkResult>>> RunAsync(BenchSettings settings, IReadOnlyList<Target> targets, string resourceId, string token)
    {
        var results = targets.ToDictionary(t => t.Name, _ => new List<WrkResult>());
        var path = $"/api/resources/{resourceId}";
        foreach (var target in targets)
        {
            Md.Progress($"rest: warm-up {target.Name} ({settings.RestWarmupSeconds} s)");
            var warm = await WrkAsync(settings, target.Server, path, token, settings.RestWarmupSeconds);
            if (warm.Non2xx > 0)
            {
                throw new InvalidOperationException($"{target.Name} answered {warm.Non2xx} non-2xx responses in the warm-up (rate limits? token?)");
            }
        }

        for (var repeat = 0; repeat < settings.RestRepeats; repeat++)
        {
            for (var i = 0; i < targets.Count; i++)
            {
                var target = targets[(i + repeat) % targets.Count];
                var result = await WrkAsync(settings, target.Server, path, token, settings.RestSeconds);
                results[target.Name].Add(result);
                Md.Progress($"rest: repeat {repeat + 1} {target.Name}: {result.RequestsPerSecond:N0} req/s, p50 {result.P50Ms:0.00} ms, p99 {result.P99Ms:0.00} ms, server CPU {result.ServerCpuMicrosPerRequest:0.0} µs/req, non-2xx {result.Non2xx}");
            }
        }

        return results;
    }

    /// <summary>Checks the bare endpoint answers the identical body and the same header names as the WebHost.</summary>
    public static async Task<string> CompareAsync(ServerProcess webHost, ServerProcess bare, string resourceId, string token)
    {
        var a = await FetchAsync(webHost, resourceId, token);
        var b = await FetchAsync(bare, resourceId, token);
        var sameBody = a.Body.AsSpan().SequenceEqual(b.Body);
        var namesA = string.Join(", ", a.Headers.Select(h => h.Key));
        var namesB = string.Join(", ", b.Headers.Select(h => h.Key));
        if (!sameBody || namesA != namesB)
        {
            throw new InvalidOperationException($"the bare endpoint differs from the WebHost: body equal {sameBody}; headers WebHost [{namesA}] bare [{namesB}]");
        }

        return $"identical body ({a.Body.Length} bytes), same headers ({namesA})";
    }

    public sealed record Fetched(byte[] Body, List<KeyValuePair<string, string>> Headers);

    public static async Task<Fetched> FetchAsync(ServerProcess server, string resourceId, string token)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, server.Url($"/api/resources/{resourceId}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadAsByteArrayAsync();
        var headers = response.Headers.Concat(response.Content.Headers)
            .Where(h => !h.Key.Equals("Date", StringComparison.OrdinalIgnoreCase))
            .Select(h => new KeyValuePair<string, string>(h.Key, string.Join(", ", h.Value)))
            .OrderBy(h => h.Key, StringComparer.OrdinalIgnoreCase)
            .ToList();
        return new Fetched(body, headers);
    }

    internal static async Task<WrkResult> WrkAsync(BenchSettings settings, ServerProcess server, string path, string token, int seconds)
    {
        var start = new ProcessStartInfo("wrk")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     $"-t{settings.RestThreads}", $"-c{settings.RestConnections}", $"-d{seconds}s", "--latency",
                     "-H", $"Authorization: Bearer {token}", server.BaseUrl + path,
                 })
        {
            start.ArgumentList.Add(argument);
        }

        var cpuBefore = ProcStat.Cpu(server.Pid);
        var clock = Stopwatch.StartNew();
        using var wrk = Process.Start(start) ?? throw new InvalidOperationException("could not start wrk");
        PidsFile.Add(settings.PidsFile, wrk.Id);
        var stdout = wrk.StandardOutput.ReadToEndAsync();
        var stderr = wrk.StandardError.ReadToEndAsync();
        await wrk.WaitForExitAsync();
        PidsFile.Remove(settings.PidsFile, wrk.Id);
        var elapsed = clock.Elapsed;
        var cpu = ProcStat.Cpu(server.Pid) - cpuBefore;
        var output = await stdout;
        if (wrk.ExitCode != 0)
        {
            throw new InvalidOperationException($"wrk failed ({wrk.ExitCode}): {output} {await stderr}");
        }

        var requests = long.Parse(RequestsLine().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        var non2xx = NonSuccessLine().Match(output) is { Success: true } m ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        var socketErrors = SocketErrorsLine().Match(output) is { Success: true } s
            ? s.Groups.Values.Skip(1).Sum(g => long.Parse(g.Value, CultureInfo.InvariantCulture))
            : 0;
        return new WrkResult(
            double.Parse(RateLine().Match(output).Groups[1].Value, CultureInfo.InvariantCulture),
            Latency(output, "50%"),
            Latency(output, "99%"),
            requests,
            non2xx,
            socketErrors,
            requests == 0 ? double.NaN : cpu.TotalMicroseconds / requests,
            cpu.TotalSeconds / elapsed.TotalSeconds * 100);
    }

    private static double Latency(string output, string percentile)
    {
        var match = Regex.Match(output, $@"^\s*{Regex.Escape(percentile)}\s+([0-9.]+)(us|ms|s)\s*$", RegexOptions.Multiline, TimeSpan.FromSeconds(1));
        if (!match.Success)
        {
            return double.NaN;
        }

        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch
        {
            "us" => value / 1000,
            "s" => value * 1000,
            _ => value,
        };
    }

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RateLine();

    [GeneratedRegex(@"^\s*([0-9]+) requests in", RegexOptions.Multiline)]
    private static partial Regex RequestsLine();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+([0-9]+)")]
    private static partial Regex NonSuccessLine();

    [GeneratedRegex(@"Socket errors: connect ([0-9]+), read ([0-9]+), write ([0-9]+), timeout ([0-9]+)")]
    private static partial Regex SocketErrorsLine();
}
