using Actors.Runtime.Management;
using Actors.WebHost.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Actors.WebHost.Api;

/// <summary>/api/admin: the cluster view for operators (it feeds the dashboard).</summary>
internal static class AdminEndpoints
{
    public static IEndpointRouteBuilder MapAdminEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/admin").WithTags("Admin").RequireAuthorization(AuthPolicies.Operator);

        group.MapGet("/cluster", GetClusterAsync)
            .WithName("GetCluster").WithSummary("Silos, activations per grain type and call statistics (operators)")
            .ProducesCommonProblems().ProducesProblem(StatusCodes.Status403Forbidden);

        return app;
    }

    private static async Task<Ok<ClusterStatistics>> GetClusterAsync(IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<IManagementGrain>(0).GetClusterStatisticsAsync());
}
