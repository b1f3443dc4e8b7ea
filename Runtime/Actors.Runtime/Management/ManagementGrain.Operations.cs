using System.Collections.Immutable;
using Actors.Runtime.Diagnostics;
using Actors.Runtime.Hosting;
using Actors.Runtime.Membership;
using Actors.Runtime.Reminders;
using Actors.Runtime.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Actors.Runtime.Management;

/// <summary>Operator actions and views beyond statistics: logs, reminders, persisted state, deactivation, drain.</summary>
internal sealed partial class ManagementGrain
{
    private const int MaxLogRecords = 200;

    public async Task<ImmutableArray<LogRecord>> GetRecentLogsAsync()
    {
        var parts = await Task.WhenAll(LiveMembers().Select(async member =>
        {
            try
            {
                return await GrainFactory.GetGrain<ISiloControlGrain>(member.Key).GetRecentLogsAsync(0).WaitAsync(PerSiloTimeout);
            }
            catch (Exception exception) when (exception is TimeoutException or SiloUnavailableException or GrainRoutingException)
            {
                return [];
            }
        }));
        return [.. parts.SelectMany(p => p).OrderBy(r => r.At).TakeLast(MaxLogRecords)];
    }

    public async Task<ReminderListing> GetRemindersAsync(int limit)
    {
        limit = Math.Clamp(limit, 1, 1000);
        if (services.GetService<IReminderTable>() is not { } table)
        {
            return new ReminderListing([], Truncated: false);
        }

        // begin == end reads the whole ring.
        var all = await table.ReadRangeAsync(0, 0, CancellationToken.None);
        var items = all.OrderBy(r => r.GrainId.Type, StringComparer.Ordinal).ThenBy(r => r.GrainId.Key, StringComparer.Ordinal).ThenBy(r => r.Name, StringComparer.Ordinal)
            .Take(limit)
            .Select(r => new ReminderSummary(r.GrainId.Type, r.GrainId.Key, r.Name, r.StartAt, r.Period.TotalSeconds));
        return new ReminderListing([.. items], all.Count > limit);
    }

    public async Task<GrainStateReport?> ReadGrainStateAsync(string grainType, string key)
    {
        if (grainType.StartsWith("sys.", StringComparison.Ordinal) || !runtime.ClassMap.TryGetByTypeName(grainType, out var info) || info.IsObserver)
        {
            return null;
        }

        var states = ImmutableArray.CreateBuilder<GrainStateRecord>(info.StateParameters.Count);
        foreach (var state in info.StateParameters)
        {
            var stored = await runtime.GetStorage(state.StorageName, info).ReadAsync(new GrainStateKey(grainType, key, state.StateName), CancellationToken.None);
            states.Add(new GrainStateRecord(state.StateName, state.StorageName, stored is not null, stored?.ETag, stored?.SchemaVersion, stored?.Json));
        }

        return new GrainStateReport(grainType, key, states.MoveToImmutable());
    }

    public async Task<DeactivationResult> DeactivateGrainAsync(string grainType, string key)
    {
        // Ask every silo: during a view change an activation may still sit on its previous owner.
        var answers = await Task.WhenAll(LiveMembers().Select(async member =>
        {
            try
            {
                return (member.Key, Found: await GrainFactory.GetGrain<ISiloControlGrain>(member.Key).DeactivateAsync(grainType, key).WaitAsync(PerSiloTimeout));
            }
            catch (Exception exception) when (exception is TimeoutException or SiloUnavailableException or GrainRoutingException)
            {
                return (member.Key, Found: false);
            }
        }));
        var silo = answers.FirstOrDefault(a => a.Found).Key;
        return new DeactivationResult(grainType, key, silo is not null, silo);
    }

    public async Task<DrainOutcome> DrainSiloAsync(string address)
    {
        var members = LiveMembers();
        var target = members.FirstOrDefault(m => string.Equals(m.Key, address, StringComparison.Ordinal));
        if (target.Key is null)
        {
            return DrainOutcome.UnknownSilo;
        }

        var othersActive = members.Count(m => m.Key != address && m.Entry.Status == SiloStatus.Active);
        if (services.GetService<SiloHostedService>()?.Cluster is null || othersActive == 0)
        {
            return DrainOutcome.LastActiveSilo;
        }

        await GrainFactory.GetGrain<ISiloControlGrain>(address).DrainAsync();
        return DrainOutcome.Draining;
    }

    /// <summary>Silos that are not dead, keyed by the address their control grain answers to.</summary>
    private IReadOnlyList<(string Key, MembershipEntry Entry)> LiveMembers()
    {
        if (services.GetService<SiloHostedService>()?.Cluster is { } cluster)
        {
            return [.. cluster.Membership.View.Entries.Where(e => e.Status != SiloStatus.Dead).Select(e => (e.Address.ToString(), e))];
        }

        // Not clustered: this silo alone.
        return
        [
            (runtime.GrainRuntime.NodeIdentity, new MembershipEntry
            {
                Address = new SiloAddress("local", 0, 0),
                SiloName = runtime.Options.SiloName,
                Status = SiloStatus.Active,
                StartedAt = runtime.StartedAt,
                IAmAliveAt = runtime.TimeProvider.GetUtcNow(),
            }),
        ];
    }
}
