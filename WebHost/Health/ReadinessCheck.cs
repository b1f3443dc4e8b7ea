using Actors.Runtime.Management;

namespace Actors.WebHost.Health;

public sealed record ReadinessReport(string Status, int Silos, string Postgres);

/// <summary>Ready when the host has started, the cluster answers (the management grain reaches a silo) and PostgreSQL answers.</summary>
internal sealed class ReadinessCheck(IGrainFactory grains, PostgresProbe postgres, IHostApplicationLifetime lifetime)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    /// <summary>The report when ready, else the reason it is not.</summary>
    public async Task<(ReadinessReport? Report, string? Reason)> CheckAsync(CancellationToken cancellationToken)
    {
        if (!lifetime.ApplicationStarted.IsCancellationRequested || lifetime.ApplicationStopping.IsCancellationRequested)
        {
            return (null, lifetime.ApplicationStopping.IsCancellationRequested ? "stopping" : "starting");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        int silos;
        try
        {
            var statistics = await grains.GetGrain<IManagementGrain>(0).GetClusterStatisticsAsync().WaitAsync(timeout.Token);
            silos = statistics.Silos.Count(s => s.Statistics is not null);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return (null, $"the cluster did not answer: {Describe(exception)}");
        }

        if (silos == 0)
        {
            return (null, "no silo answered");
        }

        try
        {
            await postgres.PingAsync(timeout.Token);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return (null, $"PostgreSQL did not answer: {Describe(exception)}");
        }

        return (new ReadinessReport("ready", silos, postgres.IsConfigured ? "ok" : "not configured"), null);
    }

    private static string Describe(Exception exception) =>
        exception is OperationCanceledException ? $"no answer within {Timeout.TotalSeconds:0} s" : exception.GetType().Name;
}
