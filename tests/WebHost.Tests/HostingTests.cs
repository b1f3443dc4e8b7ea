using Actors.WebHost.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Actors.WebHost.Tests;

/// <summary>Embedded mode without PostgreSQL: everything in memory, said loudly.</summary>
public sealed class InMemoryApiFactory : ApiFactory
{
    protected override IDictionary<string, string?> Settings()
    {
        var settings = base.Settings();
        settings["ConnectionStrings:Postgres"] = "";
        settings["Actors:Bootstrap:OperatorEmails"] = null;
        settings["Actors:Bootstrap:OperatorEmails:0"] = OperatorEmail;
        return settings;
    }
}

public sealed class HostingTests(InMemoryApiFactory factory) : IClassFixture<InMemoryApiFactory>
{
    [Fact]
    public async Task Without_PostgreSQL_the_host_runs_in_memory_and_warns_loudly()
    {
        var user = await factory.RegisterAsync("memory");
        var sessionId = await user.CreateSessionIdAsync();
        await Expect.StatusAsync(await user.PublishAsync(sessionId), HttpStatusCode.Created);

        Assert.Contains(factory.Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("in-memory storage: everything is lost on exit", StringComparison.OrdinalIgnoreCase));
        var ready = await Expect.OkJsonAsync(await factory.CreateApiClient().GetAsync("/readyz"));
        Assert.Equal("not configured", ready.GetProperty("postgres").GetString());
    }

    [Fact]
    public void Without_a_signing_key_a_development_key_is_generated_with_a_warning()
    {
        _ = factory.Services;

        Assert.Contains(factory.Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("random development key", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Operator_emails_may_be_configured_as_an_array()
    {
        var operatorUser = await factory.RegisterAsync("ops", factory.OperatorEmail);

        await Expect.StatusAsync(await operatorUser.Client.GetAsync("/api/admin/cluster"), HttpStatusCode.OK);
    }

    [Fact]
    public void The_node_has_one_stable_id_per_process()
    {
        var first = factory.Services.GetRequiredService<INodeInfo>();
        var second = factory.Services.GetRequiredService<INodeInfo>();

        Assert.Same(first, second);
        Assert.NotEqual(Guid.Empty, first.Id);
        Assert.Equal(first.Id.ToString("N"), first.NodeId);
        Assert.Equal(ClusterMode.Embedded, first.Mode);
    }

    [Fact]
    public void Client_mode_without_PostgreSQL_fails_at_startup_naming_the_setting()
    {
        using var client = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("ConnectionStrings:Postgres", "");
            builder.UseSetting("Actors:Cluster:Mode", "Client");
        });

        var error = Assert.ThrowsAny<Exception>(() => client.Services);

        var validation = Assert.IsType<OptionsValidationException>(error is OptionsValidationException ? error : error.InnerException);
        Assert.Contains("ConnectionStrings:Postgres", validation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_signing_key_that_is_too_short_fails_at_startup()
    {
        using var client = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("ConnectionStrings:Postgres", "");
            builder.UseSetting("Actors:Auth:SigningKey", "too-short");
        });

        var error = Assert.ThrowsAny<Exception>(() => client.Services);

        Assert.Contains("SigningKey", error.ToString(), StringComparison.Ordinal);
    }
}
