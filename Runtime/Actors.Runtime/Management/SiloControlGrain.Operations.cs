using System.Collections.Immutable;
using Actors.Runtime.Diagnostics;
using Actors.Runtime.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Actors.Runtime.Management;

/// <summary>Operator actions that must run on one particular silo.</summary>
internal sealed partial class SiloControlGrain
{
    private static readonly TimeSpan DeactivationWait = TimeSpan.FromSeconds(10);

    public Task<ImmutableArray<LogRecord>> GetRecentLogsAsync(long afterId) =>
        Task.FromResult(runtime.Services.GetService<RecentLogBuffer>()?.Since(afterId, runtime.GrainRuntime.NodeIdentity) ?? []);

    public async Task<bool> DeactivateAsync(string grainType, string key)
    {
        if (grainType.StartsWith("sys.", StringComparison.Ordinal) || !runtime.Catalog.TryGetActivation(GrainId.Create(grainType, key), out var activation))
        {
            return false;
        }

        activation.RequestDeactivation(new DeactivationReason(DeactivationReasonCode.ApplicationRequested, "deactivated by an operator"));
        // Answer once it is gone (state written by OnDeactivateAsync), or after a bounded wait.
        await activation.Deactivated.WaitAsync(DeactivationWait).ConfigureAwait(true);
        return true;
    }

    public Task<bool> DrainAsync()
    {
        var silo = runtime.Services.GetService<SiloHostedService>();
        if (silo is null || silo.IsStopping)
        {
            return Task.FromResult(false);
        }

        var lifetime = runtime.Services.GetService<IHostApplicationLifetime>();
        // Outside this turn: the stop deactivates this very grain, and this call must be answered first.
        _ = Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100)).ConfigureAwait(false);
            await silo.StopAsync(CancellationToken.None).ConfigureAwait(false);
            // A standalone silo process then exits (the host's own stop finds the silo stopped).
            lifetime?.StopApplication();
        });
        return Task.FromResult(true);
    }
}
