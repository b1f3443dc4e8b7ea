using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Actors.WebHost.Auth;

/// <summary>JWT bearer authentication (HS256), token issuing, accounts and the operator bootstrap.</summary>
public static class AuthExtensions
{
    public static WebApplicationBuilder AddPlatformAuth(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        services.AddSingleton<SigningKeys>();
        services.AddSingleton<AccessTokenIssuer>();
        services.AddSingleton<OperatorBootstrap>();
        services.AddSingleton<AccountService>();
        services.AddHostedService<SigningKeyWarning>();
        services.TryAddTimeProvider();

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<SigningKeys, IOptions<AuthOptions>>((jwt, keys, auth) =>
            {
                jwt.MapInboundClaims = false;
                jwt.RequireHttpsMetadata = false;
                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = auth.Value.Issuer,
                    ValidAudience = auth.Value.Audience,
                    IssuerSigningKey = keys.Key,
                    ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                    ClockSkew = auth.Value.ClockSkew,
                    NameClaimType = TokenClaims.Name,
                    RoleClaimType = TokenClaims.Role,
                };
                jwt.Events = JwtBearerProblemEvents.Create();
            });
        AuthPolicies.Add(services.AddAuthorizationBuilder());
        return builder;
    }

    public static WebApplication UsePlatformAuth(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    private static void TryAddTimeProvider(this IServiceCollection services)
    {
        if (!services.Any(d => d.ServiceType == typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
    }
}
