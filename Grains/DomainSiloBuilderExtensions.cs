using Actors.Runtime.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Actors.Grains;

/// <summary>Adds the domain grains' services to a silo: <c>silo.AddDomain(o => o.ConnectionString = ...)</c>.</summary>
public static class DomainSiloBuilderExtensions
{
    public static ISiloBuilder AddDomain(this ISiloBuilder builder, Action<DomainOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<DomainOptions>()
            .Configure<IServiceProvider>((o, sp) => sp.GetService<IConfiguration>()?.GetSection(DomainOptions.SectionName).Bind(o))
            .ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DomainOptions>, DomainOptionsValidator>());
        return builder;
    }
}
