namespace Actors.Silo;

/// <summary>GET /healthz (the process is alive) and GET /readyz (the silo is an active cluster member and PostgreSQL answers).</summary>
internal static class SiloHealthEndpoints
{
    public static IEndpointRouteBuilder MapSiloHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", static () => Results.Text("ok"));
        endpoints.MapGet("/readyz", static async (SiloReadiness readiness, SiloSettings settings, CancellationToken cancellationToken) =>
        {
            var result = await readiness.CheckAsync(cancellationToken);
            return result.IsReady
                ? Results.Json(new { status = "ready", silo = result.Silo, clusterId = settings.ClusterId })
                : Results.Json(new { status = "not ready", reason = result.Reason, clusterId = settings.ClusterId }, statusCode: StatusCodes.Status503ServiceUnavailable);
        });
        return endpoints;
    }
}
