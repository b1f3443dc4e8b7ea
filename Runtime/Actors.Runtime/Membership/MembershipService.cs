using Actors.Runtime.Configuration;
using Actors.Runtime.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Actors.Runtime.Membership;

/// <summary>Answers whether a peer silo responds over its connection.</summary>
internal interface ISiloProber
{
    Task<bool> ProbeAsync(SiloAddress silo, TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>
/// This silo's side of the membership protocol: joins (joining → active), heartbeats, re-reads the
/// table, probes peers and votes the silent ones dead (or declares them dead when their heartbeat
/// is older than the death timeout), and stops this silo when it finds itself declared dead.
/// Every membership change is a compare-and-swap on the table version.
/// </summary>
internal sealed class MembershipService : IAsyncDisposable
{
    private readonly IMembershipTable table;
    private readonly ClusterOptions options;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly Dictionary<SiloAddress, int> missedProbes = [];
    private readonly CancellationTokenSource stopping = new();
    private readonly List<Task> loops = [];
    private ISiloProber? prober;
    private volatile ClusterView view = ClusterView.Empty;
    private int declaredDead;

    public MembershipService(IMembershipTable table, ClusterOptions options, TimeProvider time, ILogger logger, SiloAddress self, string siloName, int gatewayPort)
    {
        this.table = table;
        this.options = options;
        this.time = time;
        this.logger = logger;
        Self = self;
        SiloName = siloName;
        GatewayPort = gatewayPort;
    }

    public SiloAddress Self { get; }

    public string SiloName { get; }

    public int GatewayPort { get; }

    public ClusterView View => view;

    /// <summary>Raised (on a background thread) whenever a new table version is seen.</summary>
    public event Action<ClusterView>? ViewChanged;

    /// <summary>Raised once if the table says this silo is dead: it must stop at once.</summary>
    public event Action? DeclaredDead;

    public async Task JoinAsync(IReadOnlyCollection<ISiloProber> probers, CancellationToken cancellationToken)
    {
        prober = probers.FirstOrDefault();
        await table.InitializeAsync(cancellationToken);
        var now = time.GetUtcNow();
        var entry = new MembershipEntry
        {
            Address = Self,
            SiloName = SiloName,
            Status = SiloStatus.Joining,
            GatewayPort = GatewayPort,
            HttpPort = options.HttpPort,
            StartedAt = now,
            IAmAliveAt = now,
        };

        await RetryCasAsync(async ct =>
        {
            var snapshot = await table.ReadAllAsync(ct);

            // An earlier attempt may have committed before its connection broke.
            return snapshot.Entries.Any(e => e.Entry.Address == Self) || await table.InsertRowAsync(entry, snapshot.Version, ct);
        }, cancellationToken);
        await SetOwnStatusAsync(SiloStatus.Active, cancellationToken);
        await RefreshAsync(cancellationToken);
        MembershipLog.Joined(logger, Self, view.Active.Length);

        loops.Add(RunPeriodicAsync(options.HeartbeatPeriod, HeartbeatAsync));
        loops.Add(RunPeriodicAsync(options.TableRefreshPeriod, RefreshAsync));
        loops.Add(RunPeriodicAsync(options.ProbePeriod, ProbePeersAsync));
    }

    /// <summary>Graceful leave, first step: peers stop placing grains here.</summary>
    public Task BeginLeavingAsync(CancellationToken cancellationToken) => SetOwnStatusAsync(SiloStatus.ShuttingDown, cancellationToken);

    /// <summary>Graceful leave, last step: the row says dead, so nobody waits for us.</summary>
    public async Task LeaveAsync(CancellationToken cancellationToken)
    {
        await StopLoopsAsync();
        await SetOwnStatusAsync(SiloStatus.Dead, cancellationToken);
    }

    /// <summary>Stops heartbeats and probes without telling anyone (a crash, for tests).</summary>
    public Task AbandonAsync() => StopLoopsAsync();

    private async Task StopLoopsAsync()
    {
        if (!stopping.IsCancellationRequested)
        {
            await stopping.CancelAsync();
        }

        try
        {
            await Task.WhenAll(loops);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task SetOwnStatusAsync(SiloStatus status, CancellationToken cancellationToken) =>
        await RetryCasAsync(async ct =>
        {
            var snapshot = await table.ReadAllAsync(ct);
            var row = snapshot.Entries.FirstOrDefault(e => e.Entry.Address == Self);
            if (row is null)
            {
                return true;
            }

            if (row.Entry.Status == SiloStatus.Dead && status != SiloStatus.Dead)
            {
                OnDeclaredDead();
                return true;
            }

            return await table.UpdateRowAsync(row.Entry with { Status = status, IAmAliveAt = time.GetUtcNow() }, row.ETag, snapshot.Version, ct);
        }, cancellationToken);

    private async Task RetryCasAsync(Func<CancellationToken, Task<bool>> attempt, CancellationToken cancellationToken)
    {
        for (var i = 0; i < 50; i++)
        {
            if (await attempt(cancellationToken))
            {
                return;
            }

            // Another silo changed the table between our read and write: re-read and try again.
            await Task.Delay(TimeSpan.FromMilliseconds(10 + Random.Shared.Next(40)), time, cancellationToken);
        }

        throw new InvalidOperationException("The membership table kept changing; could not update it after 50 attempts.");
    }

    private async Task RunPeriodicAsync(TimeSpan period, Func<CancellationToken, Task> work)
    {
        using var timer = new PeriodicTimer(period, time);
        while (await timer.WaitForNextTickAsync(stopping.Token).ConfigureAwait(false))
        {
            try
            {
                await work(stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                MembershipLog.LoopFailed(logger, exception, work.Method.Name);
            }
        }
    }

    private async Task HeartbeatAsync(CancellationToken cancellationToken)
    {
        try
        {
            await table.UpdateIAmAliveAsync(Self, time.GetUtcNow(), cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            lastTableFailure = time.GetUtcNow();
            throw;
        }
    }

    // When the table itself was unreachable, every heartbeat is stale afterwards: nobody is
    // declared dead by heartbeat age until the table has worked for a whole death timeout again.
    private DateTimeOffset lastTableFailure = DateTimeOffset.MinValue;

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        MembershipSnapshot snapshot;
        try
        {
            snapshot = await table.ReadAllAsync(cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            lastTableFailure = time.GetUtcNow();
            throw;
        }

        var me = snapshot.Entries.FirstOrDefault(e => e.Entry.Address == Self);
        if (me is { Entry.Status: SiloStatus.Dead } && !stopping.IsCancellationRequested)
        {
            OnDeclaredDead();
            return;
        }

        if (snapshot.Version != view.Version || view.Entries.Length != snapshot.Entries.Count)
        {
            var updated = new ClusterView(snapshot.Version, [.. snapshot.Entries.Select(e => e.Entry)], options.VirtualNodesPerSilo);
            view = updated;
            MembershipLog.ViewChanged(logger, updated.Version, string.Join(", ", updated.Active));
            ViewChanged?.Invoke(updated);
        }

        // Table timeout: a silo that stopped heartbeating is dead whatever the probes say.
        var now = time.GetUtcNow();
        if (now - lastTableFailure < options.DeathTimeout)
        {
            return;
        }

        foreach (var row in snapshot.Entries)
        {
            if (row.Entry.Address != Self && row.Entry.Status is SiloStatus.Joining or SiloStatus.Active or SiloStatus.ShuttingDown
                && now - row.Entry.IAmAliveAt > options.DeathTimeout)
            {
                MembershipLog.HeartbeatStale(logger, row.Entry.Address, now - row.Entry.IAmAliveAt);
                await table.UpdateRowAsync(row.Entry with { Status = SiloStatus.Dead }, row.ETag, snapshot.Version, cancellationToken);
                return;
            }
        }
    }

    private async Task ProbePeersAsync(CancellationToken cancellationToken)
    {
        if (prober is null)
        {
            return;
        }

        var peers = view.Entries.Where(e => e.Address != Self && e.Status is SiloStatus.Active or SiloStatus.ShuttingDown).Select(e => e.Address).ToList();
        var results = await Task.WhenAll(peers.Select(async peer => (peer, ok: await prober.ProbeAsync(peer, options.ProbeTimeout, cancellationToken))));
        foreach (var (peer, ok) in results)
        {
            var missed = ok ? 0 : missedProbes.GetValueOrDefault(peer) + 1;
            missedProbes[peer] = missed;
            if (missed >= options.MissedProbesLimit)
            {
                MembershipLog.Suspecting(logger, peer, missed);
                await VoteDeadAsync(peer, cancellationToken);
            }
        }

        foreach (var gone in missedProbes.Keys.Except(peers).ToList())
        {
            missedProbes.Remove(gone);
        }
    }

    /// <summary>Adds this silo's vote; declares the peer dead when enough fresh votes exist.</summary>
    private async Task VoteDeadAsync(SiloAddress peer, CancellationToken cancellationToken)
    {
        var snapshot = await table.ReadAllAsync(cancellationToken);
        var row = snapshot.Entries.FirstOrDefault(e => e.Entry.Address == peer);
        if (row is null || row.Entry.Status == SiloStatus.Dead)
        {
            return;
        }

        var now = time.GetUtcNow();
        var votes = row.Entry.Suspicions.Where(v => now - v.At < options.DeathVoteExpiration && v.By != Self).Append(new SuspicionVote(Self, now)).ToList();
        var others = snapshot.Entries.Count(e => e.Entry.Status == SiloStatus.Active && e.Entry.Address != peer);
        var needed = Math.Max(1, Math.Min(options.NumVotesForDeath, others));
        var updated = votes.Count >= needed
            ? row.Entry with { Status = SiloStatus.Dead, Suspicions = [.. votes] }
            : row.Entry with { Suspicions = [.. votes] };
        if (await table.UpdateRowAsync(updated, row.ETag, snapshot.Version, cancellationToken) && updated.Status == SiloStatus.Dead)
        {
            MembershipLog.DeclaredPeerDead(logger, peer, votes.Count);
        }
    }

    private void OnDeclaredDead()
    {
        if (Interlocked.Exchange(ref declaredDead, 1) == 0)
        {
            MembershipLog.SelfDeclaredDead(logger, Self);
            stopping.Cancel();
            DeclaredDead?.Invoke();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopLoopsAsync();
        stopping.Dispose();
    }
}

internal static partial class MembershipLog
{
    [LoggerMessage(1200, LogLevel.Information, "Silo {Silo} joined the cluster ({Active} active)")]
    public static partial void Joined(ILogger logger, SiloAddress silo, int active);

    [LoggerMessage(1201, LogLevel.Information, "Membership version {Version}: active silos {Active}")]
    public static partial void ViewChanged(ILogger logger, long version, string active);

    [LoggerMessage(1202, LogLevel.Warning, "Silo {Silo} missed {Missed} probes in a row; voting it dead")]
    public static partial void Suspecting(ILogger logger, SiloAddress silo, int missed);

    [LoggerMessage(1203, LogLevel.Warning, "Declared silo {Silo} dead ({Votes} votes)")]
    public static partial void DeclaredPeerDead(ILogger logger, SiloAddress silo, int votes);

    [LoggerMessage(1204, LogLevel.Warning, "Silo {Silo} has not heartbeated for {Age}; declaring it dead")]
    public static partial void HeartbeatStale(ILogger logger, SiloAddress silo, TimeSpan age);

    [LoggerMessage(1205, LogLevel.Critical, "This silo ({Silo}) was declared dead by the cluster; stopping")]
    public static partial void SelfDeclaredDead(ILogger logger, SiloAddress silo);

    [LoggerMessage(1206, LogLevel.Warning, "Membership loop {Loop} failed")]
    public static partial void LoopFailed(ILogger logger, Exception exception, string loop);
}
