using Actors.Grains;
using Actors.Runtime.Diagnostics.Prometheus;
using Actors.WebHost.Errors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Actors.WebHost.Health;

public sealed record HealthReport(string Status);

/// <summary>/healthz (process alive), /readyz (cluster and PostgreSQL answer), /metrics (Prometheus text).</summary>
public static class HealthEndpoints
{
    public static WebApplicationBuilder AddHealthAndMetrics(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<PostgresProbe>();
        builder.Services.AddSingleton<ReadinessCheck>();
        builder.Services.AddPrometheusMetrics(
            "Actors.Runtime",
            "System.Runtime",
            "Microsoft.AspNetCore.Hosting",
            "Microsoft.AspNetCore.Server.Kestrel",
            "Microsoft.AspNetCore.Http.Connections",
            "Microsoft.AspNetCore.SignalR",
            "Npgsql");
        return builder;
    }

    public static WebApplication MapHealthAndMetrics(this WebApplication app)
    {
        var group = app.MapGroup("").WithTags("Operations").AllowAnonymous();
        group.MapGet("/healthz", () => TypedResults.Ok(new HealthReport("ok")))
            .WithName("Health").WithSummary("The process is alive");
        group.MapGet("/readyz", ReadyAsync)
            .WithName("Ready").WithSummary("The cluster and PostgreSQL answer; 503 unavailable otherwise")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        app.MapPrometheusMetrics().AllowAnonymous().WithTags("Operations").WithSummary("Prometheus text exposition").ExcludeFromDescription();
        return app;
    }

    private static async Task<Results<Ok<ReadinessReport>, ProblemHttpResult>> ReadyAsync(ReadinessCheck check, CancellationToken cancellationToken)
    {
        var (report, reason) = await check.CheckAsync(cancellationToken);
        return report is not null ? TypedResults.Ok(report) : ApiProblem.Result(ErrorCodes.Unavailable, $"not ready: {reason}");
    }
}
