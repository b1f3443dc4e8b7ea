using Actors.Runtime.Diagnostics;
using Actors.WebHost.Auth;

namespace Actors.WebHost.Dashboard;

/// <summary>The operator hub at /hubs/dashboard and its sampler (docs/dashboard.md).</summary>
public static class DashboardExtensions
{
    public const string HubPath = "/hubs/dashboard";

    public static WebApplicationBuilder AddDashboard(this WebApplicationBuilder builder)
    {
        builder.Services.AddRecentLogCapture();
        builder.Services.AddSingleton<DashboardSampler>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DashboardSampler>());
        return builder;
    }

    public static WebApplication MapDashboard(this WebApplication app)
    {
        app.MapHub<DashboardHub>(HubPath).RequireAuthorization(AuthPolicies.Operator);
        return app;
    }
}
