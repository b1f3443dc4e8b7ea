using System.Net;
using System.Text.Json;
using Actors.Runtime.Testing;

namespace Silo.Tests;

/// <summary>The HTTP port of one silo process: /healthz, /readyz, /metrics.</summary>
public sealed class SiloHttpTests(ITestOutputHelper output) : IDisposable
{
    private readonly List<SiloProcess> processes = [];
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(5) };

    [Fact]
    public async Task Healthz_readyz_and_metrics_are_served_on_the_http_port()
    {
        var clusterId = "silo-http-" + Guid.NewGuid().ToString("N")[..12];
        var process = SiloProcess.Start("silo-http", SiloProcess.SiloEnvironment(clusterId, "silo-http", TestDatabase.ConnectionString));
        processes.Add(process);
        var silo = await process.WaitForStartedAsync(TimeSpan.FromSeconds(60));

        using var health = await http.GetAsync(new Uri(silo.HttpBase, "healthz"));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("ok", await health.Content.ReadAsStringAsync());

        var ready = await Poll.UntilAsync(
            () => http.GetAsync(new Uri(silo.HttpBase, "readyz")),
            r => r.StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30),
            "/readyz");
        using (var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()))
        {
            Assert.Equal("ready", body.RootElement.GetProperty("status").GetString());
            Assert.Equal(silo.Address, body.RootElement.GetProperty("silo").GetString());
            Assert.Equal(clusterId, body.RootElement.GetProperty("clusterId").GetString());
        }

        using var metrics = await http.GetAsync(new Uri(silo.HttpBase, "metrics"));
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Equal("text/plain", metrics.Content.Headers.ContentType?.MediaType);
        var text = await metrics.Content.ReadAsStringAsync();
        Assert.Contains("# TYPE actors_", text, StringComparison.Ordinal);
        Assert.Contains("\nactors_", text, StringComparison.Ordinal);
        Assert.Contains("dotnet_", text, StringComparison.Ordinal); // meter System.Runtime

        // The second scrape also sees the HTTP server's own request metrics (meter Microsoft.AspNetCore.Hosting).
        var again = await http.GetStringAsync(new Uri(silo.HttpBase, "metrics"));
        Assert.Contains("http_server_request_duration", again, StringComparison.Ordinal);

        // Only the configured address is bound.
        Assert.Contains($"Now listening on: http://127.0.0.1:{silo.HttpPort}", process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readyz_is_503_with_a_reason_while_postgres_is_down_and_200_again_once_it_is_back()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "actors-silo-pg-" + Guid.NewGuid().ToString("N")[..12]);
        var pgStopped = false;
        try
        {
            var connectionString = PostgresTestServer.RunScript("start", dataDirectory);
            var process = SiloProcess.Start("silo-outage", SiloProcess.SiloEnvironment("silo-outage", "silo-outage", connectionString));
            processes.Add(process);
            var silo = await process.WaitForStartedAsync(TimeSpan.FromSeconds(60));
            await Poll.UntilAsync(() => http.GetAsync(new Uri(silo.HttpBase, "readyz")), r => r.StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(30), "/readyz before the outage");

            PostgresTestServer.RunScript("stop", dataDirectory);
            pgStopped = true;
            var down = await Poll.UntilAsync(
                () => http.GetAsync(new Uri(silo.HttpBase, "readyz")),
                r => r.StatusCode == HttpStatusCode.ServiceUnavailable,
                TimeSpan.FromSeconds(15),
                "/readyz during the outage");
            using (var body = JsonDocument.Parse(await down.Content.ReadAsStringAsync()))
            {
                Assert.Equal("not ready", body.RootElement.GetProperty("status").GetString());
                Assert.StartsWith("PostgreSQL did not answer", body.RootElement.GetProperty("reason").GetString(), StringComparison.Ordinal);
            }

            using (var health = await http.GetAsync(new Uri(silo.HttpBase, "healthz")))
            {
                Assert.Equal(HttpStatusCode.OK, health.StatusCode); // alive, just not ready
            }

            Assert.Equal(connectionString, PostgresTestServer.RunScript("start", dataDirectory));
            pgStopped = false;
            await Poll.UntilAsync(() => http.GetAsync(new Uri(silo.HttpBase, "readyz")), r => r.StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(30), "/readyz after the outage");
        }
        finally
        {
            foreach (var process in processes)
            {
                process.Dispose();
            }

            if (!pgStopped)
            {
                PostgresTestServer.RunScript("stop", dataDirectory);
            }

            foreach (var path in new[] { dataDirectory, dataDirectory + ".lock" })
            {
                if (Directory.Exists(path))
                {
                    Directory.Delete(path, recursive: true);
                }
                else if (File.Exists(path))
                {
                    File.Delete(path);
                }
            }
        }
    }

    public void Dispose()
    {
        foreach (var process in processes)
        {
            process.Dispose();
            output.WriteLine($"===== {process.Name} (pid {process.Id}) output =====");
            output.WriteLine(process.Output);
        }

        http.Dispose();
    }
}
