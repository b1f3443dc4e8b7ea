using Actors.Runtime.Cluster;
using Actors.Runtime.Configuration;
using Actors.Runtime.Diagnostics;
using Actors.Runtime.Membership;
using Actors.Runtime.Reminders;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Actors.Runtime.Hosting;

/// <summary>
/// Starts the silo (startup tasks such as migrations, then clustering when a membership table is
/// configured, then the maintenance sweep) and stops it gracefully: no new activations, running
/// calls finish, every activation deactivates, and a cluster member leaves the table.
/// </summary>
internal sealed class SiloHostedService(RuntimeServices runtime, IEnumerable<ISiloStartupTask> startupTasks, IServiceProvider services) : IHostedService, IAsyncDisposable
{
    private ITimer? maintenance;

    /// <summary>Set when this silo is a cluster member.</summary>
    public ClusterSilo? Cluster { get; private set; }

    /// <summary>Set when a reminder table is configured.</summary>
    public ReminderService? Reminders { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var task in startupTasks.OrderBy(t => t.Order))
        {
            RuntimeLog.StartupTask(runtime.Logger, task.GetType().Name);
            await task.ExecuteAsync(cancellationToken);
        }

        // Register every grain class and interface now: calls from the network look interfaces up by name.
        _ = runtime.ClassMap.Manifest();

        if (services.GetService<IMembershipTable>() is { } table)
        {
            var lifetime = services.GetService<IHostApplicationLifetime>();
            Cluster = new ClusterSilo(runtime, table, services.GetRequiredService<IOptions<ClusterOptions>>().Value, () => lifetime?.StopApplication());
            await Cluster.StartAsync(cancellationToken);
        }

        if (services.GetService<IReminderTable>() is { } reminderTable)
        {
            var cluster = Cluster;
            Reminders = new ReminderService(
                runtime,
                reminderTable,
                services.GetRequiredService<IOptions<ClusterOptions>>().Value,
                cluster is null ? static _ => true : id => cluster.Membership.View.OwnerOf(id) is not { } owner || owner == cluster.Address);
            await Reminders.StartAsync(cancellationToken);
            if (cluster is not null)
            {
                cluster.Membership.ViewChanged += _ => Reminders.OnOwnershipChanged();
            }
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
            var now = runtime.RefreshCoarseNow();
            runtime.Catalog.RunMaintenance(now, runtime.IdleTimeoutTicks);
            Cluster?.Messages.ExpirePending(now);
        }
        catch (Exception exception)
        {
            RuntimeLog.MaintenanceFailed(runtime.Logger, exception);
        }
    }

    private readonly Lock stopGate = new();
    private Task? stopping;

    /// <summary>Stops once: a drain requested by an operator and the host's own stop share one run.</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (stopGate)
        {
            return stopping ??= StopCoreAsync(cancellationToken);
        }
    }

    /// <summary>True once a stop (graceful drain) has begun.</summary>
    public bool IsStopping
    {
        get
        {
            lock (stopGate)
            {
                return stopping is not null;
            }
        }
    }

    private async Task StopCoreAsync(CancellationToken cancellationToken)
    {
        RuntimeLog.SiloStopping(runtime.Logger, runtime.Options.SiloName, runtime.Catalog.Count);
        try
        {
            if (Reminders is not null)
            {
                await Reminders.DisposeAsync();
            }

            if (Cluster is not null)
            {
                await Cluster.StopAsync(cancellationToken);
            }
            else
            {
                await runtime.Catalog.DeactivateAllAsync(cancellationToken);
            }
        }
        finally
        {
            maintenance?.Dispose();
            maintenance = null;
            RuntimeLog.SiloStopped(runtime.Logger, runtime.Options.SiloName);
        }
    }

    /// <summary>Crash simulation (tests): drop off the network without deactivating anything.</summary>
    public async Task KillAsync()
    {
        maintenance?.Dispose();
        if (Reminders is not null)
        {
            await Reminders.DisposeAsync();
            Reminders = null;
        }

        if (Cluster is not null)
        {
            await Cluster.KillAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        maintenance?.Dispose();
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }
    }
}
