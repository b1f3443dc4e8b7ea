using Actors.Runtime.Membership;
using Actors.Runtime.Postgres.Tests.Contracts;
using Actors.Runtime.Reminders;

namespace Actors.Runtime.Postgres.Tests;

/// <summary>The membership contract on <see cref="InMemoryMembershipTable"/>: one shared instance per cluster id, as in a test cluster.</summary>
public sealed class InMemoryMembershipTableTests : MembershipTableContractTests
{
    private readonly Dictionary<string, InMemoryMembershipTable> _clusters = new(StringComparer.Ordinal);

    protected override Task<IMembershipTable> CreateTableAsync(string clusterId)
    {
        lock (_clusters)
        {
            if (!_clusters.TryGetValue(clusterId, out var table))
            {
                _clusters[clusterId] = table = new InMemoryMembershipTable();
            }

            return Task.FromResult<IMembershipTable>(table);
        }
    }
}

/// <summary>The reminder contract on <see cref="InMemoryReminderTable"/>: one shared instance per cluster id.</summary>
public sealed class InMemoryReminderTableTests : ReminderTableContractTests
{
    private readonly Dictionary<string, InMemoryReminderTable> _clusters = new(StringComparer.Ordinal);

    protected override Task<IReminderTable> CreateTableAsync(string clusterId)
    {
        lock (_clusters)
        {
            if (!_clusters.TryGetValue(clusterId, out var table))
            {
                _clusters[clusterId] = table = new InMemoryReminderTable();
            }

            return Task.FromResult<IReminderTable>(table);
        }
    }
}
