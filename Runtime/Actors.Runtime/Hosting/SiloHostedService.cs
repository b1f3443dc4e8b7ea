using Actors.Runtime.Diagnostics;
using Microsoft.Extensions.Hosting;

namespace Actors.Runtime.Hosting;

/// <summary>
/// Starts the silo (startup tasks such as migrations, then the maintenance sweep) and stops it
/// gracefully: no new activations, running calls finish, every activation deactivates.
/// </summary>
internal sealed class SiloHostedService(RuntimeServices runtime, IEnumerable<ISiloStartupTask> startupTasks) : IHostedService, IAsyncDisposable
{
    private ITimer? maintenance;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var task in startupTasks.OrderBy(t => t.Order))
        {
            RuntimeLog.StartupTask(runtime.Logger, task.GetType().Name);
            await task.ExecuteAsync(cancellationToken);
        }

        var period = runtime.Options.MaintenancePeriod;
        maintenance = runtime.TimeProvider.CreateTimer(static s => ((SiloHostedService)s!).RunMaintenance(), this, period, period);
        runtime.GrainRuntime.MarkStarted();
        RuntimeLog.SiloStarted(runtime.Logger, runtime.Options.SiloName);
    }

    private void RunMaintenance()
    {
        try
        {
            runtime.Catalog.RunMaintenance(runtime.TimeProvider.GetTimestamp(), runtime.IdleTimeoutTicks);
        }
        catch (Exception exception)
        {
            RuntimeLog.MaintenanceFailed(runtime.Logger, exception);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        RuntimeLog.SiloStopping(runtime.Logger, runtime.Options.SiloName, runtime.Catalog.Count);
        try
        {
            await runtime.Catalog.DeactivateAllAsync(cancellationToken);
        }
        finally
        {
            maintenance?.Dispose();
            maintenance = null;
            RuntimeLog.SiloStopped(runtime.Logger, runtime.Options.SiloName);
        }
    }

    public ValueTask DisposeAsync()
    {
        maintenance?.Dispose();
        return ValueTask.CompletedTask;
    }
}
