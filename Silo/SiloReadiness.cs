using Actors.Runtime.Membership;

namespace Actors.Silo;

/// <summary>
/// Whether this silo is ready for traffic: the host has started (the silo joined), it is not
/// stopping, and its own membership row — read from PostgreSQL now — says Active. Reading the row
/// doubles as the PostgreSQL check.
/// </summary>
internal sealed class SiloReadiness(IMembershipTable table, IHostApplicationLifetime lifetime, SiloSettings settings)
{
    /// <summary>How long one readiness check may wait for PostgreSQL.</summary>
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(3);

    public async Task<ReadinessResult> CheckAsync(CancellationToken cancellationToken)
    {
        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            return ReadinessResult.NotReady("stopping");
        }

        if (!lifetime.ApplicationStarted.IsCancellationRequested)
        {
            return ReadinessResult.NotReady("starting: the silo has not joined the cluster yet");
        }

        MembershipEntry? self;
        try
        {
            self = await FindSelfAsync(cancellationToken);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            return ReadinessResult.NotReady(exception is OperationCanceledException
                ? $"PostgreSQL did not answer within {CheckTimeout.TotalSeconds:0} s"
                : $"PostgreSQL did not answer: {exception.Message}");
        }

        return self switch
        {
            null => ReadinessResult.NotReady($"this silo has no row in the membership table of cluster '{settings.ClusterId}'"),
            { Status: not SiloStatus.Active } => ReadinessResult.NotReady($"silo {self.Address} is {self.Status}"),
            _ => ReadinessResult.Ready(self.Address.ToString()),
        };
    }

    /// <summary>
    /// This silo's membership row: the newest row at the advertised host and silo port that was
    /// created after this process read its settings (an older one is a previous process on that port).
    /// </summary>
    public async Task<MembershipEntry?> FindSelfAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CheckTimeout);
        var snapshot = await table.ReadAllAsync(timeout.Token);
        return snapshot.Entries
            .Select(e => e.Entry)
            .Where(e => e.Address.Port == settings.SiloPort
                && string.Equals(e.Address.Host, settings.AdvertisedHost, StringComparison.OrdinalIgnoreCase)
                && e.Address.Generation >= settings.StartedAt.UtcTicks)
            .MaxBy(e => e.Address.Generation);
    }
}

internal sealed record ReadinessResult(bool IsReady, string? Silo, string? Reason)
{
    public static ReadinessResult Ready(string silo) => new(true, silo, null);

    public static ReadinessResult NotReady(string reason) => new(false, null, reason);
}
