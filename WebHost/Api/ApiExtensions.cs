namespace Actors.WebHost.Api;

/// <summary>The REST API of DESIGN §5 under /api: validation of request bodies and every endpoint class.</summary>
public static class ApiExtensions
{
    public static WebApplicationBuilder AddApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidation();
        return builder;
    }

    public static WebApplication MapApi(this WebApplication app)
    {
        app.MapAuthEndpoints();
        app.MapUserEndpoints();
        app.MapSessionEndpoints();
        app.MapSessionMemberEndpoints();
        app.MapSessionEventEndpoints();
        app.MapSessionResourceEndpoints();
        app.MapResourceEndpoints();
        app.MapAdminEndpoints();
        return app;
    }
}
