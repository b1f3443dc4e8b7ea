using Actors.Runtime.Membership;
using Actors.Runtime.Reminders;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Actors.Runtime.Hosting;

/// <summary>In-process membership and reminder tables: for tests and single-process clusters only.</summary>
public static class InMemoryClusteringExtensions
{
    /// <summary>
    /// Registers an in-memory <see cref="IMembershipTable"/> (replacing any other): <paramref name="shared"/>
    /// when given, so that several silos in one process form one cluster, otherwise a table of this silo's own.
    /// </summary>
    public static ISiloBuilder UseInMemoryClustering(this ISiloBuilder builder, InMemoryMembershipTable? shared = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.RemoveAll<IMembershipTable>();
        if (shared is null)
        {
            builder.Services.AddSingleton<IMembershipTable, InMemoryMembershipTable>();
        }
        else
        {
            builder.Services.AddSingleton<IMembershipTable>(shared);
        }

        return builder;
    }

    /// <summary>
    /// Registers an in-memory <see cref="IReminderTable"/> (replacing any other): <paramref name="shared"/>
    /// when given, so that several silos in one process share their reminders, otherwise a table of this silo's own.
    /// </summary>
    public static ISiloBuilder UseInMemoryReminders(this ISiloBuilder builder, InMemoryReminderTable? shared = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.RemoveAll<IReminderTable>();
        if (shared is null)
        {
            builder.Services.AddSingleton<IReminderTable, InMemoryReminderTable>();
        }
        else
        {
            builder.Services.AddSingleton<IReminderTable>(shared);
        }

        return builder;
    }
}
