using System.Collections.Immutable;
using Actors.Grains;
using Actors.Runtime.Diagnostics;
using Actors.Runtime.Management;
using Actors.WebHost.Auth;
using Actors.WebHost.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Actors.WebHost.Api;

/// <summary>/api/admin: the cluster view and operator actions (they feed the dashboard; docs/dashboard.md).</summary>
internal static class AdminEndpoints
{
    private const int MaxSegment = 256;

    public static IEndpointRouteBuilder MapAdminEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/admin").WithTags("Admin").RequireAuthorization(AuthPolicies.Operator);

        group.MapGet("/cluster", GetClusterAsync)
            .WithName("GetCluster").WithSummary("Silos, activations per grain type and call statistics (operators)")
            .ProducesCommonProblems().ProducesProblem(StatusCodes.Status403Forbidden);

        group.MapGet("/reminders", GetRemindersAsync)
            .WithName("GetReminders").WithSummary("Durable reminders from the reminder table (operators)")
            .ProducesCommonProblems().ProducesProblem(StatusCodes.Status403Forbidden);

        group.MapGet("/logs", GetLogsAsync)
            .WithName("GetRecentLogs").WithSummary("Recent warnings and errors of every silo (operators)")
            .ProducesCommonProblems().ProducesProblem(StatusCodes.Status403Forbidden);

        group.MapGet("/grains/{grainType}/{key}/state", GetGrainStateAsync)
            .WithName("GetGrainState").WithSummary("A grain's persisted state, read-only (operators)")
            .ProducesCommonProblems().ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        group.MapPost("/grains/{grainType}/{key}/deactivate", DeactivateGrainAsync)
            .WithName("DeactivateGrain").WithSummary("Deactivate a grain wherever it is active (operators)")
            .ProducesCommonProblems().ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        group.MapPost("/silos/{address}/drain", DrainSiloAsync)
            .WithName("DrainSilo").WithSummary("Stop a silo gracefully: hand off its grains and leave the cluster (operators)")
            .ProducesCommonProblems().ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        return app;
    }

    private static async Task<Ok<ClusterStatistics>> GetClusterAsync(IGrainFactory grains) =>
        TypedResults.Ok(await Management(grains).GetClusterStatisticsAsync());

    private static async Task<Ok<ReminderListing>> GetRemindersAsync(IGrainFactory grains, string? limit) =>
        TypedResults.Ok(await Management(grains).GetRemindersAsync(QueryValues.Limit(limit, defaultValue: 200, max: 1000)));

    private static async Task<Ok<LogList>> GetLogsAsync(IGrainFactory grains, INodeInfo node, RecentLogBuffer localLogs)
    {
        var silos = await Management(grains).GetRecentLogsAsync();
        // A WebHost in Client mode is no silo: its own warnings come from its own buffer.
        var local = node.Mode == ClusterMode.Client ? localLogs.Since(0, node.LogSource()) : [];
        return TypedResults.Ok(new LogList([.. silos.Concat(local).OrderBy(r => r.At)]));
    }

    private static async Task<Ok<GrainStateReport>> GetGrainStateAsync(IGrainFactory grains, string grainType, string key)
    {
        var report = await Management(grains).ReadGrainStateAsync(Segment(grainType, nameof(grainType)), Segment(key, nameof(key)));
        return TypedResults.Ok(report ?? throw DomainException.NotFound($"there is no grain type '{grainType}'"));
    }

    private static async Task<Ok<DeactivationResult>> DeactivateGrainAsync(IGrainFactory grains, string grainType, string key)
    {
        grainType = Segment(grainType, nameof(grainType));
        // Same check as reading state: an unknown grain type is a 404, not a silent "nothing to deactivate".
        if (await Management(grains).ReadGrainStateAsync(grainType, "-") is null)
        {
            throw DomainException.NotFound($"there is no grain type '{grainType}'");
        }

        return TypedResults.Ok(await Management(grains).DeactivateGrainAsync(grainType, Segment(key, nameof(key))));
    }

    private static async Task<Accepted<DrainAccepted>> DrainSiloAsync(IGrainFactory grains, string address)
    {
        address = Segment(address, nameof(address));
        return await Management(grains).DrainSiloAsync(address) switch
        {
            DrainOutcome.Draining => TypedResults.Accepted((string?)null, new DrainAccepted(address, "draining")),
            DrainOutcome.UnknownSilo => throw DomainException.NotFound($"there is no live silo '{address}'"),
            _ => throw DomainException.Validation(nameof(address), "is the last active silo; draining it would stop the cluster (stop its process instead)"),
        };
    }

    private static IManagementGrain Management(IGrainFactory grains) => grains.GetGrain<IManagementGrain>(0);

    private static string Segment(string value, string name) =>
        value.Length is > 0 and <= MaxSegment && !value.Any(char.IsControl)
            ? value
            : throw DomainException.Validation(name, $"must be 1-{MaxSegment} printable characters");

    internal sealed record LogList(ImmutableArray<LogRecord> Items);

    internal sealed record DrainAccepted(string Address, string Status);
}
