using System.Diagnostics;
using System.Net;
using Actors;
using Actors.Runtime.Cluster;
using Actors.Runtime.Management;
using Actors.Runtime.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Silo.Tests;

/// <summary>Two real <c>dotnet Silo.dll</c> processes and an in-process cluster client.</summary>
public sealed class TwoSiloClusterTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan DeathDetection = TimeSpan.FromSeconds(15);

    private readonly string clusterId = "silo-tests-" + Guid.NewGuid().ToString("N")[..12];
    private readonly List<SiloProcess> processes = [];
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private IHost? client;

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Two_silo_processes_form_a_cluster_survive_a_crash_and_leave_gracefully_on_SIGTERM()
    {
        var connectionString = TestDatabase.ConnectionString;
        var a = Start("silo-a", connectionString);
        var b = Start("silo-b", connectionString);
        var siloA = await a.WaitForStartedAsync(StartTimeout);
        var siloB = await b.WaitForStartedAsync(StartTimeout);
        await WaitReadyAsync(siloA);
        await WaitReadyAsync(siloB);

        // The membership rows record the HTTP ports the silos actually serve on.
        Assert.Equal((2, siloA.HttpPort), await TestDatabase.MembershipRowAsync(clusterId, siloA.Address));
        Assert.Equal((2, siloB.HttpPort), await TestDatabase.MembershipRowAsync(clusterId, siloB.Address));

        var grains = await StartClientAsync(connectionString);
        var management = grains.GetGrain<IManagementGrain>(0);

        // Both silos active, each answering for its own statistics.
        var statistics = await Poll.UntilAsync(
            management.GetClusterStatisticsAsync,
            s => s.Silos.Count(x => x.Status == "Active" && x.Statistics is not null) == 2,
            TimeSpan.FromSeconds(20),
            "two active silos with statistics");
        Assert.Equal(
            new[] { siloA.Address, siloB.Address }.Order(StringComparer.Ordinal),
            statistics.Silos.Select(s => s.Address).Order(StringComparer.Ordinal));
        Assert.Contains(statistics.Silos, s => s.Name == "silo-a" && s.GatewayPort == siloA.GatewayPort);
        Assert.Contains(statistics.Silos, s => s.Name == "silo-b" && s.GatewayPort == siloB.GatewayPort);

        // Cross-process calls: the control grain of each silo runs on that silo.
        Assert.Equal("ping-a", await grains.GetGrain<ISiloControlGrain>(siloA.Address).PingAsync("ping-a"));
        Assert.Equal("ping-b", await grains.GetGrain<ISiloControlGrain>(siloB.Address).PingAsync("ping-b"));
        Assert.Equal(siloA.Address, (await grains.GetGrain<ISiloControlGrain>(siloA.Address).GetStatisticsAsync()).Address);
        Assert.Equal(siloB.Address, (await grains.GetGrain<ISiloControlGrain>(siloB.Address).GetStatisticsAsync()).Address);

        // Crash silo A: B declares it dead, and the client keeps working through B.
        var crashed = Stopwatch.StartNew();
        a.Kill();
        await a.WaitForExitAsync(TimeSpan.FromSeconds(10));
        await Poll.UntilAsync(
            () => TestDatabase.MembershipRowAsync(clusterId, siloA.Address),
            row => row is { Status: 4 },
            DeathDetection,
            "silo A's membership row marked Dead after the crash");
        var afterCrash = await Poll.UntilAsync(
            management.GetClusterStatisticsAsync,
            s => s.Silos.Length == 1 && s.Silos[0].Address == siloB.Address && s.Silos[0].Status == "Active" && s.Silos[0].Statistics is not null,
            DeathDetection,
            "statistics listing only silo B");
        output.WriteLine($"crash of silo A detected and the client served by B after {crashed.Elapsed.TotalSeconds:0.0} s");
        Assert.Single(afterCrash.Silos);
        Assert.Equal("ping-b-again", await grains.GetGrain<ISiloControlGrain>(siloB.Address).PingAsync("ping-b-again"));

        // SIGTERM silo B: it drains, leaves the membership table and exits 0.
        var stopping = Stopwatch.StartNew();
        b.Terminate();
        Assert.Equal(0, await b.WaitForExitAsync(TimeSpan.FromSeconds(45)));
        output.WriteLine($"silo B stopped gracefully in {stopping.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal((4, siloB.HttpPort), await TestDatabase.MembershipRowAsync(clusterId, siloB.Address));
        Assert.Contains("Silo silo-b stopped", b.Output, StringComparison.Ordinal);
    }

    private SiloProcess Start(string name, string connectionString)
    {
        var process = SiloProcess.Start(name, SiloProcess.SiloEnvironment(clusterId, name, connectionString));
        processes.Add(process);
        return process;
    }

    private async Task WaitReadyAsync(StartedSilo silo)
    {
        await Poll.UntilAsync(
            async () => (await http.GetAsync(new Uri(silo.HttpBase, "readyz"))).StatusCode,
            status => status == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30),
            $"/readyz of {silo.Address}");
        using var health = await http.GetAsync(new Uri(silo.HttpBase, "healthz"));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("ok", await health.Content.ReadAsStringAsync());
    }

    private async Task<IGrainFactory> StartClientAsync(string connectionString)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddActorsClient(c => c.UsePostgresClustering(o =>
        {
            o.ConnectionString = connectionString;
            o.ClusterId = clusterId;
        }));
        client = builder.Build();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await client.StartAsync(cancel.Token);
        return client.Services.GetRequiredService<IGrainFactory>();
    }

    public async Task DisposeAsync()
    {
        foreach (var process in processes)
        {
            process.Dispose();
            output.WriteLine($"===== {process.Name} (pid {process.Id}) output =====");
            output.WriteLine(process.Output);
        }

        if (client is not null)
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await client.StopAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                output.WriteLine("the cluster client did not stop within 10 s");
            }

            client.Dispose();
        }

        http.Dispose();
    }
}
