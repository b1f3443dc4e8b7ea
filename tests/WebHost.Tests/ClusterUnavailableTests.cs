using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Actors.WebHost.Tests;

/// <summary>A WebHost whose grain calls all fail as if the cluster were away.</summary>
public sealed class UnavailableClusterFactory : ApiFactory
{
    public FailingGrainFactory Grains { get; } = new();

    protected override IDictionary<string, string?> Settings()
    {
        var settings = base.Settings();
        settings["ConnectionStrings:Postgres"] = "";
        return settings;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<IGrainFactory>(Grains));
    }

    public string Token() => Services.GetRequiredService<Actors.WebHost.Auth.AccessTokenIssuer>()
        .Issue(new Actors.Grains.UserProfile("someone", "someone@example.test", "Someone", ["member"], DateTimeOffset.UtcNow));
}

public sealed class ClusterUnavailableTests(UnavailableClusterFactory factory) : IClassFixture<UnavailableClusterFactory>
{
    public static TheoryData<string> Failures => new() { "silo", "timeout", "storage", "routing" };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task An_unreachable_cluster_or_storage_is_503_unavailable(string failure)
    {
        factory.Grains.Failure = failure switch
        {
            "silo" => () => new SiloUnavailableException("connection lost"),
            "timeout" => () => new TimeoutException("Call to IUserGrain.GetProfileAsync timed out after 30 s."),
            "storage" => () => new GrainStorageException("storage failed"),
            _ => () => new GrainRoutingException("shutting down"),
        };
        using var client = factory.CreateApiClient(factory.Token());

        var response = await client.GetAsync("/api/users/me");

        var problem = await Expect.ProblemAsync(response, HttpStatusCode.ServiceUnavailable, "unavailable");
        Assert.DoesNotContain("30 s", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readyz_is_503_unavailable_when_the_cluster_does_not_answer()
    {
        factory.Grains.Failure = () => new SiloUnavailableException("no gateway");

        var response = await factory.CreateApiClient().GetAsync("/readyz");

        await Expect.ProblemAsync(response, HttpStatusCode.ServiceUnavailable, "unavailable");
        await Expect.StatusAsync(await factory.CreateApiClient().GetAsync("/healthz"), HttpStatusCode.OK);
    }

    [Fact]
    public async Task An_unexpected_error_is_500_with_a_code_and_no_stack_trace()
    {
        factory.Grains.Failure = () => new InvalidOperationException("secret internals at Foo.Bar()");
        using var client = factory.CreateApiClient(factory.Token());

        var response = await client.GetAsync("/api/users/me");

        var problem = await Expect.ProblemAsync(response, HttpStatusCode.InternalServerError, "internal_error");
        Assert.DoesNotContain("secret", problem.GetRawText(), StringComparison.Ordinal);
        Assert.Contains(factory.Logs.Entries, e => e.Level == LogLevel.Error);
    }
}
