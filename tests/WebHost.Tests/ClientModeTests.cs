using Actors.Grains;
using Actors.Runtime.Postgres;
using Actors.Runtime.Testing;

namespace Actors.WebHost.Tests;

/// <summary>An external silo (domain on PostgreSQL, clustered by the membership table) and a WebHost in Client mode.</summary>
public sealed class ClientModeFixture : IAsyncLifetime
{
    public TestCluster Silos { get; private set; } = null!;

    public ClientModeApiFactory Web { get; } = new();

    public async Task InitializeAsync()
    {
        var cs = PostgresTestServer.ConnectionString;
        Silos = await new TestClusterBuilder()
            .WithSilos(1)
            .UsePostgresStorage(cs)
            .UseClustering(silo => silo
                .UsePostgresClustering(o =>
                {
                    o.ConnectionString = cs;
                    o.ClusterId = Web.ClusterId;
                })
                .UsePostgresReminders(o =>
                {
                    o.ConnectionString = cs;
                    o.ClusterId = Web.ClusterId;
                }))
            .ConfigureSilo(silo => silo.AddDomain(o => o.ConnectionString = cs))
            .BuildAndStartAsync();
        _ = Web.Services;
    }

    public async Task DisposeAsync()
    {
        await Web.DisposeAsync();
        await Silos.DisposeAsync();
    }
}

public sealed class ClientModeApiFactory : ApiFactory
{
    protected override IDictionary<string, string?> Settings()
    {
        var settings = base.Settings();
        settings["Actors:Cluster:Mode"] = "Client";
        return settings;
    }
}

public sealed class ClientModeTests(ClientModeFixture fixture) : IClassFixture<ClientModeFixture>
{
    [Fact]
    public async Task In_client_mode_the_API_reaches_grains_on_external_silos()
    {
        var owner = await fixture.Web.RegisterAsync("client-mode");
        var sessionId = await owner.CreateSessionIdAsync();

        var published = await Expect.OkJsonAsync(await owner.PublishAsync(sessionId, clientMsgId: "c-1"), HttpStatusCode.Created);
        var again = await Expect.OkJsonAsync(await owner.PublishAsync(sessionId, clientMsgId: "c-1"));
        Assert.Equal(published.GetProperty("seq").GetInt64(), again.GetProperty("seq").GetInt64());

        Assert.Equal(1, fixture.Silos.Primary.ActivationCount("session"));
        await Expect.ProblemAsync(await owner.Client.GetAsync("/api/sessions/NoSuchSession"), HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task In_client_mode_readiness_and_the_cluster_view_see_the_external_silo()
    {
        var ready = await Expect.OkJsonAsync(await fixture.Web.CreateApiClient().GetAsync("/readyz"));
        Assert.Equal(1, ready.GetProperty("silos").GetInt32());

        var operatorUser = await fixture.Web.RegisterAsync("ops", fixture.Web.OperatorEmail);
        var cluster = await Expect.OkJsonAsync(await operatorUser.Client.GetAsync("/api/admin/cluster"));
        var silo = Assert.Single(cluster.GetProperty("silos").EnumerateArray());
        Assert.Equal(fixture.Silos.Primary.Address.ToString(), silo.GetProperty("address").GetString());
    }
}
