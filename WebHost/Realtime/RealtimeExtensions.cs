using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Actors.WebHost.Realtime;

/// <summary>SignalR hub at /hubs/realtime and the realtime bridge (grain observers → local fan-out).</summary>
public static class RealtimeExtensions
{
    public const string HubPath = "/hubs/realtime";

    public static WebApplicationBuilder AddRealtime(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<RealtimeOptions>().BindConfiguration(RealtimeOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RealtimeOptions>, RealtimeOptionsValidator>());
        services.AddSignalR(o =>
        {
            o.EnableDetailedErrors = false;
            o.AddFilter<RealtimeHubFilter>();
        }).AddJsonProtocol();
        services.AddSingleton<RealtimeHubFilter>();
        services.AddSingleton<IUserIdProvider, SubjectUserIdProvider>();
        services.AddSingleton<ConnectionRegistry>();
        services.AddSingleton<PresenceCoalescer>();
        services.AddSingleton<HubLifetimeManager<RealtimeHub>, RealtimeLifetimeManager>();
        services.AddSingleton<RealtimeBridge>();
        services.AddHostedService(sp => sp.GetRequiredService<RealtimeBridge>());
        services.AddSingleton<UserConnections>();
        services.AddSingleton<UserPresenceLeases>();
        services.AddHostedService(sp => sp.GetRequiredService<UserPresenceLeases>());
        return builder;
    }

    public static WebApplication MapRealtime(this WebApplication app)
    {
        app.MapHub<RealtimeHub>(HubPath);
        if (app.Services.GetService<Actors.Runtime.Cluster.ClusterClient>() is { } client)
        {
            // Observer references name the gateway: after a move, subscribe again with new ones.
            var bridge = app.Services.GetRequiredService<RealtimeBridge>();
            client.GatewayChanged += _ => bridge.ResetReferences();
        }

        return app;
    }
}
