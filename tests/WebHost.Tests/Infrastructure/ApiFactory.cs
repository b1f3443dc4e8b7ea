using Actors.Runtime.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace Actors.WebHost.Tests.Infrastructure;

/// <summary>
/// The WebHost in Embedded mode on the test PostgreSQL, with a fresh cluster id and its own operator
/// email; one per test collection. Subclasses change settings (rate limits, storage).
/// </summary>
public class ApiFactory : WebApplicationFactory<Program>
{
    public string ClusterId { get; } = "webtest-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Registering with this email (any case) makes an operator.</summary>
    public string OperatorEmail { get; } = $"ops-{Guid.NewGuid():N}@example.test";

    /// <summary>A second bootstrap operator email (configured as the second item of the list).</summary>
    public string SecondOperatorEmail { get; } = $"ops2-{Guid.NewGuid():N}@example.test";

    public TestLogs Logs { get; } = new();

    /// <summary>Settings applied before Program reads its configuration.</summary>
    protected virtual IDictionary<string, string?> Settings() => new Dictionary<string, string?>
    {
        ["ConnectionStrings:Postgres"] = PostgresTestServer.ConnectionString,
        ["Actors:Cluster:Mode"] = "Embedded",
        ["Actors:Cluster:ClusterId"] = ClusterId,
        ["Actors:Bootstrap:OperatorEmails"] = $"someone-else@example.test, {OperatorEmail.ToUpperInvariant()};{SecondOperatorEmail}",
        ["Actors:Cors:AllowedOrigins:0"] = "https://app.example.test",
        ["Actors:RateLimits:User:PermitLimit"] = "100000",
        ["Actors:RateLimits:User:TokensPerPeriod"] = "100000",
        ["Actors:RateLimits:Anonymous:PermitLimit"] = "100000",
        ["Actors:RateLimits:Anonymous:TokensPerPeriod"] = "100000",
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        foreach (var (key, value) in Settings())
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
    }

    public HttpClient CreateApiClient(string? accessToken = null)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        if (accessToken is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", accessToken);
        }

        return client;
    }
}
