using Actors.Grains;
using Actors.Runtime.Cluster;
using Actors.Runtime.Hosting;
using Actors.Runtime.Postgres;

namespace Actors.WebHost.Hosting;

/// <summary>
/// Where grains run (<c>Actors:Cluster:Mode</c>): Embedded co-hosts a silo with the domain (PostgreSQL
/// storage, event log and reminders when <c>ConnectionStrings:Postgres</c> is set, else in memory);
/// Client reaches external silos through the gateways in the PostgreSQL membership table.
/// </summary>
public static class ClusterHostingExtensions
{
    public static WebApplicationBuilder AddActorsCluster(this WebApplicationBuilder builder)
    {
        var options = ClusterHostingOptions.Read(builder.Configuration);
        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton<INodeInfo, NodeInfo>();
        services.AddHostedService<StartupReport>();

        var connectionString = options.ConnectionString;
        switch (options.Mode, connectionString)
        {
            case (ClusterMode.Client, { } cs):
                services.AddActorsClient(client => client.UsePostgresClustering(o =>
                {
                    o.ConnectionString = cs;
                    o.ClusterId = options.ClusterId;
                }));
                break;
            case (ClusterMode.Embedded, { } cs):
                services.AddActorsSilo(silo => silo
                    .AddPostgresGrainStorage(cs)
                    .UsePostgresReminders(o =>
                    {
                        o.ConnectionString = cs;
                        o.ClusterId = options.ClusterId;
                    })
                    .AddDomain(o => o.ConnectionString = cs));
                break;
            default:
                services.AddActorsSilo(silo => silo
                    .AddMemoryGrainStorage()
                    .UseInMemoryReminders()
                    .AddDomain());
                break;
        }

        return builder;
    }
}
