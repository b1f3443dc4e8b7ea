using Microsoft.Extensions.Options;

namespace Actors.WebHost.Security;

/// <summary>Security headers, the CORS allow-list, the request body limit and per-user rate limits.</summary>
public static class SecurityExtensions
{
    public static WebApplicationBuilder AddPlatformSecurity(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<CorsSettings>().BindConfiguration(CorsSettings.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<CorsSettings>, CorsSettingsValidator>();
        services.AddOptions<RequestLimitOptions>().BindConfiguration(RequestLimitOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RequestLimitOptions>, RequestLimitOptionsValidator>();
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RateLimitOptions>, RateLimitOptionsValidator>();
        services.AddSingleton<IUserRateLimiter, UserRateLimiter>();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);

        var origins = builder.Configuration.GetSection(CorsSettings.SectionName).Get<CorsSettings>()?.AllowedOrigins ?? [];
        services.AddCors(cors => cors.AddDefaultPolicy(policy =>
        {
            policy.WithOrigins([.. origins]).AllowAnyHeader().AllowAnyMethod()
                .WithExposedHeaders("ETag", "Location", "Retry-After");
            if (origins.Count > 0)
            {
                policy.AllowCredentials();
            }
        }));
        return builder;
    }

    /// <summary>Headers on every response, then CORS and the body limit (before anything reads a body).</summary>
    public static WebApplication UseSecurityHeaders(this WebApplication app)
    {
        app.UseMiddleware<SecurityHeadersMiddleware>();
        return app;
    }

    public static WebApplication UseRequestGuards(this WebApplication app)
    {
        app.UseCors();
        app.UseMiddleware<RequestBodyLimitMiddleware>();
        return app;
    }

    /// <summary>After authentication: a signed-in caller spends their own budget.</summary>
    public static WebApplication UseRateLimits(this WebApplication app)
    {
        app.UseMiddleware<RateLimitMiddleware>();
        return app;
    }
}
